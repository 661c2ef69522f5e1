"""The meeting invitation, its update and its cancellation (soutien.meetings.invitations
sends them, with the .ics attached)."""

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory, User
from soutien.accounts.notifications import PlatformNotification
from soutien.core.french import date_fr
from soutien.core.notifications import addresses_of
from soutien.meetings.calendar import meeting_title


class MeetingInvitation(PlatformNotification):
    """``meeting``; ``cancel``: the meeting is cancelled; ``update``: it was changed."""

    name = "meeting_invitation"
    category = NotificationCategory.MEETINGS
    recipients = "les participants de la réunion (comptes et invités extérieurs)"

    def get_context(self, user=None) -> dict:
        meeting = self.context["meeting"]
        return {
            "cancel": False,
            "update": False,
            **super().get_context(user),
            "title": meeting_title(meeting),
            "when": date_fr(meeting.starts_at, with_time=True),
        }


class MeetingPoll(PlatformNotification):
    """``poll``, ``slots``, ``answer_url`` (personal: signed for this address) and
    ``valid_days``. Sent to each invitee one by one (each has their own link), at once
    unless their account chose never to be told of meetings; the text is erased from the
    outbox once sent (the link answers for this person)."""

    name = "meeting_poll"
    category = NotificationCategory.MEETINGS
    recipients = "les personnes invitées à la réunion (comptes et invités extérieurs)"
    secret = True

    def recipients_now(self, to):
        addresses = addresses_of(to)
        users = {u.email.lower(): u for u in User.objects.filter(email__in=addresses)}
        chosen = preferences.deliveries([u.pk for u in users.values()], self.category)
        return [
            (address, users.get(address))
            for address in addresses
            if address not in users
            or (users[address].is_active and chosen[users[address].pk] != Delivery.NONE)
        ]

    def get_context(self, user=None) -> dict:
        return {**super().get_context(user), "has_account": user is not None}
