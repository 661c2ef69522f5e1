"""The groups of facts (soutien.evaluation.groups) the pages read: kept case by case by
``refresh_dirty`` (the difference of each case's facts), they hold exactly what summing
every fact again gives; a published grid's groups sum up its own copy."""

import pytest

from soutien.cases.enums import Situation, Stage
from soutien.cases.models import Case, Satisfaction
from soutien.directory.models import Domain
from soutien.evaluation import groups
from soutien.evaluation.facts import refresh_dirty
from soutien.evaluation.models import (
    GROUP_MEASURES,
    FactsDuration,
    FactsGroup,
    FactsGroupDomain,
)
from soutien.evaluation.publication import compute_grid
from tests.evaluation.dataset import NOW, day
from tests.evaluation.test_impact import impact  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

DIMENSIONS = list(groups.DIMENSIONS)


def snapshot(grid_id=None) -> dict:
    return {
        "groups": sorted(
            FactsGroup.objects.filter(grid_id=grid_id).values_list(*DIMENSIONS, *GROUP_MEASURES),
            key=repr,
        ),
        "domains": sorted(
            FactsGroupDomain.objects.filter(grid_id=grid_id).values_list(
                *DIMENSIONS, "domain_id", "n"
            ),
            key=repr,
        ),
        "durations": sorted(
            FactsDuration.objects.filter(grid_id=grid_id).values_list(
                "submitted_year", "municipality_id", "manager_id", "step", "tenths", "n"
            ),
            key=repr,
        ),
    }


def assert_kept_as_summed_again():
    refresh_dirty()
    kept = snapshot()
    groups.rebuild_live()
    assert kept["groups"] and kept["domains"] and kept["durations"]
    assert kept == snapshot()


def test_the_measures_are_the_groups_columns():
    assert tuple(groups.measures()) == GROUP_MEASURES


def test_the_indicators_dataset_and_its_changes(dataset):
    assert_kept_as_summed_again()
    c5, c6, c8 = (dataset.cases[name] for name in ("c5", "c6", "c8"))
    Satisfaction.objects.create(
        case=c5, usefulness=2, listening=3, ownership=1, would_recommend=True
    )
    c5.form.domains.add(Domain.objects.get(code="ressources-humaines"))
    Case.objects.filter(pk=c8.pk).delete()
    Case.objects.create(
        number="MSTR-T-9400",
        centre=c6.centre,
        manager=c6.manager,
        stage=Stage.SUBMITTED,
        situation=Situation.CRISIS,
        submitted_at=day(2025, 1, 3),
    )
    assert_kept_as_summed_again()
    # The deleted case's group went with its last case.
    assert FactsGroup.objects.filter(grid=None, total=0).exists() is False


def test_the_adversary_dataset(reference):
    from tests.evaluation.test_adversary import build_attack_dataset

    build_attack_dataset()
    assert_kept_as_summed_again()


def test_the_impact_dataset(impact):  # noqa: F811 - the fixture
    assert_kept_as_summed_again()


def test_a_published_grid_sums_up_its_own_copy(dataset):
    refresh_dirty()
    live = snapshot()
    stored = compute_grid(NOW)
    groups.ensure_published(stored.pk, stored.token)
    assert snapshot(stored.pk) == live
    # Once: a second reader finds them built.
    groups.ensure_published(stored.pk, stored.token)
    assert snapshot(stored.pk) == live


def _comparable(figures: dict) -> dict:
    """Figures as the tables read them: the sums per year, municipality and kind of
    manager (a period in pieces gives the same group twice: summed once), histograms,
    fields."""
    rolled = figures["rolled"]
    found = {"totals": rolled[None]}
    if "durations" in figures:  # not the summary alone
        for key in ("submitted_year", "municipality", "manager_kind"):
            found[key] = rolled[key]
        found["durations"] = figures["durations"]
        found["domains"] = {k: n for k, n in figures["domains"].items() if n}
    return found


@pytest.mark.parametrize(
    "start, end",
    [
        ("2023-03-02", "2024-02-20"),  # two pieces of years
        ("2022-06-01", "2025-01-15"),  # whole years between two pieces
        ("2024-02-01", "2024-04-30"),  # within one year
        (None, "2023-03-01"),  # open start
        ("2023-07-01", None),  # open end
        ("2023-01-01", "2024-03-31"),  # a whole year and a piece
    ],
)
def test_a_free_period_is_whole_years_from_the_groups_and_pieces_from_the_facts(
    dataset, start, end
):
    import datetime as dt

    from soutien.evaluation.indicators import (
        Filters,
        _figures_from_facts,
        _period_figures,
        _rolled_up,
    )
    from soutien.evaluation.policies import DEPARTMENT
    from soutien.evaluation.publication import LIVE

    refresh_dirty()
    filters = Filters(
        start=dt.date.fromisoformat(start) if start else None,
        end=dt.date.fromisoformat(end) if end else None,
    )
    for summary_only in (False, True):
        split = _period_figures(LIVE, "", DEPARTMENT, filters, summary_only=summary_only)
        counted = _rolled_up(
            _figures_from_facts(LIVE, DEPARTMENT, [filters], summary_only=summary_only)
        )
        assert _comparable(split) == _comparable(counted)
    assert _comparable(counted)["totals"]["total"] > 0


def test_the_pieces_of_a_free_period():
    import datetime as dt

    from soutien.evaluation.indicators import Filters, split_period

    def pieces(start, end):
        years, edges = split_period(Filters(start=start, end=end))
        return years, [(edge.start, edge.end) for edge in edges]

    d = dt.date
    assert pieces(d(2022, 6, 1), d(2025, 1, 15)) == (
        (2023, 2024),
        [(d(2022, 6, 1), d(2022, 12, 31)), (d(2025, 1, 1), d(2025, 1, 15))],
    )
    assert pieces(d(2023, 3, 2), d(2024, 2, 20)) == (
        None,
        [(d(2023, 3, 2), d(2023, 12, 31)), (d(2024, 1, 1), d(2024, 2, 20))],
    )
    assert pieces(d(2024, 2, 1), d(2024, 4, 30)) == (None, [(d(2024, 2, 1), d(2024, 4, 30))])
    assert pieces(None, d(2023, 3, 1)) == ((None, 2022), [(d(2023, 1, 1), d(2023, 3, 1))])
    assert pieces(d(2020, 1, 1), d(2021, 12, 31)) == ((2020, 2021), [])
    assert pieces(None, None) == ((None, None), [])
