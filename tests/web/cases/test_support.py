"""Restitution, action plan, closure, satisfaction, messages."""

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import ActionStatus, Channel, Stage
from tests.web.cases.conftest import flash, html

pytestmark = pytest.mark.django_db


def test_consultant_records_the_restitution_once(client, case_at):
    case, cast = case_at(Stage.RESTITUTION)
    client.force_login(cast.consultant)
    url = reverse("cases:restitution", args=[case.pk])
    response = client.post(url, {"starts_at": "2025-05-02T09:30", "place": "Au centre"})
    assert response.status_code == 200
    assert response.context["form"].errors["summary"]
    assert "Au centre" in html(response)
    data = {"starts_at": "2025-05-02T09:30", "summary": "Présenté et discuté."}
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT
    response = client.post(url, data)
    assert "Action déjà effectuée." in flash(response)
    assert case.meetings.filter(kind="restitution").count() == 1


def test_partner_meeting_after_the_restitution(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, "partner_meeting"]),
        {"starts_at": "2025-06-01T10:00", "summary": "Point avec les financeurs"},
    )
    assert response.status_code == 302
    client.force_login(cast.partner_state)
    assert "Point avec les financeurs" in html(client.get(reverse("cases:detail", args=[case.pk])))


def test_centre_adds_and_updates_an_action_and_a_stale_update_is_refused(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.board_member)
    response = client.post(reverse("cases:action_create", args=[case.pk]), {"title": "Budget"})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    response = client.post(
        reverse("cases:action_create", args=[case.pk]),
        {"title": "Budget prévisionnel", "owner": "La trésorière", "due_date": "2025-09-30"},
    )
    assert response.status_code == 302
    action = case.actions.get()
    url = reverse("cases:action_update", args=[case.pk, action.pk])
    response = client.post(
        url, {"status": ActionStatus.IN_PROGRESS, "note": "Premier jet", "version": 1}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.notes.get().text == "Premier jet"
    response = client.post(url, {"status": ActionStatus.DONE, "note": "", "version": 1})
    assert response.status_code == 200
    assert "modifié par quelqu'un d'autre" in response.context["form"].non_field_errors()[0]
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_the_consultant_does_not_update_actions_in_place_of_the_centre(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    action = services.action_add(case=case, by=cast.board_member, title="A", owner="B")
    client.force_login(cast.consultant)
    url = reverse("cases:action_update", args=[case.pk, action.pk])
    response = client.post(url, {"status": ActionStatus.DONE, "version": action.version})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.TO_START


def test_consultant_logs_a_support_session(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.consultant)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, "support_session"]),
        {"starts_at": "2025-07-01T10:00", "summary": "Atelier budget"},
    )
    assert response.status_code == 302
    assert case.meetings.filter(kind="support_session").exists()


def test_coordinator_closes_and_manager_answers_the_questionnaire(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.coordinator)
    url = reverse("cases:close", args=[case.pk])
    response = client.post(url, {"comment": "Fin"})
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"]
    client.post(url, {"outcome": "improved", "comment": "Fin"})
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert "Action déjà effectuée." in flash(client.post(url, {"outcome": "improved"}))

    client.force_login(cast.board_member)
    detail = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert reverse("cases:satisfaction", args=[case.pk]) in detail
    url = reverse("cases:satisfaction", args=[case.pk])
    data = {"usefulness": "5", "listening": "4", "ownership": "4", "would_recommend": "1"}
    assert client.post(url, {**data, "usefulness": ""}).status_code == 200
    assert client.post(url, data).status_code == 302
    assert case.satisfaction.usefulness == 5
    assert case.satisfaction.would_recommend is True
    assert "Action déjà effectuée." in flash(client.post(url, data))


def test_messages_and_private_notes_reach_only_their_readers(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    url = reverse("cases:message", args=[case.pk])
    client.force_login(cast.board_member)
    response = client.post(url, {"channel": Channel.MESSAGE, "body": "Bonjour à tous"})
    assert response.status_code == 302
    # The manager cannot write a private note.
    response = client.post(url, {"channel": Channel.PRIVATE_NOTE, "body": "Note du centre"})
    assert "Vous n'avez pas le droit de faire cette action." in flash(response)
    client.force_login(cast.partner_state)
    client.post(url, {"channel": Channel.PRIVATE_NOTE, "body": "Note des financeurs"})
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Note des financeurs" in page
    assert "Bonjour à tous" not in page
    for reader in (cast.consultant, cast.board_member):
        client.force_login(reader)
        page = html(client.get(reverse("cases:detail", args=[case.pk])))
        assert "Bonjour à tous" in page
        assert "Note des financeurs" not in page
    # Who will see what is typed is said beside the form.
    assert "Les partenaires financeurs ne le voient pas." in page


def test_an_empty_message_is_refused_beside_the_field(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)
    response = client.post(
        reverse("cases:message", args=[case.pk]), {"channel": Channel.MESSAGE, "body": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["Le message est vide."]
