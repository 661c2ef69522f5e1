"""« Mon espace » shows the coordination the account requests awaiting its decision."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.accounts.models import AccountRequest, AccountRequestStatus
from soutien.directory.models import Role
from tests.builders import make_cast

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def request_from(first_name, last_name, organisation, received, status=None):
    request = AccountRequest.objects.create(
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}@exemple.test",
        organisation_name=organisation,
        role=Role.STAFF,
        status=status or AccountRequestStatus.PENDING,
    )
    # created_at is set on creation (auto_now_add): move it to the day wanted.
    AccountRequest.objects.filter(pk=request.pk).update(
        created_at=dt.datetime(*received, 10, 0, tzinfo=PARIS)
    )
    return request


def test_the_coordinator_sees_the_pending_requests_newest_first(client, coordinator):
    request_from("Inès", "Durand", "Centre social La Treille", (2026, 11, 3))
    request_from("Karim", "Haddad", "Centre social Les Olives", (2026, 11, 20))
    request_from("Léa", "Martin", "Centre social Air Bel", (2026, 11, 12))
    request_from("Omar", "Refusé", "Ailleurs", (2026, 11, 25), AccountRequestStatus.REFUSED)
    client.force_login(coordinator)
    response = client.get(reverse("web:my_space"))
    page = response.content.decode()
    assert response.context["account_requests"]["count"] == 3
    assert [r.last_name for r in response.context["account_requests"]["newest"]] == [
        "Haddad",
        "Martin",
        "Durand",
    ]
    assert "Demandes de compte en attente" in page
    assert "3 demandes de compte attendent votre décision :" in page
    assert "Centre social Les Olives — reçue le 20/11/2026" in page
    assert "Refusé" not in page
    assert f'href="{reverse("public:account_requests")}"' in page
    assert "Gérer les demandes de compte" in page


def test_only_the_five_newest_are_listed_with_the_full_count(client, coordinator):
    for day in range(1, 8):
        request_from(f"Personne{day}", f"Nom{day}", "Centre", (2026, 10, day))
    client.force_login(coordinator)
    response = client.get(reverse("web:my_space"))
    newest = response.context["account_requests"]["newest"]
    assert [r.last_name for r in newest] == ["Nom7", "Nom6", "Nom5", "Nom4", "Nom3"]
    assert "7 demandes de compte attendent votre décision ; les plus récentes :" in (
        response.content.decode()
    )


def test_with_none_pending_the_coordinator_is_told_so(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("web:my_space")).content.decode()
    assert "Aucune demande de compte n'attend votre décision." in page


@pytest.mark.parametrize("role", ["board_member", "partner_state", "consultant", "evaluator"])
def test_other_roles_do_not_see_account_requests(client, reference, role):
    request_from("Inès", "Durand", "Centre social La Treille", (2026, 11, 3))
    cast = make_cast()
    client.force_login(getattr(cast, role))
    response = client.get(reverse("web:my_space"))
    assert response.context["account_requests"] is None
    page = response.content.decode()
    assert "Demandes de compte en attente" not in page
    assert "Durand" not in page


def test_the_home_keeps_a_constant_number_of_queries(client, coordinator):
    client.force_login(coordinator)
    url = reverse("web:my_space")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    request_from("Inès", "Durand", "Centre", (2026, 11, 3))
    count()  # the first request also fills per-process caches
    few = count()
    for day in range(1, 13):
        request_from(f"P{day}", f"N{day}", "Centre", (2026, 10, day))
    assert count() == few
