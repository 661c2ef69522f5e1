"""The evaluation counts the requests started from a self-check, and their share of the
preventive requests, masked like every figure of the published grid; nothing about
individual self-checks reaches anyone."""

import pytest

from soutien.cases.enums import Situation
from soutien.cases.models import Case
from soutien.evaluation.indicators import compute
from tests.evaluation.dataset import NOW, build_dataset
from tests.evaluation.helpers import texts

pytestmark = pytest.mark.django_db

COUNT = "Demandes issues d'un auto-diagnostic"
SHARE = "Part des démarches préventives issues d'un auto-diagnostic"
NNBSP = "\u202f"


@pytest.fixture
def dataset(reference):
    return build_dataset()


def from_selfcheck(n):
    """Mark the first n preventive requests of the dataset (8 requests, 6 preventive)."""
    pks = (
        Case.objects.filter(situation=Situation.PREVENTIVE, submitted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    Case.objects.filter(pk__in=list(pks)).update(from_selfcheck=True)


def summary(masked):
    return texts(compute(masked=masked, now=NOW).table("summary"))


def test_the_coordination_sees_the_exact_figures(dataset):
    from_selfcheck(3)
    figures = summary(masked=False)
    assert figures[COUNT] == ["3"]
    assert figures[SHARE] == [f"50{NNBSP}%"]  # 3 of the 6 preventive requests


def test_a_crisis_request_from_a_self_check_counts_but_not_in_the_share(dataset):
    crisis = Case.objects.filter(situation=Situation.CRISIS, submitted_at__isnull=False).first()
    Case.objects.filter(pk=crisis.pk).update(from_selfcheck=True)
    from_selfcheck(2)
    figures = summary(masked=False)
    assert figures[COUNT] == ["3"]
    assert figures[SHARE] == [f"33{NNBSP}%"]  # 2 of 6


def test_one_or_two_requests_from_a_self_check_are_masked(dataset):
    from_selfcheck(2)
    figures = summary(masked=True)
    assert figures[COUNT] == ["masqué"]
    assert figures[SHARE] == ["masqué"]


def test_none_is_a_published_zero(dataset):
    assert summary(masked=True)[COUNT] == ["0"]
