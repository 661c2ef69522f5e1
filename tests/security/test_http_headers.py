"""HTTP holes of issue 11, point 9: a bogus Host header answers the French 400 page,
every response carries a Permissions-Policy, and the pages of a signed-in person and
the account-request pages are never kept by a browser or a proxy."""

import pytest
from django.urls import reverse

from soutien.directory.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

DENIED = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "midi",
    "display-capture",
    "browsing-topics",
]


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def assert_never_kept(response, what):
    assert {"no-store", "private", "no-cache", "max-age=0"} <= cache_control(response), what


def permissions(response) -> dict[str, str]:
    """``camera=(), fullscreen=(self)`` → ``{"camera": "()", "fullscreen": "(self)"}``."""
    header = response["Permissions-Policy"]
    return dict(part.strip().split("=", 1) for part in header.split(","))


# --- Bogus Host header --------------------------------------------------------------


def test_a_bogus_host_answers_the_french_400_page(client):
    response = client.get(reverse("public:home"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête refusée" in page
    assert "Se connecter" in page  # rendered for an anonymous visitor
    assert "evil.example" not in page
    assert permissions(response)["camera"] == "()"


def test_a_bogus_host_never_reads_the_session_of_a_signed_in_person(client):
    user = UserFactory(first_name="Dominique", last_name="Secrète")
    client.force_login(user)
    response = client.get(reverse("web:my_space"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête refusée" in page
    assert "Secrète" not in page and user.email not in page
    assert "Se connecter" in page


def test_a_bogus_host_is_a_400_even_when_refused_by_the_https_redirect(client, settings):
    """In production, SecurityMiddleware (the HTTPS redirect) reads the host first."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("public:home"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Requête refusée" in response.content.decode()
    assert "Permissions-Policy" in response


def test_a_known_host_is_still_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("public:home"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


# --- Permissions-Policy -------------------------------------------------------------


def test_every_response_switches_off_unused_browser_features(client):
    user = UserFactory()
    anonymous = [
        client.get(reverse("public:home")),
        client.get("/page-qui-n-existe-pas/"),
        client.get(reverse("public:blank_information_form")),
    ]
    client.force_login(user)
    for response in [*anonymous, client.get(reverse("web:my_space"))]:
        policy = permissions(response)
        for feature in DENIED:
            assert policy[feature] == "()", (response.status_code, feature)
        # The browser's PDF viewer may present in full screen, for this site only.
        assert policy["fullscreen"] == "(self)"


# --- No copy of private pages -------------------------------------------------------


def test_my_space_is_never_kept(client):
    client.force_login(UserFactory())
    response = client.get(reverse("web:my_space"))
    assert response.status_code == 200
    assert_never_kept(response, "web:my_space")


def test_every_page_served_to_a_signed_in_person_is_never_kept(client, coordinator):
    """Decided once for all of them (the middleware): even a public page shows their name,
    and the management pages list the people who asked for an account."""
    client.force_login(coordinator)
    for name in ["public:home", "public:manage", "public:account_requests", "security:index"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_never_kept(response, name)


def test_a_view_that_sets_its_own_cache_rule_keeps_it(client, coordinator):
    """Public reference data (the commune outlines of the evaluation map) may be kept a
    day by the browser of the person, as its view says."""
    client.force_login(coordinator)
    response = client.get(reverse("evaluation:communes_geojson"), {"couche": "departement"})
    assert response.status_code == 200
    assert cache_control(response) == {"private", "max-age=86400"}


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    response = client.get(reverse("public:home"))
    assert "no-store" not in cache_control(response)


def test_account_request_pages_are_never_kept(client, reference):
    form = client.get(reverse("public:account_request"))
    assert_never_kept(form, "formulaire")
    # A form sent back with errors holds what the person typed.
    invalid = client.post(
        reverse("public:account_request"),
        {"first_name": "Camille", "last_name": "Martin", "email": "pas-une-adresse"},
    )
    assert invalid.status_code == 200
    assert "Camille" in invalid.content.decode()
    assert_never_kept(invalid, "formulaire renvoyé")
    assert_never_kept(client.get(reverse("public:account_request_sent")), "demande envoyée")
    invitation = client.get(reverse("public:invitation", args=["jeton-inconnu"]))
    assert invitation.status_code == 410
    assert_never_kept(invitation, "invitation")


def test_a_centre_member_gets_no_store_on_every_page(client):
    membership = MembershipFactory(role=Role.BOARD_MEMBER)
    client.force_login(membership.user)
    for name in ["web:my_space", "public:contact", "security:personal_data"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_never_kept(response, name)
