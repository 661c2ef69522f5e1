"""Login throttling (django-axes): 5 failures for one account (see test_lockout.py for
the limits across addresses and accounts)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from soutien.audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "Connexion temporairement bloquée"


def attempt(client, password, email="marie@exemple.test", ip="192.0.2.10"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def fail_five_times(client, **kwargs):
    for _ in range(5):
        attempt(client, "mauvais", **kwargs)


def test_sixth_attempt_is_refused_even_with_the_right_password(client):
    UserFactory(email="marie@exemple.test")
    for _ in range(4):
        assert attempt(client, "mauvais").status_code == 200
    fail_five_times_response = attempt(client, "mauvais")
    assert fail_five_times_response.status_code == 429
    response = attempt(client, "soutien-demo")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_MESSAGE in html
    assert "15 minutes" in html
    assert '<html lang="fr"' in html
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login.locked").exists()


def test_the_account_lock_holds_from_every_address_but_spares_other_accounts(client):
    UserFactory(email="marie@exemple.test")
    UserFactory(email="paul@exemple.test")
    fail_five_times(client)
    # Same address, another account: still works (5 failures is far below the address limit).
    assert attempt(client, "soutien-demo", email="paul@exemple.test").status_code == 302
    client.post(reverse("accounts:logout"))
    # Same account, another address: locked too.
    assert attempt(client, "soutien-demo", ip="198.51.100.20").status_code == 429


def test_the_lock_ignores_the_case_of_the_address(client):
    UserFactory(email="marie@exemple.test")
    for email in ["Marie@exemple.test", "MARIE@exemple.test", "marie@Exemple.test"] * 2:
        attempt(client, "mauvais", email=email)
    assert attempt(client, "soutien-demo").status_code == 429


def test_axes_reset_unlocks(client):
    UserFactory(email="marie@exemple.test")
    fail_five_times(client)
    call_command("axes_reset", verbosity=0)
    assert attempt(client, "soutien-demo").status_code == 302


def test_cool_off_unlocks_after_fifteen_minutes(client):
    UserFactory(email="marie@exemple.test")
    fail_five_times(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert attempt(client, "soutien-demo").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "soutien-demo").status_code == 302


def test_an_administrator_unlocks_from_the_admin(client):
    UserFactory(email="marie@exemple.test")
    fail_five_times(client)
    lock = AccessAttempt.objects.get()
    admin = UserFactory(is_superuser=True, is_staff=True)
    admin_client = client.__class__()
    admin_client.force_login(admin)
    url = reverse("admin:axes_accessattempt_delete", args=[lock.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "soutien-demo").status_code == 302
