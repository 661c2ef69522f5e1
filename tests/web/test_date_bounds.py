"""Dates out of any sensible range (year 1, year 9999) are a French error beside the field,
never a server error: they overflow as soon as a day or a time zone is added to them."""

import pytest
from django.urls import reverse

from soutien.cases.enums import MeetingKind, Stage
from tests.builders import case_at
from tests.evaluation.dataset import build_dataset
from tests.factories import MembershipFactory
from web.forms import OUT_OF_RANGE

pytestmark = pytest.mark.django_db

EXTREMES = ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01"]


def _error_beside(response, field):
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert OUT_OF_RANGE in errors[field], errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html or f"{field}_error" in html


@pytest.mark.parametrize("day", EXTREMES)
def test_meeting_dates(client, reference, day):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL]),
        {"mode": "plan", "starts_at": f"{day}T10:00", "place": "Salle du conseil"},
    )
    _error_beside(response, "starts_at")
    assert "Salle du conseil" in response.content.decode()
    assert not case.meetings.exists()


@pytest.mark.parametrize("day", EXTREMES)
def test_action_due_date(client, reference, day):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.board_member)
    response = client.post(
        reverse("cases:action_create", args=[case.pk]),
        {"title": "Budget prévisionnel", "owner": "La trésorière", "due_date": day},
    )
    _error_beside(response, "due_date")
    assert not case.actions.exists()


@pytest.mark.parametrize("day", EXTREMES)
@pytest.mark.parametrize("field", ["start", "end"])
def test_evaluation_period(client, reference, day, field):
    data = build_dataset()
    client.force_login(data.coordinator)  # only the coordination chooses free dates
    response = client.get(reverse("evaluation:index"), {field: day})
    _error_beside(response, field)
    # Exports and map data refuse an invalid filter outright (as for another territory).
    for name in ("evaluation:export_csv", "evaluation:map_data"):
        assert client.get(reverse(name), {field: day}).status_code == 404


@pytest.mark.parametrize("day", EXTREMES)
def test_audit_log_filters(client, reference, day):
    from soutien.directory.models import Organisation, OrganisationKind, Role

    coordinator = MembershipFactory(
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
    ).user
    client.force_login(coordinator)
    for field in ("date_from", "date_to"):
        response = client.get(reverse("security:audit_log"), {field: day})
        _error_beside(response, field)


def test_the_browser_is_told_the_bounds(client, reference):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    html = client.get(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL])
    ).content.decode()
    assert 'min="2000-01-01T00:00"' in html and 'max="2099-12-31T23:59"' in html
