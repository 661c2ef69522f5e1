"""Exports parse, match the page, keep the masking, and never leak case details."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from soutien.evaluation.exports import DATASET_HEADER, pseudonym
from tests.evaluation.dataset import build_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(reference):
    return build_dataset()


def page_figures(client, params=None) -> dict:
    """(table title, row, column) → text, as the page shows them."""
    evaluation = client.get(reverse("evaluation:index"), params or {}).context["evaluation"]
    figures = {}
    for table in evaluation.tables.values():
        for row in table.rows:
            for column, cell in zip(table.columns[1:], row[1:], strict=True):
                figures[(table.title, row[0], column)] = cell.text
    return figures


def csv_rows(response) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("who", ["coordinator", "evaluator"])
def test_csv_matches_the_page(client, data, who):
    client.force_login(getattr(data, who))
    params = {"federation": data.federation.pk}
    page = page_figures(client, params)
    response = client.get(reverse("evaluation:export_csv"), params)
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    exported = {(r["rubrique"], r["ligne"], r["colonne"]): r["valeur"] for r in rows}
    assert exported == page
    assert exported[("Synthèse", "Demandes reçues", "Valeur")] == (
        "2" if who == "coordinator" else "masqué"
    )


def test_xlsx_matches_the_page_and_masks(client, data):
    client.force_login(data.evaluator)
    page = page_figures(client)
    response = client.get(reverse("evaluation:export_xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    assert "À propos" in book.sheetnames
    summary = book["Synthèse"]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=3, values_only=True)}
    assert values["Demandes reçues"] == 8
    assert values["dont crise avérée"] == "masqué"
    assert page[("Synthèse", "dont crise avérée", "Valeur")] == "masqué"
    # 6 preventive requests out of 8 would give the 2 crisis ones back: masked too.
    assert values["dont démarche préventive"] == "masqué"
    assert values["Part des démarches préventives"] == "masqué"
    assert page[("Synthèse", "dont démarche préventive", "Valeur")] == "masqué"
    lead = book["Délais"]
    first = next(lead.iter_rows(min_row=3, values_only=True))
    assert first[1:5] == (5, 30.0, 46.0, 30)


def test_commune_partner_exports_hold_territory_and_department_totals(client, data):
    client.force_login(data.partner_marseille)
    rows = csv_rows(client.get(reverse("evaluation:export_csv")))
    perimeters = {r["perimetre"] for r in rows}
    assert perimeters == {"Marseille", "Département des Bouches-du-Rhône (total)"}
    communes = {r["ligne"] for r in rows if r["rubrique"] == "Demandes par commune"}
    assert communes == {"Marseille"}
    totals = {
        r["perimetre"]: r["valeur"]
        for r in rows
        if r["ligne"] == "Demandes reçues" and r["rubrique"] == "Synthèse"
    }
    assert totals == {"Marseille": "5", "Département des Bouches-du-Rhône (total)": "8"}


def test_case_dataset_is_pseudonymised(client, data):
    client.force_login(data.coordinator)
    response = client.get(reverse("evaluation:case_dataset"))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == DATASET_HEADER
    assert len(rows) == 8  # drafts are not requests
    for forbidden in ("Nom à ne jamais", "Texte libre", "Commentaire libre", "MSTR-", "Centre A"):
        assert forbidden not in text
    first = rows[0]
    assert first["pseudonyme"] == pseudonym(data.cases["c1"].pk)
    assert first["mois_transmission"] == "2023-01"
    assert first["mois_decision"] == "2023-01"
    assert first["mois_cloture"] == "2023-06"
    assert first["champs"] == "gestion-financiere|gouvernance"
    assert first["delai_saisine_jours"] == "20"
    assert first["commune_insee"] == "13055"
    assert first["satisfaction_utilite"] == "5"
    assert first["recommanderait"] == "oui"
    # No full date anywhere: only years and months.
    assert not any(len(value) == 10 and value[4] == "-" for row in rows for value in row.values())


def test_case_dataset_is_for_the_coordination_only(client, data):
    for who in ("evaluator", "partner_state", "partner_marseille"):
        client.force_login(getattr(data, who))
        assert client.get(reverse("evaluation:case_dataset")).status_code == 404


def test_annual_report_pdf_masks_for_partners(client, data):
    from pypdf import PdfReader

    client.force_login(data.partner_state)
    response = client.get(reverse("evaluation:annual_report"), {"year": 2023})
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rapport annuel d'évaluation 2023" in text
    assert "masqué" in text
    assert "Délais des étapes" in text


def test_exports_are_audited(client, data):
    from soutien.audit.models import AuditEntry

    client.force_login(data.evaluator)
    client.get(reverse("evaluation:export_csv"))
    assert AuditEntry.objects.filter(
        action="evaluation.export", actor_id=data.evaluator.pk
    ).exists()


def test_no_exported_cell_is_read_as_a_formula(client, data):
    """Formula injection: a name typed in the platform (a field of expertise, a
    federation) that starts with =, +, - or @ is exported as text, never as a formula."""
    from soutien.directory.models import Domain

    Domain.objects.filter(code="gouvernance").update(name='=HYPERLINK("http://x","clic")')
    Domain.objects.filter(code="autre").update(name="@SUM(A1)")
    data.federation.name = "+fédération"
    data.federation.save(update_fields=["name"])
    client.force_login(data.coordinator)
    rows = csv_rows(client.get(reverse("evaluation:export_csv")))
    labels = {r["ligne"] for r in rows if r["rubrique"] == "Demandes par champ de fonctionnement"}
    assert '\'=HYPERLINK("http://x","clic")' in labels
    assert "'@SUM(A1)" in labels
    response = client.get(reverse("evaluation:export_xlsx"), {"federation": data.federation.pk})
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    assert texts['=HYPERLINK("http://x","clic")'].data_type == "s"
    assert texts['=HYPERLINK("http://x","clic")'].quotePrefix
    assert texts["+fédération"].quotePrefix
    # The pseudonymised dataset: a commune's name.
    data.aix.name = "-Aix"
    data.aix.save(update_fields=["name"])
    dataset = client.get(reverse("evaluation:case_dataset")).content.decode("utf-8-sig")
    communes = {row["commune"] for row in csv.DictReader(io.StringIO(dataset), delimiter=";")}
    assert communes == {"'-Aix", "Marseille"}


def test_csv_cells_that_look_like_formulas_are_neutralised():
    from soutien.core.spreadsheets import csv_row

    assert csv_row(["=1+1", "+33 6", "-2", "@x", "\tx", "ok", 12, "—"]) == [
        "'=1+1",
        "'+33 6",
        "'-2",
        "'@x",
        "'\tx",
        "ok",
        12,
        "—",
    ]
