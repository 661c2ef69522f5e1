"""Meeting invitations by email with an iCalendar attachment (through the outbox).

- `meeting_plan` records a meeting (cases.services.meeting_record) and invites its
  attendees when it is in the future;
- `meeting_invitations_send` sends (or re-sends) one email per attendee;
- `meeting_reschedule` changes the meeting, raises SEQUENCE and sends the update
  (people removed from the list get a cancellation);
- `meeting_cancel` marks the meeting cancelled and sends METHOD:CANCEL.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory, User
from soutien.cases import services as case_services
from soutien.cases.enums import Audience
from soutien.cases.models import Meeting
from soutien.cases.services import AlreadyDone, CaseError, NotPermitted, record_event
from soutien.core import clock
from soutien.core.outbox import outbox_enqueue
from soutien.documents import policies
from soutien.documents.calendar import build_ics, meeting_recipients
from soutien.documents.notifications import MeetingInvitation
from soutien.documents.pdf import date_fr

MEETINGS = NotificationCategory.MEETINGS
RESCHEDULABLE = ("starts_at", "ends_at", "place", "video_link", "agenda", "external_emails")


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


def _locked(meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("case", "case__centre")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_invitations_send(*, meeting, by, cancel: bool = False) -> int:
    """Envoyer l'invitation (ou l'annulation) à chaque participant. Renvoie le nombre envoyé."""
    meeting = _locked(meeting)
    if cancel:
        if meeting.cancelled_at is None:
            raise CaseError("Annulez d'abord la réunion.")
    elif not policies.can_manage_invitations(by, meeting):
        raise NotPermitted()
    recipients = meeting_recipients(meeting)
    if not recipients:
        raise CaseError("Ajoutez au moins un participant avant d'envoyer l'invitation.")
    sent = _send(meeting, recipients, cancel=cancel, update=meeting.sequence > 0)
    if not cancel:
        record_event(
            case=meeting.case,
            kind="meeting_invitation",
            label=f"Invitations envoyées : {meeting.get_kind_display().lower()} "
            f"du {date_fr(meeting.starts_at)}",
            by=by,
            audience=case_services.MEETING_AUDIENCE.get(
                meeting.kind, Audience.MANAGER_AND_PROVIDER
            ),
        )
    return sent


@transaction.atomic
def meeting_plan(*, case, by, kind: str, attendees=(), invite: bool = True, **fields) -> Meeting:
    """Planifier une réunion (services.meeting_record) et inviter ses participants quand
    elle est à venir."""
    if invite and fields.get("starts_at") and fields["starts_at"] <= clock.now():
        raise CaseError(
            "Une réunion planifiée est à venir : choisissez une date future, ou consignez "
            "une réunion passée.",
            field="starts_at",
        )
    meeting = case_services.meeting_record(
        case=case, by=by, kind=kind, attendees=attendees, **fields
    )
    if invite and meeting.starts_at > clock.now() and meeting_recipients(meeting):
        meeting_invitations_send(meeting=meeting, by=by)
        meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting, by, attendees=None, **changes) -> Meeting:
    """Modifier une réunion (date, lieu, ordre du jour, participants) : la révision de
    l'invitation (SEQUENCE) augmente et chaque participant reçoit la mise à jour."""
    meeting = _locked(meeting)
    if not policies.can_manage_invitations(by, meeting):
        raise NotPermitted()
    unknown = set(changes) - set(RESCHEDULABLE)
    if unknown:
        raise CaseError(f"Champ non modifiable : {', '.join(sorted(unknown))}.")
    before = dict(meeting_recipients(meeting))
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    for name in changed:
        setattr(meeting, name, changes[name])
    if meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise CaseError("La fin doit suivre le début de la réunion.", field="ends_at")
    if attendees is not None:
        old_ids = set(meeting.attendees.values_list("pk", flat=True))
        new_ids = {user.pk for user in attendees}
        if old_ids != new_ids:
            meeting.attendees.set(attendees)
            changed.append("attendees")
    if not changed:
        raise AlreadyDone()
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=[*[c for c in changed if c != "attendees"], "sequence"])
    meeting.refresh_from_db(fields=["sequence"])
    after = meeting_recipients(meeting)
    removed = [(email, name) for email, name in before.items() if email not in dict(after)]
    if removed:
        _send(meeting, removed, cancel=True, update=True)
    if after:
        _send(meeting, after, cancel=False, update=True)
    record_event(
        case=meeting.case,
        kind="meeting_reschedule",
        label=f"Réunion modifiée : {meeting.get_kind_display().lower()} "
        f"du {date_fr(meeting.starts_at)}",
        by=by,
        audience=case_services.MEETING_AUDIENCE.get(meeting.kind, Audience.MANAGER_AND_PROVIDER),
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting, by) -> Meeting:
    """Annuler une réunion : chaque participant reçoit l'annulation (METHOD:CANCEL)."""
    meeting = _locked(meeting)
    if meeting.cancelled_at is not None:
        raise AlreadyDone()
    if not policies.can_manage_invitations(by, meeting):
        raise NotPermitted()
    meeting.cancelled_at = clock.now()
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["cancelled_at", "sequence"])
    meeting.refresh_from_db(fields=["sequence"])
    recipients = meeting_recipients(meeting)
    if recipients:
        _send(meeting, recipients, cancel=True, update=True)
    record_event(
        case=meeting.case,
        kind="meeting_cancel",
        label=f"Réunion annulée : {meeting.get_kind_display().lower()} "
        f"du {date_fr(meeting.starts_at)}",
        by=by,
        audience=case_services.MEETING_AUDIENCE.get(meeting.kind, Audience.MANAGER_AND_PROVIDER),
    )
    return meeting
