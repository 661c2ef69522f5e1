"""Right of access: the personal-data export holds everything the person wrote or did,
as a JSON file and as a readable page, and nothing someone else wrote."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import ActionStatus, Channel, ClosureOutcome, Stage
from soutien.documents.models import AttachTo
from soutien.documents.services import document_upload, download_record
from soutien.security.services import personal_data_export
from tests.builders import case_at
from web.security.personal_data import FIELD_LABELS, SECTION_TITLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(reference):
    """A case closed after a request for changes; the manager did a bit of everything."""
    case, cast = case_at(Stage.REPORT_REVIEW)
    manager = cast.board_member
    services.report_request_changes(case=case, by=manager, comment="Ajoutez le budget 2025.")
    services.report_save(case=case, by=cast.consultant, summary="Budget 2025 ajouté.")
    services.report_submit(case=case, by=cast.consultant)
    services.report_validate(case=case, by=manager)
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(days=1),
        summary="Présentation du diagnostic.",
        attendees=[manager],
    )
    message = services.message_post(
        case=case, by=manager, channel=Channel.MESSAGE, body="Merci pour la restitution."
    )
    services.message_post(
        case=case, by=cast.coordinator, channel=Channel.MESSAGE, body="Réponse de la Caf."
    )
    document_upload(
        case=case,
        by=manager,
        attach_to=AttachTo.MESSAGE,
        target=message,
        uploaded=SimpleUploadedFile("budget-2025.pdf", pdf_bytes()),
    )
    download_record(case=case, by=manager, kind="report_pdf", name="rapport-v2.pdf")
    action = services.action_add(
        case=case, by=manager, title="Recruter un trésorier", owner="La présidente"
    )
    services.action_update(
        action=action, by=manager, status=ActionStatus.IN_PROGRESS, note="Annonce publiée."
    )
    services.case_close(
        case=case,
        by=cast.coordinator,
        outcome=ClosureOutcome.IMPROVED,
        open_actions_confirmed=True,
    )
    services.satisfaction_answer(
        case=case,
        by=manager,
        usefulness=5,
        listening=4,
        ownership=3,
        would_recommend=True,
        comment="Mission très utile.",
    )
    return case, cast


def pdf_bytes():
    from tests.documents.samples import pdf_bytes as sample

    return sample()


def test_the_export_holds_what_the_manager_wrote_and_did(journey):
    case, cast = journey
    data = personal_data_export(user=cast.board_member)
    number = case.number

    assert [(m["case"], m["channel"], m["text"]) for m in data["messages"]] == [
        (number, "Message (gestionnaire, coordination, prestataire)", "Merci pour la restitution.")
    ]
    assert [(r["version"], r["status"], r["comment"]) for r in data["reviews"]] == [
        (1, "Modifications demandées", "Ajoutez le budget 2025."),
        (2, "Validé par le gestionnaire", ""),
    ]
    assert [(u["name"], u["attached_to"]) for u in data["uploads"]] == [
        ("budget-2025.pdf", "Message")
    ]
    assert [(d["name"], d["kind"]) for d in data["downloads"]] == [
        ("rapport-v2.pdf", "Rapport de diagnostic (PDF)")
    ]
    assert [(a["action"], a["owner"]) for a in data["actions"]] == [
        ("Recruter un trésorier", "La présidente")
    ]
    assert [n["text"] for n in data["action_notes"]] == ["Annonce publiée."]
    assert [
        (s["usefulness"], s["listening"], s["ownership"], s["would_recommend"], s["comment"])
        for s in data["satisfaction_answers"]
    ] == [(5, 4, 3, True, "Mission très utile.")]
    assert [c["case"] for c in data["cases_created"]] == [number]
    assert data["information_forms"][0]["requester_name"] == "Monique Blanc"
    assert [m["meeting"] for m in data["meetings_attended"]] == ["Restitution au gestionnaire"]
    labels = [event["label"] for event in data["events"]]
    assert "Modifications du rapport demandées" in labels  # history reads as past events
    assert "Rapport validé" in labels
    assert "Questionnaire de satisfaction rempli" in labels
    # Nothing someone else wrote.
    assert "Réponse de la Caf." not in json.dumps(data, ensure_ascii=False)


def test_the_export_holds_opinions_decisions_reports_and_meetings(journey):
    case, cast = journey
    partner = personal_data_export(user=cast.partner_state)
    assert [(o["case"], o["opinion"]) for o in partner["opinions"]] == [(case.number, "Favorable")]
    coordinator = personal_data_export(user=cast.coordinator)
    assert [(d["decision"], d["justification"]) for d in coordinator["decisions"]] == [
        ("Validée (soutien accordé)", "Décidé en comité des financeurs.")
    ]
    assert [m["text"] for m in coordinator["messages"]] == ["Réponse de la Caf."]
    consultant = personal_data_export(user=cast.consultant)
    assert [(r["version"], r["summary"]) for r in consultant["reports_written"]] == [
        (1, "Situation tendue mais maîtrisable."),
        (2, "Budget 2025 ajouté."),
    ]
    assert [(m["meeting"], m["summary"]) for m in consultant["meetings_recorded"]] == [
        ("Restitution au gestionnaire", "Présentation du diagnostic.")
    ]


def test_the_json_file_and_the_page_give_the_same_data(client, journey):
    _, cast = journey
    client.force_login(cast.board_member)
    response = client.get(reverse("security:personal_data"))
    data = json.loads(response.content)
    assert data["messages"][0]["text"] == "Merci pour la restitution."

    page = client.get(reverse("security:personal_data_page"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for title in ("Messages et notes privées écrits", "Relectures de rapports",
                  "Pièces jointes déposées", "Documents téléchargés",
                  "Questionnaires de satisfaction"):  # fmt: skip
        assert title in html
    for text in ("Merci pour la restitution.", "Ajoutez le budget 2025.", "budget-2025.pdf",
                 "rapport-v2.pdf", "Mission très utile.", "Annonce publiée."):  # fmt: skip
        assert text in html
    assert "Réponse de la Caf." not in html


def test_every_section_and_column_of_the_export_has_a_french_name(journey):
    _, cast = journey
    data = personal_data_export(user=cast.board_member)
    sections = set(data) - {"exported_at"}
    assert sections == set(SECTION_TITLES)
    for key in sections:
        rows = data[key] if isinstance(data[key], list) else [data[key]]
        for row in rows:
            assert set(row) <= set(FIELD_LABELS), key
