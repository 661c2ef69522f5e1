"""No page computes the masked grid: before the first one, nothing is published."""

import pytest
from django.urls import reverse

from soutien.evaluation.indicators import compute
from soutien.evaluation.models import PublishedGrid
from soutien.evaluation.publication import compute_grid
from tests.evaluation.dataset import NOW
from tests.evaluation.helpers import texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker(monkeypatch):
    """A task worker that is not running: the grid is asked for, never computed; and
    no reader may compute it either."""
    asked = []
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", asked.append)

    def refuse(*args, **kwargs):
        raise AssertionError("a page computed the masked grid")

    monkeypatch.setattr("soutien.evaluation.publication.mask", refuse)
    return asked


def test_before_the_first_grid_every_figure_is_masked_and_the_grid_is_asked_for(dataset, no_worker):
    evaluation = compute(masked=True, now=NOW)
    assert PublishedGrid.objects.exists() is False
    assert (evaluation.current, evaluation.as_of) == (False, None)
    summary = texts(evaluation.table("summary"))
    assert summary["Demandes reçues"] == ["masqué"]
    assert {value for values in summary.values() for value in values} <= {"masqué", "–", "0"}
    assert no_worker == [NOW]
    compute(masked=True, now=NOW)
    assert no_worker == [NOW]  # asked once while the first request stands


def test_the_page_says_the_figures_are_being_prepared(client, dataset, no_worker):
    client.force_login(dataset.evaluator)
    page = client.get(reverse("evaluation:index")).text
    assert "Les chiffres publiés sont en préparation" in page
    assert "Chiffres arrêtés le" not in page


def test_once_the_worker_has_computed_it_the_figures_are_published(
    client, dataset, no_worker, monkeypatch
):
    compute(masked=True, now=NOW)
    monkeypatch.undo()  # the worker runs the masking
    compute_grid(NOW)
    evaluation = compute(masked=True, now=NOW)
    assert evaluation.current is True
    assert texts(evaluation.table("summary"))["Demandes reçues"] == ["8"]
    client.force_login(dataset.evaluator)
    assert "en préparation" not in client.get(reverse("evaluation:index")).text
