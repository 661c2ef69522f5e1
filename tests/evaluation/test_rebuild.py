"""``facts.rebuild`` (one ``INSERT … SELECT`` per table, for the bench's million cases)
writes the very rows that ``facts._write`` (the refresh of a few dirty cases, in Python)
writes, on datasets built through the real services: the indicators' dataset, the
adversary's, and the impact's (actions of the plan, follow-up answers, a centre asking
again)."""

import pytest

from soutien.evaluation import facts
from soutien.evaluation.models import CaseFacts, CaseFactsDomain
from tests.evaluation.test_impact import impact  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[dict], list[tuple]]:
    rows = list(CaseFacts.objects.order_by("case_id").values())
    links = sorted(CaseFactsDomain.objects.values_list("facts_id", "domain_id"))
    return rows, links


def written_by_python() -> tuple[list[dict], list[tuple]]:
    CaseFacts.objects.all().delete()
    facts._write(
        facts.in_scope(facts.Case.objects.all()).order_by("pk").values_list("pk", flat=True)
    )
    return snapshot()


def written_by_sql() -> tuple[list[dict], list[tuple]]:
    CaseFacts.objects.all().delete()
    assert facts.rebuild() == CaseFacts.objects.count()
    return snapshot()


def assert_same_rows():
    python_rows, python_links = written_by_python()
    sql_rows, sql_links = written_by_sql()
    assert python_rows  # something to compare
    assert python_links
    assert sql_rows == python_rows
    assert sql_links == python_links


def test_the_indicators_dataset(dataset):
    assert_same_rows()


def test_the_adversary_dataset(reference):
    from tests.evaluation.test_adversary import build_attack_dataset

    build_attack_dataset()
    assert_same_rows()


def test_the_impact_dataset(impact):  # noqa: F811 - the fixture
    python_rows, _ = written_by_python()
    # Actions, follow-ups and a centre asking again are in it.
    found = {
        (r["recommendations_proposed"], r["followup_12"], r["asked_again"]) for r in python_rows
    }
    assert (3, "deteriorated", True) in found
    assert_same_rows()


def test_rebuild_empties_the_dirty_cases_and_bumps_the_version(dataset):
    before = facts.facts_version()
    facts.rebuild()
    assert facts.DirtyCase.objects.exists() is False
    assert facts.facts_version() == before + 1
