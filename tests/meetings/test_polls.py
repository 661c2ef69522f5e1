"""Date polls: the organiser proposes 2 to 6 slots, each invitee answers yes / if needed /
no (from the case or a signed link), the organiser picks one, which plans the meeting and
sends the invitations with their .ics."""

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from soutien.cases.enums import MeetingKind, Stage
from soutien.cases.services import AlreadyDone, CaseError, NotPermitted
from soutien.core.models import OutboxEmail
from soutien.meetings import policies
from soutien.meetings import services as meeting_services
from soutien.meetings.models import DatePollAnswer
from tests.builders import case_at

pytestmark = pytest.mark.django_db

GUEST = "invitee@exterieur.test"


def _in(days: int, hour: int = 10) -> dt.datetime:
    moment = timezone.localtime() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _propose(case, by, kind=MeetingKind.REFERRAL, attendees=(), slots=None, **extra):
    return meeting_services.poll_propose(
        case=case,
        by=by,
        kind=kind,
        slots=slots or [(_in(8), _in(8, 12)), (_in(9), None), (_in(10), None)],
        attendees=attendees,
        place="Caf, salle 3",
        **extra,
    )


def _referral_poll(reference):
    case, cast = case_at(Stage.REFERRAL)
    poll = _propose(
        case,
        cast.coordinator,
        attendees=[cast.partner_state, cast.partner_commune],
        external_emails=GUEST,
    )
    return case, cast, poll


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([(_in(8), None)], "Proposez au moins 2 créneaux"),
        ([(_in(day), None) for day in range(8, 15)], "Proposez 6 créneaux au plus."),
        ([(_in(8), None), (_in(-1), None)], "est passé : proposez des dates à venir"),
        ([(_in(8), None), (_in(8), None)], "est proposé deux fois"),
        ([(_in(8), _in(8, 9)), (_in(9, 12), _in(9, 11))], "doit suivre son début"),
    ],
)
def test_the_slots_are_checked_with_a_french_message(reference, slots, message):
    case, cast = case_at(Stage.REFERRAL)
    with pytest.raises(CaseError) as refused:
        _propose(case, cast.coordinator, attendees=[cast.partner_state], slots=slots)
    assert message in refused.value.message
    assert refused.value.field == "slots"
    assert not case.date_polls.exists()


def test_a_poll_asks_someone(reference):
    case, cast = case_at(Stage.REFERRAL)
    with pytest.raises(CaseError) as refused:
        _propose(case, cast.coordinator)
    assert refused.value.message == "Invitez au moins une personne à répondre au sondage."
    assert not case.date_polls.exists()


@pytest.mark.parametrize(
    ("stage", "kind", "role", "allowed"),
    [
        (Stage.REFERRAL, MeetingKind.REFERRAL, "coordinator", True),
        (Stage.REFERRAL, MeetingKind.REFERRAL, "partner_state", False),
        (Stage.REFERRAL, MeetingKind.REFERRAL, "board_member", False),
        (Stage.RESTITUTION, MeetingKind.PARTNER_MEETING, "coordinator", True),
        (Stage.RESTITUTION, MeetingKind.PARTNER_MEETING, "consultant", False),
        (Stage.RESTITUTION, MeetingKind.RESTITUTION, "consultant", True),
        (Stage.RESTITUTION, MeetingKind.RESTITUTION, "coordinator", False),
        (Stage.DIAGNOSTIC, MeetingKind.INTERVIEW, "consultant", False),  # not with partners
        (Stage.DIAGNOSTIC, MeetingKind.REFERRAL, "coordinator", False),  # referral is over
    ],
)
def test_who_proposes_a_poll(reference, stage, kind, role, allowed):
    case, cast = case_at(stage)
    user = getattr(cast, role)
    assert policies.can_propose_poll(user, case, kind) is allowed
    if allowed:
        assert _propose(case, user, kind=kind, attendees=[cast.board_member]).pk
    else:
        with pytest.raises(NotPermitted):
            _propose(case, user, kind=kind, attendees=[cast.board_member])


def test_each_invitee_gets_a_personal_link_by_email(reference):
    case, cast, poll = _referral_poll(reference)
    emails = {email.to: email for email in OutboxEmail.objects.filter(subject__contains="dates")}
    assert set(emails) == {
        cast.partner_state.email.lower(),
        cast.partner_commune.email.lower(),
        GUEST,
    }
    body = emails[GUEST].body
    assert "Quelles dates vous conviennent ?" in emails[GUEST].subject
    assert meeting_services.poll_answer_url(poll, GUEST) in body
    assert meeting_services.poll_answer_url(poll, cast.partner_state.email) not in body
    assert "valable 21 jours" in body
    assert emails[GUEST].erase_after_sending  # the link answers for its owner: not kept


def test_answers_are_stored_per_slot_and_a_new_answer_replaces_the_old(reference):
    case, cast, poll = _referral_poll(reference)
    first, second, third = poll.slots.all()
    meeting_services.poll_answer(
        poll=poll,
        answers={first.pk: "yes", second.pk: "if_needed", third.pk: "no"},
        by=cast.partner_state,
    )
    meeting_services.poll_answer(
        poll=poll,
        answers={first.pk: "no", second.pk: "yes", third.pk: "no"},
        by=cast.partner_state,
    )
    stored = dict(
        DatePollAnswer.objects.filter(user=cast.partner_state).values_list("slot_id", "answer")
    )
    assert stored == {first.pk: "no", second.pk: "yes", third.pk: "no"}
    assert case.events.filter(kind="meeting_poll_answer").count() == 2


def test_every_slot_needs_an_answer(reference):
    case, cast, poll = _referral_poll(reference)
    first, second, third = poll.slots.all()
    with pytest.raises(CaseError) as refused:
        meeting_services.poll_answer(poll=poll, answers={first.pk: "yes"}, by=cast.partner_state)
    assert refused.value.errors == {
        f"slot_{second.pk}": "Choisissez une réponse.",
        f"slot_{third.pk}": "Choisissez une réponse.",
    }
    assert not DatePollAnswer.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "board_member", "partner_other_commune"])
def test_only_an_invitee_answers(reference, role):
    case, cast, poll = _referral_poll(reference)
    answers = {slot.pk: "yes" for slot in poll.slots.all()}
    with pytest.raises(NotPermitted):
        meeting_services.poll_answer(poll=poll, answers=answers, by=getattr(cast, role))
    assert not DatePollAnswer.objects.exists()


def test_the_signed_link_names_one_poll_and_one_invitee(reference):
    case, cast, poll = _referral_poll(reference)
    token = meeting_services.poll_answer_token(poll, "Invitee@Exterieur.test")
    assert meeting_services.read_poll_answer_token(token) == (poll, GUEST)
    # Answering through it records the answers of that person only.
    answers = {slot.pk: "if_needed" for slot in poll.slots.all()}
    meeting_services.poll_answer(poll=poll, answers=answers, email=GUEST)
    assert set(DatePollAnswer.objects.values_list("email", "answer")) == {(GUEST, "if_needed")}


def test_an_altered_link_opens_nothing(reference):
    case, cast, poll = _referral_poll(reference)
    token = meeting_services.poll_answer_token(poll, GUEST)
    forged = signing.dumps({"p": poll.pk, "e": "intrus@ailleurs.test"}, salt="autre-sel")
    for bad in (token[:-2] + "xx", forged, "jeton-inconnu"):
        with pytest.raises(meeting_services.InvalidPollLink):
            meeting_services.read_poll_answer_token(bad)


def test_a_link_expires_after_three_weeks(reference, monkeypatch):
    case, cast, poll = _referral_poll(reference)
    token = meeting_services.poll_answer_token(poll, GUEST)
    signed_at = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: signed_at + 20 * 86400)
    assert meeting_services.read_poll_answer_token(token) == (poll, GUEST)
    monkeypatch.setattr(signing.time, "time", lambda: signed_at + 22 * 86400)
    with pytest.raises(meeting_services.InvalidPollLink):
        meeting_services.read_poll_answer_token(token)


def test_a_link_for_someone_no_longer_invited_or_for_another_poll_opens_nothing(reference):
    case, cast, poll = _referral_poll(reference)
    # A valid signature, but for a person who is not asked in this poll.
    stranger = meeting_services.poll_answer_token(poll, cast.partner_other_commune.email)
    with pytest.raises(meeting_services.InvalidPollLink):
        meeting_services.read_poll_answer_token(stranger)
    # Removed from the invitees after the email left: the link stops working.
    token = meeting_services.poll_answer_token(poll, cast.partner_commune.email)
    poll.attendees.remove(cast.partner_commune)
    with pytest.raises(meeting_services.InvalidPollLink):
        meeting_services.read_poll_answer_token(token)
    # And the service refuses an address that is not invited, whatever the caller.
    with pytest.raises(NotPermitted):
        meeting_services.poll_answer(
            poll=poll,
            answers={slot.pk: "yes" for slot in poll.slots.all()},
            email=cast.partner_commune.email.lower(),
        )


def test_picking_a_slot_plans_the_meeting_and_sends_the_invitations(
    reference, django_capture_on_commit_callbacks
):
    case, cast, poll = _referral_poll(reference)
    chosen = poll.slots.all()[1]
    OutboxEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        meeting = meeting_services.poll_pick(poll=poll, slot=chosen, by=cast.coordinator)
    assert (meeting.kind, meeting.starts_at, meeting.ends_at) == (
        MeetingKind.REFERRAL,
        chosen.starts_at,
        None,
    )
    assert meeting.place == "Caf, salle 3"
    assert set(meeting.attendees.all()) == {cast.partner_state, cast.partner_commune}
    assert meeting.external_emails == GUEST
    invitations = OutboxEmail.objects.exclude(attachments=[])
    assert sorted(email.to for email in invitations) == sorted(
        [cast.partner_state.email.lower(), cast.partner_commune.email.lower(), GUEST]
    )
    for email in invitations:
        (attachment,) = email.attachments
        assert attachment["mimetype"].startswith("text/calendar; method=REQUEST")
        assert f"reunion-{meeting.pk}@" in attachment["content"]
    poll.refresh_from_db()
    assert poll.meeting == meeting and not poll.is_open
    assert case.events.filter(kind="meeting_invitation").count() == 1


def test_a_picked_poll_is_closed(reference):
    case, cast, poll = _referral_poll(reference)
    slot = poll.slots.first()
    meeting_services.poll_pick(poll=poll, slot=slot, by=cast.coordinator)
    with pytest.raises(AlreadyDone):
        meeting_services.poll_pick(poll=poll, slot=slot, by=cast.coordinator)
    with pytest.raises(NotPermitted):
        meeting_services.poll_answer(
            poll=poll, answers={s.pk: "yes" for s in poll.slots.all()}, by=cast.partner_state
        )
    with pytest.raises(CaseError, match="sondage est clos"):
        meeting_services.poll_answer(
            poll=poll, answers={s.pk: "yes" for s in poll.slots.all()}, email=GUEST
        )
    assert case.meetings.count() == 1


def test_only_the_organiser_or_the_coordination_picks_and_only_a_slot_of_the_poll(reference):
    case, cast, poll = _referral_poll(reference)
    slot = poll.slots.first()
    with pytest.raises(NotPermitted):
        meeting_services.poll_pick(poll=poll, slot=slot, by=cast.partner_state)
    other = _propose(case, cast.coordinator, attendees=[cast.partner_state])
    with pytest.raises(CaseError, match="n'appartient pas à ce sondage"):
        meeting_services.poll_pick(poll=poll, slot=other.slots.first(), by=cast.coordinator)
    assert not case.meetings.exists()


def test_the_consultant_picks_the_restitution_slot(reference):
    case, cast = case_at(Stage.RESTITUTION)
    poll = _propose(
        case, cast.consultant, kind=MeetingKind.RESTITUTION, attendees=[cast.board_member]
    )
    assert not policies.can_pick_poll_slot(cast.coordinator, poll)  # not the coordination's
    meeting = meeting_services.poll_pick(poll=poll, slot=poll.slots.first(), by=cast.consultant)
    assert meeting.kind == MeetingKind.RESTITUTION and meeting.created_by == cast.consultant


@pytest.mark.parametrize(
    ("role", "sees", "answers", "reads_answers"),
    [
        ("coordinator", True, False, True),  # organiser
        ("partner_state", True, True, False),  # invited
        ("partner_commune", True, True, False),  # invited
        ("partner_other_commune", False, False, False),  # not concerned: outside the case
        ("board_member", False, False, False),  # a referral meeting is not the manager's
        ("consultant", False, False, False),
    ],
)
def test_who_sees_answers_and_reads_the_answers_of_a_poll(
    reference, role, sees, answers, reads_answers
):
    case, cast, poll = _referral_poll(reference)
    user = getattr(cast, role)
    poll.case = case
    assert policies.can_view_poll(user, poll) is sees
    assert policies.can_answer_poll(user, poll) is answers
    assert policies.can_view_poll_answers(user, poll) is reads_answers
