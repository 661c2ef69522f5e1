"""« Vos contacts » on the case page: the manager side sees the designated consultant and
the coordination of the Caf (policies.can_view_contacts, selectors.case_contacts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.cases import policies
from soutien.cases.enums import Stage
from soutien.directory.models import Organisation, OrganisationKind, Role
from tests.builders import make_cast
from tests.factories import MembershipFactory
from tests.web.cases.conftest import html

pytestmark = pytest.mark.django_db

CAF_EMAIL = "convention-cadre-centres-sociaux.cafmarseille@caf.cnafmail.fr"


def page_for(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return html(response)


def name_cast(cast):
    cast.consultant.first_name, cast.consultant.last_name = "Claire", "Vidal"
    cast.consultant.phone = "06 12 34 56 78"
    cast.consultant.save(update_fields=["first_name", "last_name", "phone"])
    cast.coordinator.first_name, cast.coordinator.last_name = "Nadia", "Benali"
    cast.coordinator.save(update_fields=["first_name", "last_name"])


def test_the_manager_sees_the_consultant_and_the_coordination(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    name_cast(cast)
    page = page_for(client, cast.board_member, case)
    assert "Vos contacts" in page
    assert "Claire Vidal" in page
    assert f'href="mailto:{cast.consultant.email}"' in page
    assert "06 12 34 56 78" in page
    assert "Nadia Benali" in page
    assert f'href="mailto:{cast.coordinator.email}"' in page
    # The coordination's own address and phone, from the directory.
    assert CAF_EMAIL in page
    assert "04 91 05 53 46" in page


def test_before_a_consultant_is_designated_the_box_says_so(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    name_cast(cast)
    page = page_for(client, cast.board_member, case)
    assert "Vos contacts" in page
    assert "Aucun consultant n'est encore désigné" in page
    assert "Claire Vidal" not in page
    assert "Nadia Benali" in page


def test_the_staff_of_a_federation_that_manages_the_centre_sees_it(client, reference):
    from tests.builders import case_at

    case, cast = case_at(Stage.DIAGNOSTIC, make_cast(federation=True))
    name_cast(cast)
    page = page_for(client, cast.board_member, case)  # a federation employee here
    assert "Vos contacts" in page
    assert "Claire Vidal" in page


@pytest.mark.parametrize("role", ["coordinator", "partner_state", "consultant"])
def test_the_others_who_follow_the_case_do_not_get_the_box(client, case_at, role):
    case, cast = case_at(Stage.DIAGNOSTIC)
    assert "Vos contacts" not in page_for(client, getattr(cast, role), case)


def test_the_policy_says_who_sees_the_contacts(case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    expected = {
        "board_member": True,
        "staff": False,
        "coordinator": False,
        "partner_state": False,
        "partner_commune": False,
        "partner_other_commune": False,
        "consultant": False,
        "other_consultant": False,
        "evaluator": False,
        "outsider": False,
    }
    observed = {role: policies.can_view_contacts(getattr(cast, role), case) for role in expected}
    assert observed == expected


def test_the_employee_of_an_association_centre_does_not_get_the_contacts(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    name_cast(cast)
    page = page_for(client, cast.staff, case)
    assert "Vos contacts" not in page
    assert cast.consultant.email not in page


def test_closed_accounts_and_empty_directory_entries_are_left_out(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    name_cast(cast)
    gone = MembershipFactory(
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
        user__first_name="Paul",
        user__last_name="Ancien",
    ).user
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    Organisation.objects.filter(kind=OrganisationKind.COORDINATOR).update(email="", phone="")
    page = page_for(client, cast.board_member, case)
    assert "Paul Ancien" not in page
    assert CAF_EMAIL not in page
    assert "Nadia Benali" in page


def test_the_box_costs_the_same_queries_whatever_the_number_of_coordinators(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    client.force_login(cast.board_member)
    url = reverse("cases:detail", args=[case.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request also fills per-process caches
    few = count()
    for _ in range(5):
        MembershipFactory(organisation=caf, role=Role.COORDINATOR)
    count()  # the new memberships made the process forget the contacts: read again
    assert count() == few
