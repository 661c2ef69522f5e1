"""Lockout per account across addresses and per address across accounts (ASVS 5.0
level 2): password spraying and distributed guessing are both stopped."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.66"


def attempt(client, email, password, ip):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_spraying_one_password_over_many_accounts_from_one_address_is_locked(client):
    emails = [f"personne{n}@exemple.test" for n in range(21)]
    for email in emails:
        UserFactory(email=email)
    # One try per account (far below the 5 per account), 19 accounts: still answered.
    for email in emails[:19]:
        assert attempt(client, email, "Printemps2026!", SPRAYER).status_code == 200
    # The 20th failure from the address locks it, whatever the account.
    assert attempt(client, emails[19], "Printemps2026!", SPRAYER).status_code == 429
    response = attempt(client, emails[20], "soutien-demo", SPRAYER)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not concerned.
    assert attempt(client, emails[20], "soutien-demo", "198.51.100.7").status_code == 302


def test_many_addresses_on_one_account_are_locked(client):
    UserFactory(email="marie@exemple.test")
    for n in range(5):
        response = attempt(client, "marie@exemple.test", "mauvais", f"192.0.2.{n + 1}")
        assert response.status_code == (429 if n == 4 else 200)
    # A sixth address, with the right password: the account stays locked.
    assert attempt(client, "marie@exemple.test", "soutien-demo", "192.0.2.99").status_code == 429


def test_a_sprayer_cannot_reset_the_address_counter_with_an_account_of_their_own(client):
    """Attack: fail 19 times over other accounts, log into one's own account (a success
    resets the failures), go on. The success only forgets the failures of that account."""
    UserFactory(email="complice@exemple.test")
    for n in range(19):
        UserFactory(email=f"cible{n}@exemple.test")
        assert attempt(client, f"cible{n}@exemple.test", "mauvais", SPRAYER).status_code == 200
    assert attempt(client, "complice@exemple.test", "soutien-demo", SPRAYER).status_code == 302
    client.post(reverse("accounts:logout"))
    UserFactory(email="cible19@exemple.test")
    assert attempt(client, "cible19@exemple.test", "mauvais", SPRAYER).status_code == 429


def test_a_success_forgets_the_account_failures_from_every_address(client):
    UserFactory(email="marie@exemple.test")
    for n in range(4):
        attempt(client, "marie@exemple.test", "mauvais", f"192.0.2.{n + 1}")
    assert attempt(client, "marie@exemple.test", "soutien-demo", "192.0.2.50").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert attempt(client, "marie@exemple.test", "mauvais", "192.0.2.60").status_code == 200


def test_the_lockout_is_counted_in_the_database(settings):
    """django-axes' database handler (ours extends it): every process sees the same
    counts, unlike its cache handler on a per-process cache."""
    from axes.handlers.database import AxesDatabaseHandler
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.AXES_HANDLER), AxesDatabaseHandler)
