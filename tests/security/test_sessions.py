"""Sessions: new key at login, idle timeout, absolute lifetime, server-side logout."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from soutien.security.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MY_SPACE = "/mon-espace/"


def login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "soutien-demo"}
    )
    assert response.status_code == 302


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    if "started" in seconds_ago:
        session[SESSION_STARTED_KEY] = now - seconds_ago["started"]
    if "seen" in seconds_ago:
        session[SESSION_SEEN_KEY] = now - seconds_ago["seen"]
    session.save()


def test_login_gives_a_new_session_key(client):
    user = UserFactory()
    client.get(reverse("accounts:login"))
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    login(client, user)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_idle_session_ends(client, settings):
    settings.SOUTIEN_SESSION_IDLE_SECONDS = 1800
    login(client, UserFactory())
    assert client.get(MY_SPACE).status_code == 200
    shift_session(client, seen=1799)
    assert client.get(MY_SPACE).status_code == 200
    shift_session(client, seen=1801)
    response = client.get(MY_SPACE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(client):
    login(client, UserFactory())
    client.get(MY_SPACE)
    shift_session(client, seen=1700)
    assert client.get(MY_SPACE).status_code == 200
    # The request refreshed the last-seen time: still alive well after the first.
    assert int(time.time()) - client.session[SESSION_SEEN_KEY] < 5


def test_session_ends_after_its_absolute_lifetime_despite_activity(client, settings):
    settings.SOUTIEN_SESSION_MAX_SECONDS = 8 * 3600
    login(client, UserFactory())
    client.get(MY_SPACE)
    shift_session(client, started=8 * 3600 - 10, seen=0)
    assert client.get(MY_SPACE).status_code == 200
    shift_session(client, started=8 * 3600 + 10, seen=0)
    assert client.get(MY_SPACE).status_code == 302
    assert "_auth_user_id" not in client.session


def test_expired_session_tells_the_user_why(client):
    login(client, UserFactory())
    client.get(MY_SPACE)
    shift_session(client, seen=4000)
    response = client.get(MY_SPACE, follow=True)
    assert "Votre session a expiré" in response.content.decode()


def test_logout_destroys_the_session_on_the_server(client):
    login(client, UserFactory())
    old_key = client.session.session_key
    assert client.get(MY_SPACE).status_code == 200
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    # Replaying the old cookie does not authenticate.
    thief = Client()
    thief.cookies["sessionid"] = old_key
    assert thief.get(MY_SPACE).status_code == 302
