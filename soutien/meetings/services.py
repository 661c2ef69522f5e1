"""Meeting writes: record, plan (with invitations), send, reschedule, cancel; date polls.

- `meeting_record` records a meeting (one that took place, or the meeting row of a plan);
- `meeting_plan` records a meeting and invites its attendees when it is in the future;
- `meeting_invitations_send` sends (or re-sends) one email per attendee;
- `meeting_reschedule` changes the meeting, raises SEQUENCE and sends the update
  (people removed from the list get a cancellation);
- `meeting_cancel` marks the meeting cancelled and sends METHOD:CANCEL;
- `poll_propose`, `poll_answer`, `poll_pick`: the date poll of a meeting with partners.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import EventKind
from soutien.cases.models import Case, Meeting
from soutien.cases.services import AlreadyDone, CaseError, NotPermitted, record_event
from soutien.core import clock
from soutien.core.french import date_fr
from soutien.meetings import policies
from soutien.meetings.calendar import external_addresses, meeting_recipients
from soutien.meetings.invitations import _send
from soutien.meetings.models import Answer, DatePoll, DatePollAnswer, DatePollSlot
from soutien.meetings.notifications import MeetingPoll

RESCHEDULABLE = ("starts_at", "ends_at", "place", "video_link", "agenda", "external_emails")


def _lock_case(case: Case) -> Case:
    """Hold the case's row lock, keeping the caller's object (and its cached relations)."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    for name in ("stage", "consultant_id", "provider_id", "anonymised_at"):
        setattr(case, name, getattr(fresh, name))
    if hasattr(case, "_concerned_partner_ids"):
        delattr(case, "_concerned_partner_ids")
    return case


def _check_meeting_times(fields: dict) -> None:
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at is None:
        raise CaseError("Indiquez la date et l'heure de la réunion.", field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise CaseError("La fin doit suivre le début de la réunion.", field="ends_at")


@transaction.atomic
def meeting_record(*, case: Case, by, kind: str, attendees=(), **fields) -> Meeting:
    """Record a meeting (referral, interview, partner meeting, session)."""
    _lock_case(case)
    if not policies.MEETING_POLICIES[kind](by, case):
        raise NotPermitted()
    _check_meeting_times(fields)
    meeting = Meeting.objects.create(case=case, kind=kind, created_by=by, **fields)
    meeting.attendees.set(attendees)
    record_event(
        case=case,
        kind=EventKind.meeting(kind),
        label=f"{meeting.get_kind_display()} du {timezone.localtime(meeting.starts_at):%d/%m/%Y}",
        by=by,
        audience=policies.meeting_audience(kind),
    )
    return meeting


def _locked(meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("case", "case__centre")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_invitations_send(*, meeting, by, cancel: bool = False) -> int:
    """Send the invitation (or the cancellation) to each participant. Return the number sent."""
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
            kind=EventKind.MEETING_INVITATION,
            label=f"Invitations envoyées : {meeting.get_kind_display().lower()} "
            f"du {date_fr(meeting.starts_at)}",
            by=by,
            audience=policies.meeting_audience(meeting.kind),
        )
    return sent


@transaction.atomic
def meeting_plan(*, case, by, kind: str, attendees=(), invite: bool = True, **fields) -> Meeting:
    """Plan a meeting (meeting_record) and invite its participants when it is still to
    come."""
    if invite and fields.get("starts_at") and fields["starts_at"] <= clock.now():
        raise CaseError(
            "Une réunion planifiée est à venir : choisissez une date future, ou consignez "
            "une réunion passée.",
            field="starts_at",
        )
    meeting = meeting_record(case=case, by=by, kind=kind, attendees=attendees, **fields)
    if invite and meeting.starts_at > clock.now() and meeting_recipients(meeting):
        meeting_invitations_send(meeting=meeting, by=by)
        meeting.refresh_from_db()
    return meeting


@transaction.atomic
def meeting_reschedule(*, meeting, by, attendees=None, **changes) -> Meeting:
    """Change a meeting (date, place, agenda, participants): the invitation's revision
    (SEQUENCE) goes up and each participant receives the update."""
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
        kind=EventKind.MEETING_RESCHEDULE,
        label=f"Réunion modifiée : {meeting.get_kind_display().lower()} "
        f"du {date_fr(meeting.starts_at)}",
        by=by,
        audience=policies.meeting_audience(meeting.kind),
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting, by) -> Meeting:
    """Cancel a meeting: each participant receives the cancellation (METHOD:CANCEL)."""
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
        kind=EventKind.MEETING_CANCEL,
        label=f"Réunion annulée : {meeting.get_kind_display().lower()} "
        f"du {date_fr(meeting.starts_at)}",
        by=by,
        audience=policies.meeting_audience(meeting.kind),
    )
    return meeting


# --- Date polls ----------------------------------------------------------------------

POLL_MIN_SLOTS, POLL_MAX_SLOTS = 2, 6
POLL_LINK_SALT = "soutien.meetings.poll-answer"
# The signed answer link works for three weeks: long enough to answer, short enough that
# an old email forwarded later opens nothing.
POLL_LINK_MAX_AGE = dt.timedelta(days=21)


class InvalidPollLink(Exception):
    """The answer link was altered, has expired, or no longer names an invitee."""


def poll_invitees(poll) -> list[tuple[str, str]]:
    """(address, display name) of each person asked: platform users, then external
    guests, each once."""
    seen: dict[str, str] = {}
    # Sorted here, not by the database: the case page prefetches the attendees.
    for user in sorted(poll.attendees.all(), key=lambda person: person.pk):
        if user.email and user.is_active:
            seen.setdefault(user.email.strip().lower(), user.get_full_name() or user.email)
    for address in external_addresses(poll.external_emails):
        seen.setdefault(address, "")
    return list(seen.items())


def poll_answer_token(poll, email: str) -> str:
    """The signed link's token: one poll, one invitee's address."""
    return signing.dumps(
        {"p": poll.pk, "e": email.strip().lower()}, salt=POLL_LINK_SALT, compress=True
    )


def poll_answer_url(poll, email: str) -> str:
    path = reverse("meetings:poll_answer_link", args=[poll_answer_token(poll, email)])
    return settings.SITE_URL.rstrip("/") + path


def read_poll_answer_token(token: str) -> tuple[DatePoll, str]:
    """The poll and the invitee a link names; InvalidPollLink when it was altered, has
    expired, or the address is no longer among the invitees."""
    try:
        data = signing.loads(token, salt=POLL_LINK_SALT, max_age=POLL_LINK_MAX_AGE)
        poll = DatePoll.objects.select_related("case", "case__centre").get(pk=int(data["p"]))
        email = str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, DatePoll.DoesNotExist):
        raise InvalidPollLink() from None
    if email not in dict(poll_invitees(poll)) or poll.case.anonymised_at is not None:
        raise InvalidPollLink()
    return poll, email


def _clean_slots(slots) -> list[tuple[dt.datetime, dt.datetime | None]]:
    cleaned = []
    for starts_at, ends_at in slots:
        if starts_at is None:
            continue
        if starts_at <= clock.now():
            raise CaseError(
                f"Le créneau du {date_fr(starts_at, with_time=True)} est passé : proposez "
                "des dates à venir.",
                field="slots",
            )
        if ends_at is not None and ends_at <= starts_at:
            raise CaseError(
                f"La fin du créneau du {date_fr(starts_at, with_time=True)} doit suivre son début.",
                field="slots",
            )
        if any(starts_at == other for other, _ in cleaned):
            raise CaseError(
                f"Le créneau du {date_fr(starts_at, with_time=True)} est proposé deux fois.",
                field="slots",
            )
        cleaned.append((starts_at, ends_at))
    if len(cleaned) < POLL_MIN_SLOTS:
        raise CaseError(
            f"Proposez au moins {POLL_MIN_SLOTS} créneaux, pour que chacun puisse choisir.",
            field="slots",
        )
    if len(cleaned) > POLL_MAX_SLOTS:
        raise CaseError(f"Proposez {POLL_MAX_SLOTS} créneaux au plus.", field="slots")
    return sorted(cleaned, key=lambda slot: slot[0])


def _send_poll(poll, invitees) -> int:
    """Each invitee gets the poll with their own signed answer link."""
    slots = list(poll.slots.all())
    sent = 0
    for email, _name in invitees:
        sent += len(
            MeetingPoll(
                poll=poll,
                slots=slots,
                answer_url=poll_answer_url(poll, email),
                valid_days=POLL_LINK_MAX_AGE.days,
            ).send(to=[email])
        )
    return sent


@transaction.atomic
def poll_propose(
    *, case: Case, by, kind: str, slots, attendees=(), external_emails: str = "", **fields
) -> DatePoll:
    """Propose 2 to 6 slots for a meeting with the partners (the coordination for the referral
    and the partner meeting, the consultant for the restitution): each invited person
    receives a link to answer."""
    _lock_case(case)
    if not policies.can_propose_poll(by, case, kind):
        raise NotPermitted()
    cleaned = _clean_slots(slots)
    poll = DatePoll.objects.create(
        case=case, kind=kind, created_by=by, external_emails=external_emails, **fields
    )
    poll.attendees.set(attendees)
    invitees = poll_invitees(poll)
    if not invitees:
        raise CaseError("Invitez au moins une personne à répondre au sondage.", field="attendees")
    DatePollSlot.objects.bulk_create(
        DatePollSlot(poll=poll, starts_at=starts_at, ends_at=ends_at)
        for starts_at, ends_at in cleaned
    )
    _send_poll(poll, invitees)
    record_event(
        case=case,
        kind=EventKind.MEETING_POLL,
        label=f"Sondage de dates proposé : {poll.get_kind_display().lower()}",
        by=by,
        audience=policies.meeting_audience(kind),
    )
    return poll


def _locked_poll(poll) -> DatePoll:
    return DatePoll.objects.select_for_update().select_related("case").get(pk=poll.pk)


@transaction.atomic
def poll_answer(*, poll, answers: dict, by=None, email: str = "") -> list[DatePollAnswer]:
    """Answer the poll for oneself: yes, if need be, or no to each slot. An invited person
    answers from the case (`by`) or through the signed link of their email (`email`,
    already checked); a new answer replaces the previous one."""
    poll = _locked_poll(poll)
    if by is not None:
        if not policies.can_answer_poll(by, poll):
            raise NotPermitted()
        email = by.email.strip().lower()
    elif not email or email not in dict(poll_invitees(poll)):
        raise NotPermitted()
    if not poll.is_open:
        raise CaseError("Le créneau est déjà retenu : le sondage est clos.")
    slots = {slot.pk: slot for slot in poll.slots.all()}
    missing = [pk for pk in slots if answers.get(pk) not in Answer.values]
    if missing:
        raise CaseError(
            "Répondez pour chaque créneau : oui, si besoin ou non.",
            errors={f"slot_{pk}": "Choisissez une réponse." for pk in missing},
        )
    user = by
    if user is None:
        user = next(
            (person for person in poll.attendees.all() if person.email.lower() == email), None
        )
    now = clock.now()
    saved = []
    for pk, slot in slots.items():
        answer, _ = DatePollAnswer.objects.update_or_create(
            slot=slot,
            email=email,
            defaults={"poll": poll, "user": user, "answer": answers[pk], "answered_at": now},
        )
        saved.append(answer)
    record_event(
        case=poll.case,
        kind=EventKind.MEETING_POLL_ANSWER,
        label=f"Réponse au sondage de dates : {poll.get_kind_display().lower()}",
        by=user,
        audience=policies.meeting_audience(poll.kind),
    )
    return saved


@transaction.atomic
def poll_pick(*, poll, slot, by) -> Meeting:
    """Pick a slot: the meeting is planned at that date with the people invited to the poll,
    who receive the invitation (.ics); the poll is closed."""
    poll = _locked_poll(poll)
    if not poll.is_open:
        raise AlreadyDone()
    if not policies.can_pick_poll_slot(by, poll):
        raise NotPermitted()
    if slot.poll_id != poll.pk:
        raise CaseError("Ce créneau n'appartient pas à ce sondage.")
    meeting = meeting_plan(
        case=poll.case,
        by=by,
        kind=poll.kind,
        attendees=list(poll.attendees.all()),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        place=poll.place,
        video_link=poll.video_link,
        agenda=poll.agenda,
        external_emails=poll.external_emails,
    )
    poll.meeting = meeting
    poll.picked_at = clock.now()
    poll.save(update_fields=["meeting", "picked_at"])
    return meeting
