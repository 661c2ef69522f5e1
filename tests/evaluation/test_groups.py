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
