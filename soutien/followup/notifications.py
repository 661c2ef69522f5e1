"""The emails after the decision and the closure: the decision letter, the follow-up
questionnaires and their reminders."""

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory
from soutien.accounts.notifications import PlatformNotification


class ToldUnlessTurnedOff(PlatformNotification):
    """Sent at once to every active account that did not turn the category off: the
    daily digest does not list these emails, so choosing the digest must not lose them."""

    def recipients_now(self, to):
        users = [user for user in to if getattr(user, "is_active", False)]
        chosen = preferences.deliveries([user.pk for user in users], self.category)
        return [
            (user.email.strip().lower(), user)
            for user in users
            if user.email and chosen[user.pk] != Delivery.NONE
        ]


class DecisionLetter(ToldUnlessTurnedOff):
    name = "decision_letter"
    category = NotificationCategory.CASE_ACTIVITY
    recipients = "le gestionnaire du centre (lien vers la lettre de décision)"


class FollowUpQuestionnaire(ToldUnlessTurnedOff):
    name = "followup_questionnaire"
    category = NotificationCategory.CASE_ACTIVITY
    recipients = "le gestionnaire du centre, 6 puis 12 mois après la clôture"


class FollowUpReminder(ToldUnlessTurnedOff):
    name = "followup_reminder"
    category = NotificationCategory.REMINDERS
    recipients = "le gestionnaire du centre, qui n'a pas encore répondu au suivi"
