"""The yearly invitation to take the self-check again."""

from soutien.accounts.models import NotificationCategory
from soutien.accounts.notifications import PlatformNotification
from soutien.core.notifications import addresses_of


class SelfCheckYearly(PlatformNotification):
    """Sent, as before this class existed, to every manager of the centre whatever their
    choice for « Rappels et retards » (the daily digest does not list it). Whether it
    should follow that choice is still to decide (docs/notifications.md)."""

    name = "selfcheck_yearly"
    category = NotificationCategory.REMINDERS
    recipients = "les administrateurs et salariés de fédération qui gèrent le centre"

    def recipients_now(self, to):
        return [(address, None) for address in addresses_of(to)]
