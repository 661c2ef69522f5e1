"""The decision letter: generated after the decision commits, its text read back from the
PDF (centre, request, decision, grounds of a refusal, partners consulted without their
opinions, contact, recourse), its editable paragraphs, who reads it, its email, and a
WeasyPrint failure that loses nothing."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from soutien.cases import services
from soutien.cases.enums import DecisionOutcome, OpinionValue, Stage
from soutien.cases.models import Decision
from soutien.content.services import page_text_update
from soutien.core import clock
from soutien.core.models import OutboxEmail
from soutien.documents.models import AttachTo, Document
from soutien.followup import letters
from tests.builders import case_at

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DECIDED_AT = dt.datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
OPINION_COMMENT = "Trésorerie très fragile, gouvernance à revoir."


def text_of(document: Document) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def decide(outcome, django_capture_on_commit_callbacks, grounds=""):
    """A case in referral, an opinion with a comment, then the decision (committed)."""
    case, cast = case_at(Stage.REFERRAL)
    services.opinion_give(
        case=case, by=cast.partner_state, value=OpinionValue.RESERVED, comment=OPINION_COMMENT
    )
    with django_capture_on_commit_callbacks(execute=True), clock.frozen_at(DECIDED_AT):
        services.case_decide(
            case=case,
            by=cast.coordinator,
            outcome=outcome,
            grounds=grounds,
            justification="Avis de la commune attendu : décidé en comité des financeurs.",
        )
    case.refresh_from_db()
    return case, cast


def test_a_validation_letter_says_the_request_the_decision_and_whom_to_contact(
    reference, django_capture_on_commit_callbacks
):
    case, cast = decide(DecisionOutcome.VALIDATED, django_capture_on_commit_callbacks)
    [letter] = Document.objects.filter(case=case, attach_to=AttachTo.DECISION)
    assert letter.original_name == f"Lettre de décision {case.number}.pdf"
    assert letter.mimetype == "application/pdf"
    text = text_of(letter)
    assert case.centre.name in text
    assert f"Numéro du dossier {case.number}" in text
    assert "Situation Démarche préventive" in text
    assert "Décision Validée (soutien accordé), le 24 novembre 2026" in text
    assert "Ils l'ont validée." in text
    assert "Motifs du refus" not in text
    # The partners consulted, by name; never their opinions nor the internal justification.
    partners = [o.partner.display_name for o in case.opinions.order_by("partner__name")]
    assert len(partners) == 5
    for name in partners:
        assert name in text
    assert OPINION_COMMENT not in text
    assert "Réservé" not in text
    assert "décidé en comité" not in text
    assert "Qui contacter Caf des Bouches-du-Rhône" in text
    assert "recours gracieux adressé à la coordination" in text
    event = case.events.get(kind="decision_letter")
    assert event.label == "Lettre de décision jointe au dossier"


def test_a_refusal_letter_gives_the_grounds(reference, django_capture_on_commit_callbacks):
    case, cast = decide(
        DecisionOutcome.REFUSED,
        django_capture_on_commit_callbacks,
        grounds="La situation relève de l'accompagnement de droit commun de la fédération.",
    )
    text = text_of(Document.objects.get(case=case, attach_to=AttachTo.DECISION))
    assert "Décision Refusée, le 24 novembre 2026" in text
    assert "Ils n'ont pas retenu votre demande" in text
    assert (
        "Motifs du refus La situation relève de l'accompagnement de droit commun de la "
        "fédération." in text
    )
    assert OPINION_COMMENT not in text
    assert "Réservé" not in text


def test_a_request_closed_without_follow_up_gets_no_letter(
    reference, django_capture_on_commit_callbacks
):
    case, cast = decide(
        DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP, django_capture_on_commit_callbacks, "Retrait."
    )
    assert not Document.objects.filter(case=case, attach_to=AttachTo.DECISION).exists()


def test_the_coordinator_edits_the_paragraphs_and_the_recourse_sentence(
    reference, django_capture_on_commit_callbacks, coordinator
):
    page_text_update(
        slug="lettre-decision-recours",
        title="Lettre de décision : voies de recours",
        description="La phrase de recours.",
        body="Tout recours s'adresse au directeur de la Caf, 215 rue de la Paix, Marseille.",
        by=coordinator,
    )
    page_text_update(
        slug="lettre-decision-validee",
        title="Lettre de décision : demande validée",
        description="Paragraphes.",
        body="Bonne nouvelle : **la mission démarre** le mois prochain.",
        by=coordinator,
    )
    case, cast = decide(DecisionOutcome.VALIDATED, django_capture_on_commit_callbacks)
    text = text_of(Document.objects.get(case=case, attach_to=AttachTo.DECISION))
    assert "Tout recours s'adresse au directeur de la Caf, 215 rue de la Paix, Marseille." in text
    assert "Bonne nouvelle : la mission démarre le mois prochain." in text
    assert "recours gracieux" not in text
    assert "Ils l'ont validée." not in text


def test_the_letter_texts_are_edited_where_the_other_texts_are(reference, coordinator):
    client = Client()
    client.force_login(coordinator)
    listing = client.get(reverse("public:manage_pages"))
    assert "Lettre de décision : voies de recours" in listing.text
    edit = client.get(reverse("public:page_text_edit", args=["lettre-decision-recours"]))
    assert edit.status_code == 200
    assert "imprimé dans les lettres de décision" in edit.text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("board_member", 200),
        ("coordinator", 200),
        ("partner_state", 200),
        ("partner_commune", 200),
        ("staff", 404),
        ("partner_other_commune", 404),
        ("consultant", 404),
        ("evaluator", 404),
        ("outsider", 404),
    ],
)
def test_the_letter_is_read_by_those_who_see_the_decision(
    reference, django_capture_on_commit_callbacks, role, status
):
    # A refusal: the provider is never involved, so its consultants do not see the case.
    case, cast = decide(DecisionOutcome.REFUSED, django_capture_on_commit_callbacks, "Hors champ.")
    letter = Document.objects.get(case=case, attach_to=AttachTo.DECISION)
    client = Client()
    client.force_login(getattr(cast, role))
    assert client.get(reverse("documents:download", args=[letter.uuid])).status_code == status
    page = client.get(reverse("cases:detail", args=[case.pk]))
    listed = reverse("documents:download", args=[letter.uuid]) in page.text
    assert listed is (status == 200 and role != "staff")


def test_after_a_validation_the_provider_reads_the_letter_too(
    reference, django_capture_on_commit_callbacks
):
    case, cast = decide(DecisionOutcome.VALIDATED, django_capture_on_commit_callbacks)
    letter = Document.objects.get(case=case, attach_to=AttachTo.DECISION)
    client = Client()
    client.force_login(cast.consultant)
    assert client.get(reverse("documents:download", args=[letter.uuid])).status_code == 200


def test_the_manager_is_emailed_a_link_to_the_letter(reference, django_capture_on_commit_callbacks):
    case, cast = decide(DecisionOutcome.VALIDATED, django_capture_on_commit_callbacks)
    letter = Document.objects.get(case=case, attach_to=AttachTo.DECISION)
    [email] = OutboxEmail.objects.filter(
        to=cast.board_member.email, subject__contains="Lettre de décision"
    )
    assert email.subject == f"[{case.number}] Lettre de décision des financeurs"
    assert reverse("documents:download", args=[letter.uuid]) in email.body
    assert "validée (soutien accordé), le 24 novembre 2026" in email.body.replace("\u00a0", " ")
    assert OPINION_COMMENT not in email.body
    assert not OutboxEmail.objects.filter(
        to=cast.staff.email, subject__contains="Lettre de décision"
    ).exists()
    assert not OutboxEmail.objects.filter(
        to=cast.partner_state.email, subject__contains="Lettre de décision"
    ).exists()


def test_a_weasyprint_failure_keeps_the_decision_and_the_daily_run_makes_the_letter(
    reference, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(decision):
        raise OSError("WeasyPrint en panne")

    real = letters.render_decision_letter
    monkeypatch.setattr(letters, "render_decision_letter", broken)
    case, cast = decide(DecisionOutcome.VALIDATED, django_capture_on_commit_callbacks)
    assert case.stage == Stage.DIAGNOSTIC
    assert Decision.objects.get(case=case).outcome == DecisionOutcome.VALIDATED
    assert not Document.objects.filter(case=case, attach_to=AttachTo.DECISION).exists()

    monkeypatch.setattr(letters, "render_decision_letter", real)
    next_morning = DECIDED_AT + dt.timedelta(hours=16)
    assert letters.generate_missing_decision_letters(now=next_morning) == 1
    assert Document.objects.filter(case=case, attach_to=AttachTo.DECISION).count() == 1
    # Never twice: the next run, and the task run again, attach nothing more.
    assert letters.generate_missing_decision_letters(now=next_morning) == 0
    assert letters.decision_letter_generate(Decision.objects.get(case=case).pk) is None
    assert Document.objects.filter(case=case, attach_to=AttachTo.DECISION).count() == 1
    assert (
        OutboxEmail.objects.filter(
            to=cast.board_member.email, subject__contains="Lettre de décision"
        ).count()
        == 1
    )


def test_the_catch_up_leaves_old_decisions_alone(reference, monkeypatch):
    # A decision recorded before the letters existed (no after-commit task here): the
    # daily run does not write to its manager weeks later.
    case, cast = case_at(Stage.REFERRAL)
    with clock.frozen_at(DECIDED_AT):
        services.case_decide(
            case=case, by=cast.coordinator, outcome=DecisionOutcome.REFUSED, grounds="Hors champ.",
            justification="Comité.",
        )  # fmt: skip
    assert letters.generate_missing_decision_letters(now=DECIDED_AT + dt.timedelta(days=8)) == 0
    assert letters.generate_missing_decision_letters(now=DECIDED_AT + dt.timedelta(days=6)) == 1
