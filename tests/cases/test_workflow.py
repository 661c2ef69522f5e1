"""Every transition, allowed and forbidden, through the services that perform them.

The expected stages are written here, not read from workflow.py: if the table
changes by mistake, these tests fail.
"""

import pytest

from soutien.cases import services
from soutien.cases.enums import ClosureOutcome, DecisionOutcome, Stage
from soutien.cases.models import CaseEvent
from soutien.cases.workflow import TRANSITIONS, mermaid
from tests.builders import case_at, fill_form

pytestmark = pytest.mark.django_db

ALL_STAGES = list(Stage)

# transition → (stages it may start from, stage it leads to)
EXPECTED = {
    "submit": ({Stage.DRAFT, Stage.RETURNED}, Stage.SUBMITTED),
    "return_for_completion": ({Stage.SUBMITTED}, Stage.RETURNED),
    "open_referral": ({Stage.SUBMITTED}, Stage.REFERRAL),
    "withdraw": ({Stage.SUBMITTED, Stage.RETURNED, Stage.REFERRAL}, Stage.CLOSED_WITHOUT_FOLLOW_UP),
    "validate": ({Stage.REFERRAL}, Stage.DIAGNOSTIC),
    "refuse": ({Stage.REFERRAL}, Stage.REFUSED),
    "close_without_follow_up": ({Stage.SUBMITTED, Stage.REFERRAL}, Stage.CLOSED_WITHOUT_FOLLOW_UP),
    "submit_report": ({Stage.DIAGNOSTIC}, Stage.REPORT_REVIEW),
    "request_changes": ({Stage.REPORT_REVIEW}, Stage.DIAGNOSTIC),
    "validate_report": ({Stage.REPORT_REVIEW}, Stage.RESTITUTION),
    "record_restitution": ({Stage.RESTITUTION}, Stage.SUPPORT),
    "close": ({Stage.RESTITUTION, Stage.SUPPORT}, Stage.CLOSED),
}


def test_the_table_is_the_one_we_expect():
    assert {name: (set(t.sources), t.target) for name, t in TRANSITIONS.items()} == EXPECTED
    diagram = mermaid()
    assert "report_review --> restitution: Valider le rapport" in diagram


def perform(name, case, cast):
    """Call the service behind a transition, as the person entitled to it."""
    if name == "submit":
        if case.stage in (Stage.DRAFT, Stage.RETURNED):
            fill_form(case, cast.board_member)
        return services.case_submit(case=case, by=cast.board_member)
    if name == "return_for_completion":
        return services.case_return_for_completion(
            case=case, by=cast.coordinator, message="Joignez le dernier bilan."
        )
    if name == "open_referral":
        return services.case_open_referral(case=case, by=cast.coordinator)
    if name == "withdraw":
        return services.case_withdraw(case=case, by=cast.board_member, reason="Résolu.")
    if name in ("validate", "refuse", "close_without_follow_up"):
        outcome = {
            "validate": DecisionOutcome.VALIDATED,
            "refuse": DecisionOutcome.REFUSED,
            "close_without_follow_up": DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP,
        }[name]
        return services.case_decide(
            case=case,
            by=cast.coordinator,
            outcome=outcome,
            grounds="Motifs écrits.",
            justification="Décidé en comité.",
        )
    if name == "submit_report":
        if case.stage == Stage.DIAGNOSTIC:
            services.report_save(
                case=case, by=cast.consultant, analysis="Analyse.", recommendations="Pistes."
            )
        return services.report_submit(case=case, by=cast.consultant)
    if name == "request_changes":
        return services.report_request_changes(
            case=case, by=cast.board_member, comment="Nuancer la partie RH."
        )
    if name == "validate_report":
        return services.report_validate(case=case, by=cast.board_member)
    if name == "record_restitution":
        from django.utils import timezone

        return services.restitution_record(
            case=case, by=cast.consultant, starts_at=timezone.now(), summary="Présenté."
        )
    if name == "close":
        return services.case_close(
            case=case, by=cast.coordinator, outcome=ClosureOutcome.STABILISED
        )
    raise AssertionError(name)


ALLOWED = [(name, stage) for name, (sources, _) in EXPECTED.items() for stage in sorted(sources)]
FORBIDDEN = [
    (name, stage)
    for name, (sources, target) in EXPECTED.items()
    for stage in ALL_STAGES
    if stage not in sources and stage != target
]


@pytest.mark.parametrize(("name", "stage"), ALLOWED, ids=lambda v: str(v))
def test_allowed_transition_moves_the_case_and_records_an_event(reference, name, stage):
    case, cast = case_at(stage)
    before = CaseEvent.objects.filter(case=case).count()
    perform(name, case, cast)
    case.refresh_from_db()
    assert case.stage == EXPECTED[name][1]
    event = CaseEvent.objects.filter(case=case, kind=name).latest("pk")
    assert (event.from_stage, event.to_stage) == (stage, EXPECTED[name][1])
    assert event.actor is not None
    assert CaseEvent.objects.filter(case=case).count() > before


@pytest.mark.parametrize(("name", "stage"), FORBIDDEN, ids=lambda v: str(v))
def test_forbidden_transition_changes_nothing(reference, name, stage):
    case, cast = case_at(stage)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(services.CaseError):
        perform(name, case, cast)
    case.refresh_from_db()
    assert case.stage == stage
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.parametrize("name", list(EXPECTED))
def test_posting_a_transition_twice_changes_state_once(reference, name):
    """The second post answers « Action déjà effectuée » and changes nothing."""
    source = sorted(EXPECTED[name][0])[0]
    case, cast = case_at(source)
    perform(name, case, cast)
    case.refresh_from_db()
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(services.AlreadyDone, match="Action déjà effectuée"):
        perform(name, case, cast)
    case.refresh_from_db()
    assert case.stage == EXPECTED[name][1]
    assert CaseEvent.objects.filter(case=case).count() == events
