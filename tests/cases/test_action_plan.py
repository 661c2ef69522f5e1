"""The action plan through the real services: the report's recommendations become proposed
actions; the centre accepts, adapts or declines them; only its members keep the statuses;
the consultant proposes and logs the support sessions; the closure sums up."""

import datetime as dt
import io
import re
import unicodedata

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from soutien.cases import action_plan, services
from soutien.cases.enums import ActionDecision, ActionOrigin, ActionStatus, Stage
from soutien.cases.models import Action, CaseEvent, ReportVersion
from soutien.directory.models import Domain, Role
from soutien.documents import pdf
from tests.builders import case_at, case_with_recommendations
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def proposed(case):
    return {a.title: a for a in case.actions.all()}


def test_validating_the_report_proposes_one_action_per_recommendation(reference):
    case, cast = case_with_recommendations(Stage.RESTITUTION)
    rows = sorted(
        case.actions.values_list("title", "domain__code", "status", "origin", "decision", "owner")
    )
    assert rows == [
        ("Construire un plan de trésorerie sur douze mois", "gestion-financiere",
         "proposed", "recommendation", "", ""),
        ("Diversifier les financements", "gestion-financiere",
         "proposed", "recommendation", "", ""),
        ("Former les administrateurs à la lecture des comptes", "gouvernance",
         "proposed", "recommendation", "", ""),
    ]  # fmt: skip
    version = ReportVersion.objects.get(case=case, status="validated")
    assert [(r.priority, r.position) for r in version.recommendation_items.all()] == [
        ("haute", 0),
        ("moyenne", 1),
        ("basse", 2),
    ]
    assert all(a.recommendation.report_version_id == version.pk for a in case.actions.all())
    assert CaseEvent.objects.get(case=case, kind="actions_proposed").label == (
        "3 préconisations du rapport sont proposées au plan d'actions"
    )


def test_a_report_sent_back_keeps_its_recommendations_in_the_next_version(reference):
    case, cast = case_with_recommendations(Stage.REPORT_REVIEW)
    services.report_request_changes(case=case, by=cast.board_member, comment="Nuancez.")
    services.report_save(case=case, by=cast.consultant, analysis="Analyse revue.")
    draft = case.report_versions.get(number=2)
    assert [r.text for r in draft.recommendation_items.all()] == [
        "Construire un plan de trésorerie sur douze mois",
        "Former les administrateurs à la lecture des comptes",
        "Diversifier les financements",
    ]
    # The first version keeps its own.
    assert case.report_versions.get(number=1).recommendation_items.count() == 3


def test_a_report_without_any_recommendation_cannot_be_sent(reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    services.report_save(
        case=case, by=cast.consultant, analysis="Analyse.", recommendation_items=[]
    )
    with pytest.raises(services.CaseError, match="préconisations"):
        services.report_submit(case=case, by=cast.consultant)


def test_the_flow_from_recommendation_to_done(reference):
    case, cast = case_with_recommendations()
    actions = proposed(case)
    treasury = actions["Construire un plan de trésorerie sur douze mois"]
    training = actions["Former les administrateurs à la lecture des comptes"]
    funding = actions["Diversifier les financements"]

    services_at = dt.date(2027, 3, 31)
    action_plan.action_accept(
        action=treasury, by=cast.board_member, carried_by=cast.staff, due_date=services_at
    )
    action_plan.action_adapt(
        action=training,
        by=cast.staff,
        title="Former la trésorière et le président à la lecture des comptes",
        owner="Le président",
        due_date=dt.date(2027, 6, 30),
    )
    action_plan.action_decline(
        action=funding, by=cast.board_member, reason="Déjà engagé avec la fédération."
    )
    action_plan.action_set_status(action=treasury, by=cast.staff, status="in_progress")
    action_plan.action_set_status(
        action=treasury, by=cast.staff, status="done", note="Tableau présenté au bureau."
    )

    rows = sorted(
        Action.objects.filter(case=case).values_list(
            "title", "status", "decision", "owner", "carried_by", "done_by_centre"
        )
    )
    staff_name = cast.staff.get_full_name() or cast.staff.email
    assert rows == [
        ("Construire un plan de trésorerie sur douze mois", "done", "accepted",
         staff_name, cast.staff.pk, True),
        ("Diversifier les financements", "declined", "declined", "", None, None),
        ("Former la trésorière et le président à la lecture des comptes", "to_start",
         "adapted", "Le président", None, None),
    ]  # fmt: skip
    funding.refresh_from_db()
    assert funding.declined_reason == "Déjà engagé avec la fédération."
    treasury.refresh_from_db()
    assert treasury.completed_at is not None
    assert treasury.notes.get().text == "Tableau présenté au bureau."
    kinds = list(case.events.filter(kind__startswith="action_").values_list("kind", flat=True))
    assert kinds == [
        "action_accept",
        "action_adapt",
        "action_decline",
        "action_update",
        "action_update",
    ]

    summary = action_plan.plan_summary(case)
    # The declined action is not part of the plan.
    assert (summary.done, summary.total, summary.open) == (1, 2, 1)
    assert summary.progress_label == "1 action réalisée sur 2"
    assert [(g.name, g.done, g.total) for g in summary.groups] == [
        ("Gestion financière", 1, 1),
        ("Gouvernance", 0, 1),
    ]
    assert summary.status_counts == [
        ("Écartée par le centre", 1),
        ("À démarrer", 1),
        ("Réalisée", 1),
    ]


def test_declining_needs_a_reason(reference):
    case, cast = case_with_recommendations()
    action = case.actions.first()
    with pytest.raises(services.CaseError, match="pourquoi") as caught:
        action_plan.action_decline(action=action, by=cast.board_member, reason="   ")
    assert caught.value.field == "reason"
    action.refresh_from_db()
    assert (action.status, action.decision) == ("proposed", "")


def test_dropping_needs_a_reason_and_postponing_does_not(reference):
    case, cast = case_with_recommendations()
    action = case.actions.first()
    action_plan.action_accept(action=action, by=cast.board_member, owner="La trésorière")
    with pytest.raises(services.CaseError, match="abandonnée") as caught:
        action_plan.action_set_status(action=action, by=cast.board_member, status="dropped")
    assert caught.value.field == "reason"
    action_plan.action_set_status(action=action, by=cast.board_member, status="postponed")
    action_plan.action_set_status(
        action=action, by=cast.board_member, status="dropped", reason="Le poste est supprimé."
    )
    action.refresh_from_db()
    assert (action.status, action.status_reason) == ("dropped", "Le poste est supprimé.")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ActionStatus.DROPPED, "status_reason": ""},
        {"status": ActionStatus.DECLINED, "decision": ActionDecision.DECLINED},
        {"status": ActionStatus.DECLINED, "declined_reason": "Motif sans décision"},
        {"status": ActionStatus.PROPOSED, "decision": ActionDecision.ACCEPTED},
        {"status": ActionStatus.DONE, "done_by_centre": None},
        {"status": ActionStatus.TO_START, "done_by_centre": True},
    ],
)
def test_the_database_refuses_an_inconsistent_action(reference, fields):
    case, cast = case_at(Stage.SUPPORT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(case=case, title="Action", owner="Quelqu'un", **fields)


def test_only_the_centre_decides_and_keeps_the_statuses(reference):
    case, cast = case_with_recommendations()
    action = case.actions.first()
    for person in (cast.consultant, cast.coordinator, cast.partner_state, cast.outsider):
        with pytest.raises(services.NotPermitted):
            action_plan.action_accept(action=action, by=person, owner="La trésorière")
        with pytest.raises(services.NotPermitted):
            action_plan.action_decline(action=action, by=person, reason="Non.")
    action_plan.action_accept(action=action, by=cast.staff, owner="La trésorière")
    for person in (cast.consultant, cast.coordinator, cast.partner_state, cast.outsider):
        with pytest.raises(services.NotPermitted):
            action_plan.action_set_status(action=action, by=person, status="done")
    action.refresh_from_db()
    assert action.status == "to_start"


def test_a_decided_action_cannot_be_decided_again(reference):
    case, cast = case_with_recommendations()
    action = case.actions.first()
    action_plan.action_decline(action=action, by=cast.board_member, reason="Pas maintenant.")
    with pytest.raises(services.CaseError, match="déjà reçu"):
        action_plan.action_accept(action=action, by=cast.board_member, owner="X")
    with pytest.raises(services.CaseError, match="écartée"):
        action_plan.action_set_status(action=action, by=cast.board_member, status="to_start")


def test_accepting_needs_someone_of_the_centre(reference):
    case, cast = case_with_recommendations()
    action = case.actions.first()
    with pytest.raises(services.CaseError) as caught:
        action_plan.action_accept(action=action, by=cast.board_member)
    assert caught.value.field == "owner"
    with pytest.raises(services.CaseError) as caught:
        action_plan.action_accept(action=action, by=cast.board_member, carried_by=cast.consultant)
    assert caught.value.field == "carried_by"


def test_the_consultant_proposes_and_the_centre_adds_freely(reference):
    case, cast = case_at(Stage.SUPPORT)
    by_consultant = services.action_add(
        case=case, by=cast.consultant, title="Mettre en place un tableau de bord"
    )
    by_centre = services.action_add(
        case=case, by=cast.staff, title="Réunir l'équipe chaque mois", owner="Le directeur"
    )
    assert (by_consultant.status, by_consultant.origin) == ("proposed", ActionOrigin.CONSULTANT)
    assert (by_centre.status, by_centre.origin) == ("to_start", ActionOrigin.CENTRE)
    with pytest.raises(services.CaseError) as caught:
        services.action_add(case=case, by=cast.staff, title="Sans responsable")
    assert caught.value.field == "owner"


def test_support_sessions_are_logged_by_the_consultant(reference):
    case, cast = case_at(Stage.SUPPORT)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    session = action_plan.support_session_log(
        case=case,
        by=cast.consultant,
        held_on=yesterday,
        participants="La trésorière\nLe directeur",
        worked_on="Le plan de trésorerie.",
        tools_handed_over="Modèle de tableau de trésorerie",
    )
    assert (session.author, session.tools_handed_over) == (
        cast.consultant,
        "Modèle de tableau de trésorerie",
    )
    with pytest.raises(services.NotPermitted):
        action_plan.support_session_log(
            case=case, by=cast.board_member, held_on=yesterday, participants="A", worked_on="B"
        )
    with pytest.raises(services.CaseError) as caught:
        action_plan.support_session_log(
            case=case,
            by=cast.consultant,
            held_on=timezone.localdate() + dt.timedelta(days=2),
            participants="",
            worked_on="",
        )
    assert set(caught.value.errors) == {"held_on", "participants", "worked_on"}
    assert case.support_sessions.count() == 1
    assert action_plan.support_sessions_visible(cast.partner_state, case) == []
    assert action_plan.support_sessions_visible(cast.staff, case) == [session]


def test_due_and_late_actions_reach_their_owners(reference):
    case, cast = case_with_recommendations()
    treasury, training, funding = case.actions.order_by("pk")
    today = dt.date(2027, 3, 10)
    action_plan.action_accept(
        action=treasury, by=cast.board_member, carried_by=cast.staff, due_date=dt.date(2027, 3, 1)
    )
    action_plan.action_accept(
        action=training, by=cast.board_member, owner="Le président", due_date=dt.date(2027, 3, 12)
    )
    action_plan.action_accept(
        action=funding, by=cast.board_member, owner="Le bureau", due_date=dt.date(2027, 9, 1)
    )
    due_staff = list(action_plan.actions_due_for(cast.staff, today=today, lead_days=3))
    due_board = list(action_plan.actions_due_for(cast.board_member, today=today, lead_days=3))
    assert [a.title for a in due_staff] == ["Construire un plan de trésorerie sur douze mois"]
    # No account carries the training: the centre's managers receive it, not the far one.
    assert [a.title for a in due_board] == ["Former les administrateurs à la lecture des comptes"]
    assert list(action_plan.actions_due_for(cast.consultant, today=today, lead_days=3)) == []
    other_board = MembershipFactory(organisation=cast.association, role=Role.BOARD_MEMBER).user
    assert len(action_plan.actions_due_for(other_board, today=today, lead_days=3)) == 1
    action_plan.action_set_status(action=treasury, by=cast.staff, status="done")
    assert list(action_plan.actions_due_for(cast.staff, today=today, lead_days=3)) == []


def test_closure_warns_about_open_actions_and_records_the_summary(reference):
    case, cast = case_with_recommendations()
    with pytest.raises(services.CaseError, match="3 actions du plan sont encore ouvertes"):
        services.case_close(case=case, by=cast.coordinator, outcome="improved")
    services.case_close(
        case=case,
        by=cast.coordinator,
        outcome="improved",
        summary="Le centre a repris le plan de trésorerie.",
        open_actions_confirmed=True,
    )
    case.refresh_from_db()
    assert (case.stage, case.closure_summary) == (
        "closed",
        "Le centre a repris le plan de trésorerie.",
    )


def test_a_field_used_by_a_recommendation_cannot_be_deleted(reference):
    """The recommendations' fields are reference data: a field in use cannot be deleted."""
    from django.db.models import ProtectedError

    case_with_recommendations(Stage.REPORT_REVIEW)
    with pytest.raises(ProtectedError):
        Domain.objects.get(code="gouvernance").delete()


# --- Pages ----------------------------------------------------------------------------


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def report_post(case, rows, action="save", **extra):
    data = {
        "version": case.version,
        "context": "Contexte.",
        "analysis": "Analyse.",
        "recommendations": "",
        "summary": "",
        "action": action,
        "preco-TOTAL_FORMS": str(len(rows)),
        "preco-INITIAL_FORMS": "0",
        "preco-MIN_NUM_FORMS": "0",
        "preco-MAX_NUM_FORMS": "40",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"preco-{i}-{key}"] = value
    data.update(extra)
    return data


def test_the_consultant_types_recommendations_in_the_report_form(client, reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    url = reverse("cases:report", args=[case.pk])
    finance = Domain.objects.get(code="gestion-financiere")
    governance = Domain.objects.get(code="gouvernance")
    rows = [
        {"domain": finance.pk, "priority": "haute", "text": "Plan de trésorerie"},
        {"domain": "", "priority": "moyenne", "text": "Former le bureau"},
    ]
    # A text without its field: the error is beside the field, everything typed is kept.
    response = client.post(url, report_post(case, rows))
    assert response.status_code == 200
    formset = response.context["recommendations"]
    assert formset.forms[1].errors == {"domain": ["Choisissez le champ de cette préconisation."]}
    assert "Former le bureau" in response.content.decode()
    assert not case.report_versions.exists()

    # « Ajouter une préconisation » gives one more row and keeps what was typed.
    response = client.post(url, report_post(case, rows, action="add_recommendation"))
    assert len(response.context["recommendations"].forms) == 3
    assert "Plan de trésorerie" in response.content.decode()
    assert not case.report_versions.exists()

    rows[1]["domain"] = governance.pk
    rows.append({"domain": finance.pk, "priority": "basse", "text": "Retirée", "DELETE": "on"})
    response = client.post(url, report_post(case, rows))
    assert response.status_code == 302
    version = case.report_versions.get()
    assert list(version.recommendation_items.values_list("domain__code", "priority", "text")) == [
        ("gestion-financiere", "haute", "Plan de trésorerie"),
        ("gouvernance", "moyenne", "Former le bureau"),
    ]
    # The form shows them back, in their order.
    page = client.get(url)
    initial = [f.initial for f in page.context["recommendations"].initial_forms]
    assert [(i["domain"].code, i["text"]) for i in initial] == [
        ("gestion-financiere", "Plan de trésorerie"),
        ("gouvernance", "Former le bureau"),
    ]


def accepted_plan():
    """A plan with one action done, one declined, one late, one proposed."""
    case, cast = case_with_recommendations(
        recommendations=(
            ("gestion-financiere", "haute", "Construire un plan de trésorerie"),
            ("gestion-financiere", "basse", "Diversifier les financements"),
            ("gouvernance", "moyenne", "Former les administrateurs"),
            ("gouvernance", "basse", "Réviser les statuts"),
        )
    )
    treasury, funding, training, statutes = case.actions.order_by("pk")
    action_plan.action_accept(action=treasury, by=cast.board_member, owner="La trésorière")
    action_plan.action_set_status(action=treasury, by=cast.board_member, status="done")
    action_plan.action_decline(
        action=funding, by=cast.board_member, reason="Déjà engagé avec la fédération."
    )
    action_plan.action_accept(
        action=training,
        by=cast.board_member,
        owner="Le président",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    return case, cast, tuple(case.actions.order_by("pk"))


def test_the_plan_page_groups_by_field_with_progress(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    client.force_login(cast.board_member)
    response = client.get(reverse("cases:action_plan", args=[case.pk]))
    assert response.status_code == 200
    text = text_of(response)
    # Overall: the done action among the two taken up (the declined and the proposed aside).
    assert "1 action réalisée sur 2" in text
    assert "Gestion financière — 1 sur 1" in text
    assert "Gouvernance — 0 sur 1" in text
    late = training.due_date.strftime("%d/%m/%Y")
    assert f"En retard : l'échéance du {late} est passée" in text
    assert "Motif : Déjà engagé avec la fédération." in text
    body = response.content.decode()
    assert reverse("cases:action_decide", args=[case.pk, statutes.pk]) in body
    assert reverse("cases:action_status", args=[case.pk, training.pk]) in body
    assert reverse("cases:action_plan_pdf", args=[case.pk]) in body


def test_the_plan_page_offers_no_decision_to_the_consultant_nor_the_partner(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    for person in (cast.consultant, cast.partner_state, cast.coordinator):
        client.force_login(person)
        body = client.get(reverse("cases:action_plan", args=[case.pk])).content.decode()
        assert reverse("cases:action_decide", args=[case.pk, statutes.pk]) not in body
        assert reverse("cases:action_status", args=[case.pk, training.pk]) not in body
        assert "1 action réalisée sur 2" in body


def test_declining_without_a_reason_says_so_beside_the_field(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    client.force_login(cast.staff)
    url = reverse("cases:action_decide", args=[case.pk, statutes.pk])
    data = {"decision": "decline", "reason": "", "owner": "Quelqu'un", "version": 1}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Dites pourquoi le centre écarte cette action."]
    }
    assert 'value="Quelqu&#x27;un"' in response.content.decode()
    statutes.refresh_from_db()
    assert statutes.status == "proposed"
    response = client.post(url, {**data, "reason": "Les statuts ont été revus en 2026."})
    assert response.status_code == 302
    statutes.refresh_from_db()
    assert (statutes.status, statutes.declined_reason) == (
        "declined",
        "Les statuts ont été revus en 2026.",
    )


def test_the_consultant_cannot_set_a_status_by_posting(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    client.force_login(cast.consultant)
    url = reverse("cases:action_status", args=[case.pk, training.pk])
    response = client.post(url, {"status": "done", "done_by_centre": "on", "version": 2})
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.status == "to_start"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_plan_pdf_holds_the_plan(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    client.force_login(cast.partner_state)
    response = client.get(reverse("cases:action_plan_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = squeeze("".join(page.extract_text() for page in reader.pages))
    expected = [
        "Plan d'actions",
        f"Dossier{case.number}",
        "Avancement : 1 action réalisée sur 2.",
        "Gestion financière — 1 sur 1",
        "Construire un plan de trésorerie", "La trésorière", "—", "Réalisée",
        "Diversifier les financements", "—", "—", "Écartée par le centre.",
        "Motif : Déjà engagé avec la fédération.",
        "Gouvernance — 0 sur 1",
        "Former les administrateurs", "Le président",
        pdf.date_fr(training.due_date), "(en retard)", "À démarrer",
        "Réviser les statuts", "—", "—", "Proposée, en attente de la décision du centre",
    ]  # fmt: skip
    position = 0
    for piece in expected:
        found = text.find(squeeze(piece), position)
        assert found >= 0, (piece, text[position : position + 200])
        position = found + len(squeeze(piece))


def test_the_plan_pdf_has_the_page_audience(client, reference):
    case, cast, _ = accepted_plan()
    url = reverse("cases:action_plan_pdf", args=[case.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.partner_other_commune)
    assert client.get(url).status_code == 404
    client.force_login(cast.staff)
    assert client.get(url).status_code == 200


def test_the_closure_shows_the_plan_and_the_manager_reads_the_summary(client, reference):
    case, cast, _ = accepted_plan()
    client.force_login(cast.coordinator)
    url = reverse("cases:close", args=[case.pk])
    text = text_of(client.get(url))
    assert "1 action réalisée sur 2." in text
    assert "Proposée, en attente de la décision du centre : 1" in text
    assert "Écartée par le centre : 1" in text
    assert "2 actions du plan sont encore ouvertes :" in text
    data = {"outcome": "improved", "summary": "Le bureau a repris le plan de trésorerie."}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "open_actions_confirmed" in response.context["form"].errors
    assert "Le bureau a repris le plan de trésorerie." in response.content.decode()
    response = client.post(url, {**data, "open_actions_confirmed": "on"})
    assert response.status_code == 302
    detail = reverse("cases:detail", args=[case.pk])
    client.force_login(cast.board_member)
    assert "Le bureau a repris le plan de trésorerie." in text_of(client.get(detail))
    client.force_login(cast.partner_state)
    assert "Le bureau a repris le plan de trésorerie." not in text_of(client.get(detail))


def test_the_consultant_logs_a_session_from_the_plan_page(client, reference):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.consultant)
    url = reverse("cases:support_session", args=[case.pk])
    response = client.post(url, {"held_on": "", "participants": "La trésorière"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"held_on", "worked_on"}
    assert "La trésorière" in response.content.decode()
    held_on = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    data = {
        "held_on": held_on,
        "participants": "La trésorière",
        "worked_on": "Le tableau de trésorerie.",
        "tools_handed_over": "Modèle de tableau",
    }
    assert client.post(url, data).status_code == 302
    client.force_login(cast.staff)
    text = text_of(client.get(reverse("cases:action_plan", args=[case.pk])))
    assert "Modèle de tableau" in text
    client.force_login(cast.partner_state)
    text = text_of(client.get(reverse("cases:action_plan", args=[case.pk])))
    assert "Modèle de tableau" not in text


def test_the_manager_reads_the_recommendations_before_validating(client, reference):
    case, cast = case_with_recommendations(Stage.REPORT_REVIEW)
    client.force_login(cast.board_member)
    text = text_of(client.get(reverse("cases:review", args=[case.pk])))
    assert (
        "Gestion financière — priorité haute : Construire un plan de trésorerie sur douze mois"
        in text
    )
    assert "Gouvernance — priorité moyenne : Former les administrateurs" in text
    version = case.report_versions.get()
    content = pdf.render_report_pdf(version, viewer=cast.board_member)
    reader = PdfReader(io.BytesIO(content))
    extracted = squeeze("".join(page.extract_text() for page in reader.pages))
    assert (
        squeeze("Gestion financière Haute Construire un plan de trésorerie sur douze mois")
        in extracted
    )
    assert squeeze("Gestion financière Basse Diversifier les financements") in extracted


def test_the_consultant_proposes_an_action_from_the_form(client, reference):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.consultant)
    url = reverse("cases:action_create", args=[case.pk])
    response = client.post(url, {"title": "Tenir un tableau de bord mensuel"})
    assert response.status_code == 302
    assert list(case.actions.values_list("title", "status", "origin", "owner")) == [
        ("Tenir un tableau de bord mensuel", "proposed", "consultant", "")
    ]
    client.force_login(cast.board_member)
    response = client.post(url, {"title": "Sans responsable"})
    assert response.context["form"].errors["owner"] == [
        "Indiquez la personne du centre qui porte l'action."
    ]


def test_the_centre_adapts_then_drops_an_action_from_the_plan_page(client, reference):
    case, cast, (treasury, funding, training, statutes) = accepted_plan()
    client.force_login(cast.board_member)
    url = reverse("cases:action_decide", args=[case.pk, statutes.pk])
    response = client.post(
        url,
        {
            "decision": "adapt",
            "title": "Réviser l'article 7 des statuts",
            "carried_by": cast.staff.pk,
            "due_date": "2027-06-30",
            "version": 1,
        },
    )
    assert response.status_code == 302
    statutes.refresh_from_db()
    assert (statutes.title, statutes.decision, statutes.carried_by, statutes.due_date) == (
        "Réviser l'article 7 des statuts",
        "adapted",
        cast.staff,
        dt.date(2027, 6, 30),
    )
    url = reverse("cases:action_status", args=[case.pk, statutes.pk])
    response = client.post(url, {"status": "dropped", "version": statutes.version})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Dites pourquoi l'action est abandonnée."]
    }
    statutes.refresh_from_db()
    assert statutes.status == "to_start"


def test_the_former_statuses_are_mapped_to_the_new_ones(reference):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("soutien.cases.migrations.0010_recommendations_action_plan")
    case, cast = case_at(Stage.SUPPORT)
    todo = Action.objects.create(case=case, title="A", owner="B", status="todo")
    abandoned = Action.objects.create(case=case, title="C", owner="D", status="abandoned")
    migration.forwards(apps, None)
    todo.refresh_from_db()
    abandoned.refresh_from_db()
    assert (todo.status, todo.status_reason) == ("to_start", "")
    assert (abandoned.status, abandoned.status_reason) == (
        "dropped",
        "Abandonnée avant que le motif soit demandé.",
    )
    migration.backwards(apps, None)
    assert sorted(case.actions.values_list("status", flat=True)) == ["abandoned", "todo"]
