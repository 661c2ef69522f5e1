"""The evaluation's facts (soutien.evaluation.facts): what each case contributes, kept up
to date by the case events, and the published grid stored with them.

The facts are checked two ways: a few rows written out by hand from the dataset, and every
case against what the grid counts it in when read straight from the cases (the rules of
soutien.evaluation.grid written out again here, on loaded cases).
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from soutien.cases import services
from soutien.cases.deadlines import due_at
from soutien.cases.enums import (
    DEFAULT_SITUATION,
    FINAL_STAGES,
    PROVIDER_STAGES,
    ClosureOutcome,
    Situation,
    Stage,
)
from soutien.cases.models import LEAD_TIMES, TENTHS_PER_DAY, Case, Satisfaction, TargetDuration
from soutien.directory.models import Domain, OrganisationKind
from soutien.evaluation.facts import refresh_dirty
from soutien.evaluation.grid import ASSOCIATION, FEDERATION, _case_facts
from soutien.evaluation.indicators import compute
from soutien.evaluation.models import CaseFacts, DirtyCase, PublishedGrid
from soutien.evaluation.publication import compute_grid
from tests.builders import case_at
from tests.evaluation.dataset import NOW, day
from tests.evaluation.helpers import texts

pytestmark = pytest.mark.django_db


def measures_read_from_the_cases(now) -> dict[int, tuple]:
    """Each case sent to the Caf: (year, municipality, manager, kind, measures), from the
    cases, their answers and their forms, loaded one by one."""
    table = TargetDuration.as_table()
    targets = table[DEFAULT_SITUATION]
    found = {}
    cases = Case.objects.filter(submitted_at__isnull=False).exclude(stage=Stage.DRAFT)
    for case in cases.select_related("centre__commune", "manager"):
        measures = {"total"}
        if case.situation == Situation.PREVENTIVE:
            measures.add("preventive")
        if case.situation == Situation.CRISIS:
            measures.add("crisis")
        if case.from_selfcheck:
            measures.add("from_selfcheck")
            if case.situation == Situation.PREVENTIVE:
                measures.add("preventive_from_selfcheck")
        if case.stage in PROVIDER_STAGES:
            measures |= {"decided", "validated"}
        if case.stage == Stage.REFUSED:
            measures.add("decided")
        if case.stage == Stage.CLOSED_WITHOUT_FOLLOW_UP:
            measures.add("without_follow_up")
        if case.stage == Stage.CLOSED:
            measures.add("closed")
            if case.closure_outcome:
                measures.add(f"outcome_{case.closure_outcome}")
        for step, (column, *_) in LEAD_TIMES.items():
            tenths = getattr(case, column)
            if tenths is not None:
                measures.add(f"done_{step}")
                if tenths <= targets[str(step)] * TENTHS_PER_DAY:
                    measures.add(f"within_{step}")
        answer = Satisfaction.objects.filter(case=case).first()
        if answer is not None:
            measures.add("answered")
            if answer.would_recommend:
                measures.add("recommend")
        measures |= {f"domain_{pk}" for pk in case.form.domains.values_list("pk", flat=True)}
        if case.stage not in FINAL_STAGES:
            measures.add("in_progress")
        deadline = due_at(case, table)
        if deadline is not None and deadline < now:
            measures.add("overdue")
        if case.stage == Stage.SUPPORT:
            measures.add("support")
        measures |= impact_read_from_the_case(case, cases)
        kind = FEDERATION if case.manager.kind == OrganisationKind.FEDERATION else ASSOCIATION
        municipality = case.centre.commune.parent_id or case.centre.commune_id
        found[case.pk] = (case.submitted_year, municipality, case.manager_id, kind, measures)
    return found


# Best to worst: a follow-up answer is « kept » when it ranks at least as high as the
# closure outcome.
RANKS = [
    ClosureOutcome.CENTRE_CLOSED,
    ClosureOutcome.DETERIORATED,
    ClosureOutcome.STABILISED,
    ClosureOutcome.IMPROVED,
]


def impact_read_from_the_case(case, cases) -> set[str]:
    """The impact measures of a case, from its actions, follow-ups and its centre's
    other requests, loaded one by one."""
    measures = set()
    if case.actions.filter(recommendation__isnull=False).exists():
        measures.add("with_recommendations")
    if case.actions.filter(done_by_centre=True).exists():
        measures.add("by_centre")
    if case.stage != Stage.CLOSED:
        return measures
    for followup in case.followups.filter(answered_at__isnull=False):
        measures.add(f"followup_{followup.milestone}")
        before, after = RANKS.index(case.closure_outcome), RANKS.index(followup.situation)
        measures.add(f"followup_{followup.milestone}_{'kept' if after >= before else 'worse'}")
    two_years_later = case.closed_at.replace(year=case.closed_at.year + 2)
    for other in cases.filter(centre=case.centre).exclude(pk=case.pk):
        if case.closed_at < other.submitted_at <= two_years_later:
            measures.add("asked_again")
    return measures


def measures_read_from_the_facts(now) -> dict[int, tuple]:
    refresh_dirty()
    return {
        c.pk: (c.year, c.municipality, c.manager, c.manager_kind, set(c.measures))
        for c in _case_facts(now)
    }


@pytest.mark.parametrize(
    "now", [NOW, dt.datetime(2023, 9, 1, tzinfo=dt.UTC), dt.datetime(2024, 2, 20, tzinfo=dt.UTC)]
)
def test_the_facts_count_each_case_as_the_cases_do(dataset, now):
    assert measures_read_from_the_facts(now) == measures_read_from_the_cases(now)


def test_the_facts_of_the_attack_dataset_count_each_case_as_the_cases_do(reference):
    from tests.evaluation.test_adversary import build_attack_dataset

    build_attack_dataset()
    for now in (NOW, dt.datetime(2025, 6, 1, tzinfo=dt.UTC)):
        assert measures_read_from_the_facts(now) == measures_read_from_the_cases(now)


def test_rows_written_by_hand(dataset):
    refresh_dirty()
    rows = {
        name: CaseFacts.objects.filter(case=case).first() for name, case in dataset.cases.items()
    }
    assert rows["draft"] is None  # a draft is never counted
    c1, c2, c4, c6 = rows["c1"], rows["c2"], rows["c4"], rows["c6"]
    assert (c1.submitted_year, c1.municipality, c1.manager_kind) == (
        2023,
        dataset.marseille,
        ASSOCIATION,
    )
    assert (c1.answered, c1.recommend, c1.usefulness, c1.listening, c1.ownership) == (
        True,
        True,
        5,
        4,
        4,
    )
    assert (c1.referral_tenths, c1.closure_outcome, c1.clock_start) == (
        200,
        ClosureOutcome.IMPROVED,
        None,
    )
    assert sorted(c1.domains.values_list("domain__code", flat=True)) == [
        "gestion-financiere",
        "gouvernance",
    ]
    # A centre of Marseille's 1st arrondissement, run by a federation.
    assert (c2.commune.insee_code, c2.municipality, c2.manager, c2.manager_kind) == (
        "13201",
        dataset.marseille,
        dataset.federation,
        FEDERATION,
    )
    assert (c2.recommend, c2.ownership) == (False, 2)
    # The clock of the current step: the report's validation since it was sent; the
    # referral since the request was sent.
    assert c4.clock_start == day(2023, 8, 19)
    assert (c6.clock_start, c6.referral_tenths, c6.answered) == (day(2024, 2, 1), None, False)


def test_a_case_event_updates_the_facts_after_the_commit(
    reference, django_capture_on_commit_callbacks
):
    case, cast = case_at(Stage.SUBMITTED)
    refresh_dirty()
    assert CaseFacts.objects.get(case=case).stage == Stage.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        services.case_open_referral(case=case, by=cast.coordinator)
    assert DirtyCase.objects.exists() is False
    assert CaseFacts.objects.get(case=case).stage == Stage.REFERRAL
    # The background task (immediate in tests) has computed the grid of the new facts.
    assert compute(masked=True).current is True


def test_a_satisfaction_answer_and_the_fields_of_a_request_update_the_facts(dataset):
    refresh_dirty()
    c5 = dataset.cases["c5"]
    Satisfaction.objects.create(
        case=c5, usefulness=2, listening=3, ownership=1, would_recommend=True
    )
    c5.form.domains.add(Domain.objects.get(code="ressources-humaines"))
    assert DirtyCase.objects.filter(pk=c5.pk).exists()
    refresh_dirty()
    facts = CaseFacts.objects.get(case=c5)
    assert (facts.answered, facts.recommend, facts.usefulness) == (True, True, 2)
    assert sorted(facts.domains.values_list("domain__code", flat=True)) == [
        "gouvernance",
        "ressources-humaines",
    ]


def test_a_case_leaving_the_scope_loses_its_facts(dataset):
    refresh_dirty()
    c8 = dataset.cases["c8"]
    Case.objects.filter(pk=c8.pk).delete()
    assert CaseFacts.objects.filter(pk=c8.pk).exists() is False


def test_the_first_grid_is_computed_before_any_masked_figure(dataset):
    assert PublishedGrid.objects.exists() is False
    evaluation = compute(masked=True, now=NOW)
    assert PublishedGrid.objects.count() == 1
    assert (evaluation.current, evaluation.as_of) == (True, NOW)


def test_a_masked_reader_sees_the_figures_its_grid_was_computed_from(dataset, monkeypatch):
    asked = []
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", asked.append)
    compute_grid(NOW)  # the worker's first grid
    before = compute(masked=True, now=NOW)
    assert texts(before.table("summary"))["Demandes reçues"] == ["8"]
    # Three more requests of 2024 in Aix: the grid of the 8 requests is out of date.
    c6 = dataset.cases["c6"]
    for number in range(3):
        Case.objects.create(
            number=f"MSTR-T-9{number:03d}",
            centre=c6.centre,
            manager=c6.manager,
            stage=Stage.SUBMITTED,
            situation=Situation.PREVENTIVE,
            submitted_at=day(2024, 5, 2),
        )
    later = compute(masked=True, now=NOW)
    assert (later.current, later.as_of, asked) == (False, NOW, [NOW])
    # Until the new grid, the figures of the 8 requests its masking was computed on.
    assert texts(later.table("summary")) == texts(before.table("summary"))
    # The coordination reads the cases as they stand.
    assert texts(compute(masked=False, now=NOW).table("summary"))["Demandes reçues"] == ["11"]
    compute_grid(NOW)
    current = compute(masked=True, now=NOW)
    assert current.current is True
    assert texts(current.table("summary"))["Demandes reçues"] == ["11"]
    # Asked once only while the first request stands.
    assert asked == [NOW]


def test_the_page_says_when_its_figures_were_taken(client, dataset, monkeypatch):
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", lambda now=None: None)
    compute_grid(NOW)
    client.force_login(dataset.evaluator)
    assert "Chiffres arrêtés" not in client.get(reverse("evaluation:index")).text
    Satisfaction.objects.create(
        case=dataset.cases["c5"], usefulness=2, listening=3, ownership=1, would_recommend=True
    )
    assert "Chiffres arrêtés le" in client.get(reverse("evaluation:index")).text
    client.force_login(dataset.coordinator)
    assert "Chiffres arrêtés" not in client.get(reverse("evaluation:index")).text


def test_a_change_of_target_durations_makes_the_grid_out_of_date(dataset, monkeypatch):
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", lambda now=None: None)
    compute_grid(NOW)
    assert compute(masked=True, now=NOW).current is True
    TargetDuration.objects.update_or_create(
        step="referral", situation=Situation.PREVENTIVE, defaults={"days": 5}
    )
    assert compute(masked=True, now=NOW).current is False


def test_a_step_falling_due_makes_the_grid_out_of_date(dataset, monkeypatch):
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", lambda now=None: None)
    # c8 (preventive, sent on 1 April 2024) is due 30 days later, on 1 May.
    compute_grid(day(2024, 4, 20))
    assert compute(masked=True, now=day(2024, 4, 20)).current is True
    assert compute(masked=True, now=day(2024, 4, 25)).current is True
    assert compute(masked=True, now=day(2024, 5, 5)).current is False


def test_the_refresh_command_rebuilds_every_fact_and_the_grid(dataset, capsys):
    Case.objects.filter(pk=dataset.cases["c8"].pk).update(situation=Situation.CRISIS)  # no signal
    call_command("evaluation_refresh")
    assert CaseFacts.objects.count() == 8
    assert CaseFacts.objects.get(pk=dataset.cases["c8"].pk).situation == Situation.CRISIS
    assert DirtyCase.objects.exists() is False
    assert PublishedGrid.objects.count() == 1
    assert "Faits recalculés : 8 dossiers." in capsys.readouterr().out


def test_the_figures_kept_in_cache_are_those_of_the_facts_as_they_stand(dataset):
    before = texts(compute(masked=False, now=NOW).table("by_year"))
    assert before["2024"][0] == "4"
    assert texts(compute(masked=False, now=NOW).table("by_year")) == before  # from the cache
    c6 = dataset.cases["c6"]
    Case.objects.create(
        number="MSTR-T-9100",
        centre=c6.centre,
        manager=c6.manager,
        stage=Stage.SUBMITTED,
        situation=Situation.CRISIS,
        submitted_at=day(2024, 5, 2),
    )
    assert texts(compute(masked=False, now=NOW).table("by_year"))["2024"][0] == "5"


def test_after_a_change_the_department_figures_are_ready_in_the_cache(
    reference, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, cast = case_at(Stage.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_open_referral(case=case, by=cast.coordinator)
    counts = {}
    for label in ("prepared by the task", "cache emptied"):
        if label == "cache emptied":
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            compute(masked=False)
        counts[label] = len(queries)
    # The sums of the groups, the lead-time histograms and the fields (three queries on
    # soutien.evaluation.groups' tables), and the figures « à ce jour » (the moments
    # between which no step falls due, the sums of the cases in progress, the count « en
    # retard »): read by the task.
    assert counts["cache emptied"] - counts["prepared by the task"] == 6


def test_a_page_holding_a_grid_reads_its_own_copy_while_a_newer_one_is_written(dataset):
    from soutien.evaluation.publication import published_grid

    held = published_grid(NOW)  # a page has read the grid of the 8 requests…
    c6 = dataset.cases["c6"]
    for number in range(3):
        Case.objects.create(
            number=f"MSTR-T-92{number:02d}",
            centre=c6.centre,
            manager=c6.manager,
            stage=Stage.SUBMITTED,
            situation=Situation.CRISIS,
            submitted_at=day(2024, 5, 3),
        )
    compute_grid(NOW)  # …and the task writes the grid of the 11 before the page reads
    seen = compute(masked=True, now=NOW, grid=held)
    assert texts(seen.table("summary"))["Demandes reçues"] == ["8"]
    assert texts(seen.table("by_commune"))["Aix-en-Provence"][0] == "3"


def test_a_published_copy_never_holds_back_the_deletion_of_an_organisation(dataset):
    from soutien.directory.models import Organisation
    from tests.factories import OrganisationFactory, SocialCentreFactory

    association = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
    centre = SocialCentreFactory(commune=dataset.aix, manager=association)
    case = Case.objects.create(
        number="MSTR-T-9300",
        centre=centre,
        manager=association,
        stage=Stage.SUBMITTED,
        situation=Situation.PREVENTIVE,
        submitted_at=day(2024, 5, 4),
    )
    compute_grid(NOW)  # the copy of this grid holds the case, its centre's manager
    case.delete()
    centre.delete()
    association.delete()
    assert Organisation.objects.filter(pk=association.pk).exists() is False
