"""HTTP security headers, the no-store policy of case pages, the deployment checklist."""

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from soutien.security.decorators import private_page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_home_page_headers(client):
    response = client.get(reverse("public:home"))
    csp = directives(response["Content-Security-Policy"])
    assert "'self'" in csp["script-src"]
    assert any(source.startswith("'nonce-") for source in csp["script-src"])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nonce_changes_with_each_response(client):
    first = client.get(reverse("public:home"))["Content-Security-Policy"]
    second = client.get(reverse("public:home"))["Content-Security-Policy"]
    assert first != second


def prod_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("ALLOWED_HOSTS", "soutien.example")
    import config.settings.prod as prod

    return importlib.reload(prod)


def test_production_settings_force_https_and_hsts(monkeypatch):
    prod = prod_settings(monkeypatch)
    assert prod.DEBUG is False
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True


def test_hsts_header_is_sent_over_https_with_production_values(client, settings, monkeypatch):
    prod = prod_settings(monkeypatch)
    settings.SECURE_HSTS_SECONDS = prod.SECURE_HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    settings.SECURE_HSTS_PRELOAD = prod.SECURE_HSTS_PRELOAD
    response = client.get(reverse("public:home"), secure=True)
    hsts = response["Strict-Transport-Security"]
    assert f"max-age={prod.SECURE_HSTS_SECONDS}" in hsts
    assert "includeSubDomains" in hsts


def test_deployment_checklist_is_clean():
    """``check --deploy --fail-level WARNING`` with the production settings."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="soutien.example",
        EMAIL_HOST="smtp.example",
        SOUTIEN_HOST_NAME="Hébergeur",
        SOUTIEN_HOST_ADDRESS="Adresse",
        SOUTIEN_HOST_PHONE="0400000000",
        SOUTIEN_DPO_EMAIL="dpo@soutien.example",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/soutien-check.sqlite3"),
    )
    # The browser tests' setting (same process under xdist) must not leak into production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(  # noqa: S603 - fixed command, no user input
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_private_page_forbids_any_copy():
    view = private_page(lambda request: HttpResponse("dossier"))
    response = view(RequestFactory().get("/dossiers/1/"))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache", "max-age=0"} <= cache_control
    assert response.content == b"dossier"


def test_security_pages_are_private(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    for name in [
        "security:index",
        "security:personal_data",
        "security:personal_data_page",
        "security:two_factor_setup",
    ]:
        response = client.get(reverse(name))
        assert "no-store" in response["Cache-Control"], name
