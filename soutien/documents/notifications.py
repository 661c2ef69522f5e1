"""The meeting invitation, its update and its cancellation (soutien.documents.invitations
sends them, with the .ics attached)."""

from soutien.accounts.models import NotificationCategory
from soutien.accounts.notifications import PlatformNotification
from soutien.core.french import date_fr
from soutien.documents.calendar import meeting_title


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
