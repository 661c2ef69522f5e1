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
