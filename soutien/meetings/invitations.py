"""Meeting invitations by email with an iCalendar attachment (through the outbox).

`_send` writes one email per attendee (invitation, update or cancellation, with its
.ics); the services that call it (plan, send, reschedule, cancel) are in
`soutien.meetings.services`.
"""

from __future__ import annotations

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory, User
from soutien.core.outbox import outbox_enqueue
from soutien.meetings.calendar import build_ics
from soutien.meetings.notifications import MeetingInvitation

MEETINGS = NotificationCategory.MEETINGS


def _body(meeting, *, cancel: bool, update: bool) -> str:
    return MeetingInvitation(meeting=meeting, cancel=cancel, update=update).render().body


def _send(meeting, recipients, *, cancel: bool, update: bool) -> int:
    ics = build_ics(meeting, cancel=cancel).decode("utf-8")
    method = "CANCEL" if cancel else "REQUEST"
    subject = MeetingInvitation(meeting=meeting, cancel=cancel, update=update).render().subject
    sent = 0
    chosen = meeting_deliveries(recipients)
    for email, _name in recipients:
        user = chosen.get(email.lower())
        if user is not None and user.delivery != Delivery.IMMEDIATE:
            continue  # in their daily digest, or they chose not to be told
        if outbox_enqueue(
            to=[email],
            subject=subject,
            body=_body(meeting, cancel=cancel, update=update)
            + (preferences.footer(MEETINGS) if user is not None else ""),
            headers=preferences.email_headers(user, MEETINGS) if user is not None else None,
            attachments=[
                {
                    "filename": "cancel.ics" if cancel else "invitation.ics",
                    "mimetype": f"text/calendar; method={method}; charset=UTF-8",
                    "content": ics,
                }
            ],
        ):
            sent += 1
    return sent


def meeting_deliveries(recipients) -> dict:
    """{address: user carrying `delivery`} for the recipients who have an account (the
    others, invited from outside, are always told)."""
    addresses = {email.lower() for email, _name in recipients}
    users = {u.email: u for u in User.objects.filter(email__in=addresses, is_active=True)}
    chosen = preferences.deliveries([u.pk for u in users.values()], MEETINGS)
    for user in users.values():
        user.delivery = chosen[user.pk]
    return users
