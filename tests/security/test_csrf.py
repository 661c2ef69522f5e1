"""CSRF: every POST without a token is refused with the French page."""

import pytest
from django.test import Client

from soutien.directory.models import Role
from tests.factories import MembershipFactory
from tests.security.test_permission_matrix import all_url_patterns, sample_url

pytestmark = pytest.mark.django_db

CSRF_PAGE = "Formulaire expiré"
# The only URLs that take a POST without a CSRF token, each for a stated reason:
# one-click unsubscribe (RFC 8058): the mail provider posts with no session and no token;
# the signed link in the URL is the proof (an altered link is a 404, tested in
# tests/accounts/test_notification_preferences.py).
CSRF_EXEMPT = {"profile:unsubscribe"}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonyme", "connecté"])
def test_every_url_refuses_a_post_without_token(signed_in):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(MembershipFactory(role=Role.COORDINATOR).user)
    accepted = []
    for name, pattern in all_url_patterns():
        url = sample_url(name, pattern)
        if url is None or name in CSRF_EXEMPT:
            continue  # needs objects: covered once the case rows exist
        response = client.post(url, {"username": "x", "password": "y", "email": "a@b.fr"})
        if response.status_code != 403 or CSRF_PAGE not in response.content.decode():
            accepted.append((name, response.status_code))
    assert accepted == []


def test_login_with_a_token_still_works():
    client = Client(enforce_csrf_checks=True)
    MembershipFactory(user__email="marie@exemple.test")
    page = client.get("/compte/connexion/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/compte/connexion/",
        {
            "username": "marie@exemple.test",
            "password": "soutien-demo",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
