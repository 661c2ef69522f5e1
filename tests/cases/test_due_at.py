"""The stored due date of the current step (Case.due_at, issue #15 point 1): kept by the
services at every move and when the coordinator changes a target duration, equal to the
rule of soutien.cases.deadlines, and read by the list's « en retard » and its order.

The case is walked through the real services with the clock set at hand-written dates;
the default target durations (preventive request) are 30 days for the referral, 45 for
the diagnostic report, 15 for its validation and 30 for the restitution.
"""

import datetime as dt

import pytest

from soutien.cases import services
from soutien.cases.deadlines import deadline_expression, refresh_due_at
from soutien.cases.enums import DecisionOutcome, OpinionValue, Situation, Stage
from soutien.cases.models import Case, TargetDuration
from soutien.cases.selectors import case_list, overdue
from soutien.core import clock
from tests.builders import case_at, fill_form, make_cast

pytestmark = pytest.mark.django_db


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


def stored(case) -> dt.datetime | None:
    return Case.objects.values_list("due_at", flat=True).get(pk=case.pk)


def computed(case) -> dt.datetime | None:
    """The rule as the database computes it from the dates (the former list's column)."""
    expression = deadline_expression(TargetDuration.as_table())
    return Case.objects.annotate(rule=expression).values_list("rule", flat=True).get(pk=case.pk)


def test_due_at_follows_every_stage_of_a_case(reference):
    cast = make_cast()
    seen = {}
    with clock.frozen_at(at(3, 1)):
        case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
        fill_form(case, cast.board_member)
    seen[Stage.DRAFT] = stored(case)
    with clock.frozen_at(at(3, 2)):
        services.case_submit(case=case, by=cast.board_member)
    seen[Stage.SUBMITTED] = stored(case)
    assert computed(case) == seen[Stage.SUBMITTED]
    with clock.frozen_at(at(3, 5)):
        services.case_open_referral(case=case, by=cast.coordinator)
    seen[Stage.REFERRAL] = stored(case)
    assert computed(case) == seen[Stage.REFERRAL]
    with clock.frozen_at(at(3, 20)):
        services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE)
        services.case_decide(
            case=case,
            by=cast.coordinator,
            outcome=DecisionOutcome.VALIDATED,
            justification="Décidé en comité des financeurs.",
        )
        services.consultant_assign(case=case, by=cast.consultant, consultant=cast.consultant)
    seen[Stage.DIAGNOSTIC] = stored(case)
    assert computed(case) == seen[Stage.DIAGNOSTIC]
    with clock.frozen_at(at(4, 10)):
        services.report_save(
            case=case,
            by=cast.consultant,
            context="Trois entretiens.",
            analysis="Une seule subvention.",
            recommendations="Diversifier les financements.",
            summary="Tendue mais maîtrisable.",
        )
        services.report_submit(case=case, by=cast.consultant)
    seen[Stage.REPORT_REVIEW] = stored(case)
    assert computed(case) == seen[Stage.REPORT_REVIEW]
    with clock.frozen_at(at(4, 15)):
        services.report_validate(case=case, by=cast.board_member)
    seen[Stage.RESTITUTION] = stored(case)
    assert computed(case) == seen[Stage.RESTITUTION]
    with clock.frozen_at(at(4, 30)):
        services.restitution_record(
            case=case,
            by=cast.consultant,
            starts_at=at(4, 29),
            place="Centre social",
            attendees_text="La présidente, le directeur",
            summary="Le diagnostic a été présenté.",
        )
    seen[Stage.SUPPORT] = stored(case)
    assert seen == {
        Stage.DRAFT: None,
        Stage.SUBMITTED: at(4, 1),  # submitted 2 March + 30 days
        Stage.REFERRAL: at(4, 1),  # the referral's clock started at the submission
        Stage.DIAGNOSTIC: at(5, 4),  # decided 20 March + 45 days
        Stage.REPORT_REVIEW: at(4, 25),  # report sent 10 April + 15 days
        Stage.RESTITUTION: at(5, 15),  # validated 15 April + 30 days
        Stage.SUPPORT: None,  # no clock runs during the support
    }


def test_a_refused_or_returned_case_has_no_due_date(reference):
    refused, _ = case_at(Stage.REFUSED)
    returned, _ = case_at(Stage.RETURNED)
    assert stored(refused) is None
    assert stored(returned) is None


def test_changing_a_target_duration_moves_the_stored_due_dates(reference):
    cast = make_cast()
    with clock.frozen_at(at(3, 2)):
        crisis = services.case_create_draft(centre=cast.centre, by=cast.board_member)
        fill_form(crisis, cast.board_member)
        # A crisis (the draft has no due date yet: the submission computes it).
        Case.objects.filter(pk=crisis.pk).update(situation=Situation.CRISIS)
        crisis.refresh_from_db()
        services.case_submit(case=crisis, by=cast.board_member)
    closed, _ = case_at(Stage.CLOSED, cast)
    assert stored(crisis) == at(3, 17)  # a crisis: 15 days
    table = TargetDuration.as_table()
    table[Situation.CRISIS]["referral"] = 20
    services.target_durations_set(by=cast.coordinator, values=table)
    assert stored(crisis) == at(3, 22)
    assert stored(closed) is None


def test_the_list_reads_the_stored_due_date(reference):
    cast = make_cast()
    with clock.frozen_at(at(3, 2)):
        late, _ = case_at(Stage.REFERRAL, cast)
    with clock.frozen_at(at(3, 20)):
        soon, _ = case_at(Stage.SUBMITTED, cast)
    with clock.frozen_at(at(3, 25)):
        later, _ = case_at(Stage.SUBMITTED, cast)
        support, _ = case_at(Stage.SUPPORT, cast)
    with clock.frozen_at(at(4, 10)):
        assert set(overdue(Case.objects.all())) == {late}
        listed = list(case_list(cast.coordinator))
        assert listed == [late, soon, later, support]
        assert [c.is_overdue for c in listed] == [True, False, False, False]
        assert list(case_list(cast.coordinator, filters={"overdue": True})) == [late]
        # A date changed behind the services is taken into account once refreshed.
        Case.objects.filter(pk=soon.pk).update(submitted_at=at(3, 1))
        assert list(case_list(cast.coordinator, filters={"overdue": True})) == [late]
        refresh_due_at(Case.objects.filter(pk=soon.pk))
        assert list(case_list(cast.coordinator, filters={"overdue": True})) == [soon, late]


def test_the_data_migration_fills_the_due_date_of_existing_cases(reference):
    """The migration's function, run on cases whose column is still empty (as before it
    existed), stores what the services store, with the coordinator's durations."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("soutien.cases.migrations.0009_case_due_at")
    cast = make_cast()
    with clock.frozen_at(at(3, 2)):
        referral, _ = case_at(Stage.REFERRAL, cast)
        draft, _ = case_at(Stage.DRAFT, cast)
    with clock.frozen_at(at(3, 20)):
        diagnostic, _ = case_at(Stage.DIAGNOSTIC, cast)
    TargetDuration.objects.create(step="report", situation=Situation.PREVENTIVE, days=60)
    Case.objects.update(due_at=None)
    migration.fill_due_at(apps, None)
    assert stored(referral) == at(4, 1)
    assert stored(diagnostic) == at(5, 19)  # decided 20 March + 60 days
    assert stored(draft) is None
