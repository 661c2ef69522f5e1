"""Masked figures that are not the cases as they stand say so in every format, in the same
words: the page, the CSV and XLSX exports, the annual PDF, the map and its data
(« Chiffres arrêtés le … », or « en préparation » before the first grid). The coordination,
who reads the cases as they stand, is never told so."""

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from soutien.cases.models import Satisfaction
from soutien.evaluation.figures import as_of_note
from soutien.evaluation.publication import compute_grid
from tests.evaluation.dataset import NOW

pytestmark = pytest.mark.django_db

TAKEN = "Chiffres arrêtés le"
PREPARED = "Les chiffres publiés sont en préparation"


def every_format(client) -> dict[str, str]:
    """What each format says, as text."""
    page = client.get(reverse("evaluation:index")).text
    csv = client.get(reverse("evaluation:export_csv")).content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(reverse("evaluation:export_xlsx")).content))
    about = " ".join(str(cell.value) for row in book["À propos"].iter_rows() for cell in row)
    pdf = pypdf.PdfReader(io.BytesIO(client.get(reverse("evaluation:annual_report")).content))
    report = " ".join(page.extract_text() for page in pdf.pages)
    return {
        "page": page,
        "csv": csv,
        "xlsx": about,
        "pdf": " ".join(report.split()),
        "map": client.get(reverse("evaluation:map")).text,
        "map data": client.get(reverse("evaluation:map_data")).json()["as_of_note"],
    }


def test_the_wording_is_written_once():
    taken = timezone.make_aware(timezone.datetime(2026, 3, 4, 9, 5))
    assert as_of_note(masked=True, current=False, as_of=taken) == (
        "Chiffres arrêtés le 4 mars 2026 à 09h05 : les changements plus récents seront pris "
        "en compte dans quelques minutes."
    )
    assert as_of_note(masked=True, current=False, as_of=None).startswith(PREPARED)
    assert as_of_note(masked=True, current=True, as_of=taken) == ""
    assert as_of_note(masked=False, current=False, as_of=taken) == ""


def test_every_format_says_when_masked_figures_were_taken(client, dataset, monkeypatch):
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", lambda now=None: None)
    stored = compute_grid(NOW)
    client.force_login(dataset.evaluator)
    assert not any(TAKEN in text for text in every_format(client).values())

    Satisfaction.objects.create(
        case=dataset.cases["c5"], usefulness=2, listening=3, ownership=1, would_recommend=True
    )
    note = as_of_note(masked=True, current=False, as_of=stored.as_of)
    assert note.startswith(TAKEN)
    said = every_format(client)
    assert {name: note in text for name, text in said.items()} == dict.fromkeys(said, True)

    client.force_login(dataset.coordinator)
    assert not any(TAKEN in text for text in every_format(client).values())


def test_before_the_first_grid_every_format_says_the_figures_are_prepared(
    client, dataset, monkeypatch
):
    monkeypatch.setattr("soutien.evaluation.tasks.schedule_grid", lambda now=None: None)
    client.force_login(dataset.evaluator)
    said = every_format(client)
    assert {name: PREPARED in text for name, text in said.items()} == dict.fromkeys(said, True)
