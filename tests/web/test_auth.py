import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_and_password(client):
    user = UserFactory(email="marie@exemple.test")
    response = client.post(
        reverse("accounts:login"),
        {"username": "Marie@Exemple.test", "password": "soutien-demo"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:my_space")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_gets_a_french_message_and_keeps_the_email(client):
    UserFactory(email="marie@exemple.test")
    response = client.post(
        reverse("accounts:login"), {"username": "marie@exemple.test", "password": "faux"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Adresse électronique ou mot de passe incorrect" in content
    assert 'value="marie@exemple.test"' in content
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:my_space")).status_code == 302


def test_password_reset_by_email(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="marie@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):  # through the outbox
        response = client.post(reverse("accounts:password_reset"), {"email": "marie@exemple.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["marie@exemple.test"]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"http://testserver(/compte/mot-de-passe/nouveau/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "Un-nouveau-secret-2026", "new_password2": "Un-nouveau-secret-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Un-nouveau-secret-2026")
    # The link served once: a second use is refused.
    response = client.get(link, follow=True)
    assert "Ce lien n'est plus valable" in response.content.decode()


def test_password_reset_requests_are_limited_per_address(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SOUTIEN_PASSWORD_RESET_RATE = (2, 3600)
    UserFactory(email="marie@exemple.test")
    url = reverse("accounts:password_reset")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"email": "marie@exemple.test"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "marie@exemple.test"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de demandes de nouveau mot de passe" in html
    assert "marie@exemple.test" in html  # what was typed stays
    assert len(mailoutbox) == 2
    # Another address is not affected.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "marie@exemple.test"}, REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 302
    assert len(mailoutbox) == 3


def test_password_reset_for_unknown_email_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.test"})
    assert response.status_code == 302
    assert mailoutbox == []
