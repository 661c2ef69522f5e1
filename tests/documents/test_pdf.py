"""Generated PDFs: who may download them, and what a reader (or a screen reader) finds."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from soutien.cases import services as case_services
from soutien.cases.enums import Stage
from soutien.documents.models import DownloadLog
from soutien.documents.pdf import date_fr, typo_fr
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def _assert_accessible_pdf(content: bytes, title_part: str):
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert "/StructTreeRoot" in root  # tagged
    assert root["/MarkInfo"]["/Marked"]
    assert title_part in reader.metadata.title


def _get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_the_submitted_information_form(client, reference):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    content = _get_pdf(client, reverse("documents:form_pdf", args=[case.pk]))
    text = _text(content)
    assert case.number in text
    assert case.centre.name in text
    assert "Monique Blanc" in text
    _assert_accessible_pdf(content, "Fiche d'information")
    assert DownloadLog.objects.filter(case=case, kind="form_pdf", user=cast.coordinator).exists()


def test_the_form_pdf_is_404_outside_the_case(client, reference):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.outsider)
    assert client.get(reverse("documents:form_pdf", args=[case.pk])).status_code == 404


def test_a_partner_gets_the_report_only_once_validated(client, reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    url = reverse("documents:report_pdf", args=[case.pk, 1])
    client.force_login(cast.partner_state)
    assert client.get(url).status_code == 404

    client.force_login(cast.board_member)
    content = _get_pdf(client, url)
    text = _text(content)
    assert "Version 1 — non validée" in text
    assert case.number in text and case.centre.name in text
    assert "Confidentiel" in text
    assert case.manager.name in text  # the list of who receives it
    _assert_accessible_pdf(content, "Rapport de diagnostic")

    case_services.report_validate(case=case, by=cast.board_member)
    client.force_login(cast.partner_state)
    text = _text(_get_pdf(client, url))
    assert "non validée" not in text
    assert "validée par le gestionnaire" in text
    assert case.number in text and case.centre.name in text


def test_an_unknown_report_version_is_404(client, reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    client.force_login(cast.board_member)
    assert client.get(reverse("documents:report_pdf", args=[case.pk, 9])).status_code == 404


def test_the_restitution_minutes(client, reference):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.board_member)
    content = _get_pdf(client, reverse("documents:restitution_pdf", args=[case.pk]))
    text = _text(content)
    assert case.number in text and case.centre.name in text
    assert "Le diagnostic a été présenté et discuté." in text
    assert "La présidente, la trésorière, le directeur" in text
    _assert_accessible_pdf(content, "Compte rendu de restitution")


def test_partners_do_not_get_the_restitution_minutes(client, reference):
    """The hole of issue #11: partners downloaded the synthesis and the agenda that the case
    page hides from them (the consultant is told only the manager, the Caf and the provider
    read them)."""
    case, cast = case_at(Stage.SUPPORT)
    for partner in (cast.partner_state, cast.partner_commune):
        client.force_login(partner)
        assert client.get(reverse("documents:restitution_pdf", args=[case.pk])).status_code == 404


def test_the_restitution_minutes_do_not_exist_before_the_restitution(client, reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    client.force_login(cast.board_member)
    assert client.get(reverse("documents:restitution_pdf", args=[case.pk])).status_code == 404


def test_french_typography():
    assert typo_fr("Attention : urgent ! Pourquoi ? « oui »") == (
        "Attention\u00a0: urgent\u202f! Pourquoi\u202f? «\u00a0oui\u00a0»"
    )
    assert typo_fr("https://visio.example/?a=1 à 14:30") == "https://visio.example/?a=1 à 14:30"


def test_french_dates():
    import datetime as dt

    assert date_fr(dt.date(2026, 11, 22)) == "22\u00a0novembre 2026"
    assert date_fr(dt.date(2026, 12, 1)) == "1er\u00a0décembre 2026"
