"""Second factor by email: enrolment, login with the code, resend (throttled), expiry."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.audit.models import AuditEntry
from soutien.core.models import OutboxEmail
from soutien.core.outbox import ERASED_BODY
from soutien.directory.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MY_SPACE = "/mon-espace/"
SETUP = "/securite/double-authentification/activer/"
VERIFY = "/securite/double-authentification/verifier/"
CODE = re.compile(r"code de connexion à Soutien : (\d{6})")


@pytest.fixture
def mails(mailoutbox, django_capture_on_commit_callbacks):
    """``mails.request(method, url, data)``: a request whose emails leave at once (the
    outbox sends them when the transaction commits); ``mails.codes``: the codes sent."""

    class Mails:
        outbox = mailoutbox

        @staticmethod
        def request(client, method, url, data=None):
            with django_capture_on_commit_callbacks(execute=True):
                return getattr(client, method)(url, data or {})

        @property
        def codes(self):
            return [CODE.search(message.body).group(1) for message in mailoutbox]

    return Mails()


@pytest.fixture
def volunteer():
    return MembershipFactory(role=Role.BOARD_MEMBER, user__email="benevole@exemple.test").user


def password_login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "soutien-demo"}
    )
    assert response.status_code == 302


def enrolled_by_email(user) -> EmailDevice:
    return EmailDevice.objects.create(user=user, name="Code par courriel", confirmed=True)


def test_urls_are_the_french_ones():
    assert reverse("security:two_factor_setup") == SETUP
    assert reverse("security:two_factor_verify") == VERIFY


def test_enrolment_by_email_then_login_with_an_emailed_code(client, volunteer, mails):
    password_login(client, volunteer)
    assert client.get(MY_SPACE)["Location"] == SETUP + "?next=%2Fmon-espace%2F"
    response = client.get(SETUP, {"methode": "courriel", "next": MY_SPACE})
    html = response.content.decode()
    assert "benevole@exemple.test" in html
    assert "M&#x27;envoyer un code" in html or "M'envoyer un code" in html
    assert mails.outbox == []  # nothing is sent before the person asks

    response = mails.request(
        client, "post", SETUP, {"methode": "courriel", "action": "envoyer", "next": MY_SPACE}
    )
    assert response.status_code == 302
    assert len(mails.outbox) == 1
    message = mails.outbox[0]
    assert message.to == ["benevole@exemple.test"]
    assert message.subject == "Votre code de connexion à Soutien"
    assert "valable 10 minutes" in message.body
    code = mails.codes[0]
    # The outbox keeps no copy of the code once the email left.
    assert OutboxEmail.objects.get().body == ERASED_BODY

    response = client.post(SETUP, {"methode": "courriel", "token": "000000", "next": MY_SPACE})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas le bon, ou il a expiré" in response.content.decode()
    assert 'value="000000"' in response.content.decode()  # what was typed stays
    assert not EmailDevice.objects.filter(user=volunteer, confirmed=True).exists()
    # The device slows down guessing after a failure (django-otp): wait it out.
    EmailDevice.objects.filter(user=volunteer).update(throttling_failure_timestamp=None)

    response = client.post(SETUP, {"methode": "courriel", "token": code, "next": MY_SPACE})
    assert response.status_code == 200
    assert "La double authentification est activée" in response.content.decode()
    assert len(response.context["codes"]) == 10
    assert EmailDevice.objects.filter(user=volunteer, confirmed=True).count() == 1
    assert client.get(MY_SPACE).status_code == 200
    entry = AuditEntry.objects.get(action="two_factor.enrolled")
    assert entry.details == {"method": "email"}
    page = client.get(reverse("security:index")).content.decode()
    assert "un code envoyé par courriel à <strong>benevole@exemple.test</strong>" in page
    assert "Codes de secours restants : <strong>10</strong>" in page

    # Next login: the code is sent when the verification page is shown.
    client.post(reverse("accounts:logout"))
    password_login(client, volunteer)
    assert client.get(MY_SPACE)["Location"] == VERIFY + "?next=%2Fmon-espace%2F"
    response = mails.request(client, "get", VERIFY + "?next=%2Fmon-espace%2F")
    html = response.content.decode()
    assert "Un code à 6 chiffres a été envoyé à <strong>benevole@exemple.test</strong>" in html
    assert "Renvoyer le code" in html
    assert len(mails.outbox) == 2
    login_code = mails.codes[1]
    response = client.post(VERIFY, {"token": "999999", "next": MY_SPACE})
    assert response.status_code == 200
    assert "Code incorrect, expiré ou déjà utilisé" in response.content.decode()
    assert client.get(MY_SPACE).status_code == 302
    # The device slows down guessing after a failure (django-otp): wait it out.
    EmailDevice.objects.filter(user=volunteer).update(throttling_failure_timestamp=None)
    response = client.post(VERIFY, {"token": login_code, "next": MY_SPACE})
    assert response.status_code == 302
    assert response["Location"] == MY_SPACE
    assert client.get(MY_SPACE).status_code == 200
    assert AuditEntry.objects.get(action="two_factor.verified").details == {"method": "email"}


def test_an_expired_email_code_is_refused(client, volunteer, mails):
    enrolled_by_email(volunteer)
    password_login(client, volunteer)
    mails.request(client, "get", VERIFY)
    code = mails.codes[0]
    device = EmailDevice.objects.get(user=volunteer)
    assert device.valid_until > timezone.now() + dt.timedelta(minutes=9)
    EmailDevice.objects.filter(pk=device.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200
    assert "Code incorrect, expiré ou déjà utilisé" in response.content.decode()
    assert client.get(MY_SPACE).status_code == 302


def test_a_used_email_code_does_not_work_twice(client, volunteer, mails):
    enrolled_by_email(volunteer)
    password_login(client, volunteer)
    mails.request(client, "get", VERIFY)
    code = mails.codes[0]
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client, volunteer)
    EmailDevice.objects.update(last_generated_timestamp=None)  # the minute has passed
    assert client.post(VERIFY, {"token": code}).status_code == 200
    assert client.get(MY_SPACE).status_code == 302


def test_showing_the_page_again_sends_no_second_code(client, volunteer, mails):
    enrolled_by_email(volunteer)
    password_login(client, volunteer)
    mails.request(client, "get", VERIFY)
    mails.request(client, "get", VERIFY)
    assert len(mails.outbox) == 1


def test_resend_sends_a_new_code_at_most_once_a_minute_and_five_an_hour(client, volunteer, mails):
    enrolled_by_email(volunteer)
    password_login(client, volunteer)
    mails.request(client, "get", VERIFY)  # code 1
    response = mails.request(client, "post", VERIFY, {"action": "renvoyer"})
    assert response.status_code == 302
    assert len(mails.outbox) == 1  # within the minute: refused
    page = client.get(VERIFY).content.decode()
    assert "Un code vous a été envoyé il y a moins d&#x27;une minute" in page
    for _ in range(4):  # codes 2 to 5, each a minute after the previous one
        EmailDevice.objects.update(
            last_generated_timestamp=timezone.now() - dt.timedelta(minutes=2)
        )
        mails.request(client, "post", VERIFY, {"action": "renvoyer"})
    assert len(mails.outbox) == 5
    assert len(set(mails.codes)) == 5
    EmailDevice.objects.update(last_generated_timestamp=timezone.now() - dt.timedelta(minutes=2))
    mails.request(client, "post", VERIFY, {"action": "renvoyer"})
    assert len(mails.outbox) == 5  # the sixth in the hour: refused
    page = client.get(VERIFY).content.decode()
    assert "Trop de codes ont été demandés pour ce compte" in page
    assert "codes de secours" in page
    # Only the last code works.
    EmailDevice.objects.update(throttling_failure_timestamp=None)
    assert client.post(VERIFY, {"token": mails.codes[0]}).status_code == 200
    EmailDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert client.post(VERIFY, {"token": mails.codes[-1]}).status_code == 302


def test_a_recovery_code_works_for_an_email_user(client, volunteer, mails):
    from soutien.security.services import recovery_codes_renew

    enrolled_by_email(volunteer)
    codes = recovery_codes_renew(user=volunteer)
    password_login(client, volunteer)
    response = client.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 302
    assert client.get(MY_SPACE).status_code == 200


def test_a_stolen_password_cannot_replace_the_email_device(client, volunteer, mails):
    """Attack: with the password only, go to the setup page and enrol one's own app."""
    enrolled_by_email(volunteer)
    password_login(client, volunteer)
    response = client.get(SETUP, {"methode": "application"})
    assert response.status_code == 302
    response = client.post(SETUP, {"methode": "application", "token": "123456"})
    assert response.status_code == 302
    response = mails.request(client, "post", SETUP, {"methode": "courriel", "action": "envoyer"})
    assert response.status_code == 302
    assert mails.outbox == []
    assert not TOTPDevice.objects.filter(user=volunteer).exists()
    assert list(EmailDevice.objects.filter(user=volunteer).values_list("confirmed", flat=True)) == [
        True
    ]
    assert client.get(MY_SPACE)["Location"].startswith(VERIFY)


def test_enrolling_an_app_replaces_an_unfinished_email_enrolment(client, volunteer, mails):
    from tests.security.helpers import current_code

    password_login(client, volunteer)
    mails.request(client, "post", SETUP, {"methode": "courriel", "action": "envoyer"})
    client.get(SETUP, {"methode": "application"})
    device = TOTPDevice.objects.get(user=volunteer, confirmed=False)
    response = client.post(SETUP, {"methode": "application", "token": current_code(device)})
    assert response.status_code == 200
    assert not EmailDevice.objects.filter(user=volunteer).exists()
    assert client.get(MY_SPACE).status_code == 200


def test_the_choice_page_explains_both_methods_in_french(client, volunteer):
    password_login(client, volunteer)
    response = client.get(SETUP, {"next": MY_SPACE})
    html = response.content.decode()
    assert "Application d'authentification" in html
    assert "Code par courriel" in html
    assert "benevole@exemple.test" in html
    assert (
        'href="/securite/double-authentification/activer/?methode=courriel&amp;next=%2Fmon-espace%2F"'
        in html
    )
    assert "no-store" in response["Cache-Control"]


def test_force_login_in_tests_keeps_the_email_device(client, volunteer):
    device = enrolled_by_email(volunteer)
    client.force_login(volunteer)
    assert client.get(MY_SPACE).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert not TOTPDevice.objects.filter(user=volunteer).exists()
