"""The case page reads every meeting and open date poll of a case, their invited
people, the polls' slots and answers in four queries whatever their number
(meetings.selectors._meetings_and_polls), and gives each of them exactly its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soutien.cases.enums import MeetingKind, Stage
from soutien.meetings import selectors
from soutien.meetings import services as meeting_services
from soutien.meetings.models import Answer
from soutien.selfcheck.defaults import load_selfcheck_defaults
from tests.builders import case_at, make_cast
from tests.perf.casepage_data import full_case, later

pytestmark = pytest.mark.django_db


def test_meetings_and_polls_come_with_their_own_people_slots_and_answers(reference):
    load_selfcheck_defaults()
    cast = make_cast()
    case = full_case(Stage.SUPPORT, cast)
    second = meeting_services.poll_propose(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.PARTNER_MEETING,
        slots=[(later(20), None), (later(21), None), (later(22), None)],
        attendees=[cast.partner_commune, cast.board_member],
    )
    slots = list(second.slots.order_by("starts_at"))
    meeting_services.poll_answer(
        poll=second,
        by=cast.partner_commune,
        answers={slots[0].pk: Answer.YES, slots[1].pk: Answer.NO, slots[2].pk: Answer.IF_NEEDED},
    )
    case.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        meetings = selectors.meetings_visible(cast.coordinator, case)
        polls = selectors.polls_visible(cast.coordinator, case)
        shown = {
            "meetings": [
                sorted(person.email for person in meeting.attendees.all()) for meeting in meetings
            ],
            "polls": [
                (
                    sorted(person.email for person in poll.attendees.all()),
                    [slot.starts_at for slot in poll.slots.all()],
                    sorted((a.email, a.slot_id, a.answer) for a in poll.answers.all()),
                )
                for poll in polls
            ],
        }
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 4

    # The meeting planned by full_case comes last (the earlier ones come with case_at).
    assert shown["meetings"][-1] == sorted([cast.partner_state.email, cast.board_member.email])
    assert shown["meetings"] == [
        sorted(person.email for person in meeting.attendees.order_by("pk"))
        for meeting in case.meetings.order_by("starts_at", "pk")
    ]
    first_poll, second_poll = shown["polls"]
    assert first_poll[0] == sorted([cast.partner_state.email, cast.partner_commune.email])
    assert len(first_poll[1]) == 2
    assert first_poll[2] == []
    assert second_poll[0] == sorted([cast.partner_commune.email, cast.board_member.email])
    assert second_poll[1] == [slot.starts_at for slot in slots]
    email = cast.partner_commune.email.lower()
    assert second_poll[2] == sorted(
        [
            (email, slots[0].pk, Answer.YES),
            (email, slots[1].pk, Answer.NO),
            (email, slots[2].pk, Answer.IF_NEEDED),
        ]
    )


def test_a_case_without_meeting_nor_poll_costs_two_queries(reference):
    cast = make_cast()
    case, _ = case_at(Stage.DIAGNOSTIC, cast)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.meetings_visible(cast.coordinator, case) == []
        assert selectors.polls_visible(cast.coordinator, case) == []
    assert len([q for q in queries if "SAVEPOINT" not in q["sql"]]) == 2
