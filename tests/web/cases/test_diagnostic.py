"""Diagnostic, report, review: assignment, interviews, findings, versions, visibility."""

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import ReportStatus, Stage
from soutien.directory.models import Domain
from tests.web.cases.conftest import flash, html

pytestmark = pytest.mark.django_db

SECTIONS = {
    "context": "Deux visites.",
    "analysis": "Analyse détaillée.",
    "recommendations": "Former le trésorier.",
    "summary": "Synthèse.",
}


def diagnostic_without_consultant(case_at):
    """A case just validated by the funders: nobody assigned yet."""
    from soutien.cases.enums import DecisionOutcome

    case, cast = case_at(Stage.REFERRAL)
    services.case_decide(
        case=case, by=cast.coordinator, outcome=DecisionOutcome.VALIDATED, justification="Comité"
    )
    return case, cast


def test_a_consultant_of_the_provider_assigns_a_consultant(client, case_at):
    case, cast = diagnostic_without_consultant(case_at)
    client.force_login(cast.other_consultant)
    url = reverse("cases:assign", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"consultant": cast.consultant.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.consultant == cast.consultant
    client.force_login(cast.consultant)
    response = client.post(url, {"consultant": cast.consultant.pk})
    assert "Action déjà effectuée." in flash(response)


def test_assigning_someone_outside_the_provider_is_refused_beside_the_field(client, case_at):
    case, cast = diagnostic_without_consultant(case_at)
    client.force_login(cast.consultant)
    response = client.post(
        reverse("cases:assign", args=[case.pk]), {"consultant": cast.outsider.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["consultant"]


def test_consultant_records_an_interview_and_findings(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, "interview"]),
        {"starts_at": "2025-04-01T14:00", "attendees_text": "La présidente"},
    )
    assert response.status_code == 302
    assert case.meetings.get(kind="interview").attendees_text == "La présidente"
    domain = Domain.objects.first()
    url = reverse("cases:findings", args=[case.pk])
    response = client.post(
        url, {"domain": domain.pk, "observations": "Trésorerie tendue", "risk_level": "high"}
    )
    assert response.status_code == 302
    assert case.findings.get(domain=domain).risk_level == "high"
    response = client.get(url + f"?champ={domain.pk}")
    assert response.context["form"].initial["observations"] == "Trésorerie tendue"


def test_report_is_saved_then_submitted_and_a_double_post_says_already_done(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    url = reverse("cases:report", args=[case.pk])
    response = client.post(url, {**SECTIONS, "version": case.version, "action": "save"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC
    data = {**SECTIONS, "version": case.version, "action": "submit"}
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.REPORT_REVIEW
    response = client.post(url, data)
    assert "Action déjà effectuée." in flash(response)
    assert case.report_versions.count() == 1


def test_report_submission_without_analysis_keeps_the_text(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    response = client.post(
        reverse("cases:report", args=[case.pk]),
        {**SECTIONS, "analysis": "", "version": case.version, "action": "submit"},
    )
    assert response.status_code == 200
    assert "Rédigez au moins l'analyse" in response.context["form"].non_field_errors()[0]
    assert "Former le trésorier." in html(response)
    case.refresh_from_db()
    assert response.context["form"]["version"].value() == str(case.version)


def test_a_stale_report_form_is_refused(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    url = reverse("cases:report", args=[case.pk])
    stale = case.version
    client.post(url, {**SECTIONS, "version": stale, "action": "save"})
    response = client.post(
        url, {**SECTIONS, "analysis": "Écrasement", "version": stale, "action": "save"}
    )
    assert response.status_code == 200
    assert "modifié par quelqu'un d'autre" in response.context["form"].non_field_errors()[0]
    assert case.report_versions.get().analysis == "Analyse détaillée."


def test_manager_asks_for_changes_then_validates_and_every_version_is_kept(client, case_at):
    case, cast = case_at(Stage.REPORT_REVIEW)
    client.force_login(cast.board_member)
    url = reverse("cases:review", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "changes", "comment": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["comment"]
    response = client.post(url, {"decision": "changes", "comment": "Précisez les chiffres."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC
    response = client.post(url, {"decision": "changes", "comment": "Précisez les chiffres."})
    assert "Action déjà effectuée." in flash(response)

    client.force_login(cast.consultant)
    client.post(
        reverse("cases:report", args=[case.pk]),
        {**SECTIONS, "analysis": "V2", "version": case.version, "action": "submit"},
    )
    client.force_login(cast.board_member)
    response = client.post(url, {"decision": "validate"})
    case.refresh_from_db()
    assert case.stage == Stage.RESTITUTION
    statuses = list(case.report_versions.values_list("number", "status"))
    assert statuses == [(1, ReportStatus.CHANGES_REQUESTED), (2, ReportStatus.VALIDATED)]
    page = html(client.get(reverse("cases:report", args=[case.pk])))
    assert "Version 1" in page and "Version 2" in page


def test_partners_read_only_the_validated_version(client, case_at):
    case, cast = case_at(Stage.REPORT_REVIEW)
    version_url = reverse("cases:report_version", args=[case.pk, 1])
    client.force_login(cast.partner_state)
    assert client.get(version_url).status_code == 404
    page = html(client.get(reverse("cases:report", args=[case.pk])))
    assert "Aucune version ne vous est accessible" in page
    assert "Rapport en relecture par le gestionnaire" in page

    services.report_validate(case=case, by=cast.board_member)
    response = client.get(version_url)
    assert response.status_code == 200
    assert "Le modèle économique repose sur une seule subvention." in html(response)


def test_report_view_is_recorded_in_the_audit_log(client, case_at):
    from soutien.audit.models import AuditEntry

    case, cast = case_at(Stage.REPORT_REVIEW)
    client.force_login(cast.board_member)
    client.get(reverse("cases:report_version", args=[case.pk, 1]))
    assert AuditEntry.objects.filter(action="report.view", actor_id=cast.board_member.pk).exists()
