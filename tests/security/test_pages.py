"""Security pages: audit log for the coordinator, personal data export."""

import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from soutien.audit.models import AuditEntry
from soutien.audit.selectors import audit_chain_check
from soutien.audit.services import audit_record
from soutien.directory.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = MembershipFactory(role=Role.COORDINATOR, user__email="coord@caf.test").user
    client.force_login(user)
    return user


def test_coordinator_filters_the_audit_log(client, coordinator):
    reader = UserFactory(email="lecteur@exemple.test")
    audit_record(action="report.view", actor=reader, case=7)
    audit_record(action="case.view", actor=reader)
    url = reverse("security:audit_log")
    response = client.get(url, {"action": "report.view"})
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert [e.action for e in entries] == ["report.view"]
    response = client.get(url, {"actor": "lecteur"})
    assert {e.action for e in response.context["page"].object_list} == {
        "report.view",
        "case.view",
    }
    assert "lecteur@exemple.test" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_audit_log_keeps_a_constant_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    for index in range(60):
        audit_record(action=f"case.view{index % 3}", actor=coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("security:audit_log"))
    assert len(response.context["page"].object_list) == 50


def test_invalid_filter_is_explained_in_french(client, coordinator):
    response = client.get(
        reverse("security:audit_log"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert "La date de fin doit suivre la date de début" in response.content.decode()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.CONSULTANT, Role.BOARD_MEMBER])
def test_others_may_not_read_the_audit_log(client, role):
    user = MembershipFactory(role=role).user
    client.force_login(user)
    response = client.get(reverse("security:audit_log"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_personal_data_download(client):
    user = MembershipFactory(
        user__email="marie@exemple.test", user__first_name="Marie", function="Présidente"
    ).user
    other = UserFactory(email="autre@exemple.test")
    audit_record(action="case.view", actor=other)
    client.force_login(user)
    response = client.get(reverse("security:personal_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == "marie@exemple.test"
    assert data["profile"]["first_name"] == "Marie"
    assert data["memberships"][0]["function"] == "Présidente"
    actions = [entry["action"] for entry in data["audit_entries"]]
    assert "login.success" in actions
    assert "case.view" not in actions  # someone else's entry
    assert "password" not in response.content.decode()
    assert AuditEntry.objects.filter(action="data.export", actor_id=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Threads appending at once (own connections) never fork the chain.

    Runs on PostgreSQL (the CI's second pass): the SQLite test database lives in
    shared-cache memory, where concurrent writers fail at once instead of waiting as
    they do on the file database (BEGIN IMMEDIATE with a 20 s timeout)."""
    if connection.vendor == "sqlite":
        pytest.skip("concurrence vérifiée sur PostgreSQL (base SQLite de test en mémoire)")
    errors = []

    def append(worker):
        try:
            for index in range(10):
                audit_record(action=f"w{worker}.{index}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 40
    report = audit_chain_check()
    assert report.ok, report
    assert report.checked == 40
