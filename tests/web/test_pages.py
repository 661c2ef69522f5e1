import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from soutien.accounts.models import User
from soutien.directory.demo import demo_accounts
from tests.security.helpers import needs_second_factor, verify_two_factor

pytestmark = pytest.mark.django_db


def h1_count(html: str) -> int:
    return len(re.findall(r"<h1[\s>]", html))


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_public_home_needs_no_login(client):
    response = client.get(reverse("public:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert h1_count(html) == 1
    assert 'href="#contenu"' in html
    assert "Soutien" in title(html)


def test_private_pages_require_login(client):
    response = client.get(reverse("web:my_space"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("account", demo_accounts(), ids=lambda a: a.email)
def test_each_demo_role_lands_on_its_space(client, demo, account):
    response = client.post(
        reverse("accounts:login"), {"username": account.email, "password": "soutien-demo"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    user = User.objects.get(email=account.email)
    if needs_second_factor(user):
        # Roles that see many case files pass the second factor first.
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("security:two_factor_setup"))
        response = verify_two_factor(client, user)
        assert response.status_code == 302
        response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(html) == 1
    assert title(html) == "Mon espace — Soutien"
    if account.organisation:
        assert escape(account.organisation) in html
        assert escape(response.context["memberships"][0].get_role_display()) in html
    else:
        assert reverse("admin:index") in html


def test_unknown_page_is_a_french_404_without_detail(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Traceback" not in html


def test_server_error_is_a_french_500_without_detail(client, settings):
    settings.ROOT_URLCONF = "tests.web.failing_urls"
    client.raise_request_exception = False
    response = client.get("/panne/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Le service a rencontré une erreur" in html
    assert "secret technical detail" not in html
    assert "Traceback" not in html


def test_unique_titles_across_pages(client, demo):
    client.force_login(User.objects.get(email="coordination@caf13.demo"))
    urls = [
        reverse("public:home"),
        reverse("web:my_space"),
        reverse("accounts:password_reset"),
    ]
    titles = [title(client.get(url).content.decode()) for url in urls]
    assert len(set(titles)) == len(titles)


def test_admin_is_in_french(client, demo):
    client.force_login(User.objects.get(email="admin@soutien.demo"))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Annuaire" in html
    assert "Centres sociaux" in html
