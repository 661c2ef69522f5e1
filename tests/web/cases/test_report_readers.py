import pytest
from django.urls import reverse

from soutien.cases.enums import Stage
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_the_manager_sees_who_read_the_report(reference, client):
    case, cast = case_at(Stage.RESTITUTION)
    version = case.report_versions.get(status="validated")
    client.force_login(cast.partner_state)
    assert (
        client.get(reverse("cases:report_version", args=[case.pk, version.number])).status_code
        == 200
    )
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Qui a consulté le rapport" not in html  # a partner does not see the readers
    client.force_login(cast.board_member)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Qui a consulté le rapport" in html
    assert cast.partner_state.get_full_name() in html or cast.partner_state.email in html


def test_centre_employees_update_their_actions_from_the_stage_page(reference, client):
    from soutien.cases import services

    case, cast = case_at(Stage.SUPPORT)
    action = services.action_add(
        case=case, by=cast.board_member, title="Plan de trésorerie", owner="Le trésorier"
    )
    client.force_login(cast.staff)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Plan de trésorerie" in html
    assert "voient seulement l'étape" in html  # still the stage-only page
    response = client.post(
        reverse("cases:action_update", args=[case.pk, action.pk]),
        {"status": "in_progress", "note": "Tableau commencé.", "version": action.version},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
