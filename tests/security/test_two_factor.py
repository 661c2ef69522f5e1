"""Two-factor authentication: who must, enrolment, codes usable once."""

import re

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.audit.models import AuditEntry
from soutien.directory.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.security.helpers import confirmed_totp_device, current_code

pytestmark = pytest.mark.django_db

MY_SPACE = "/mon-espace/"


def password_login(client, user):
    """The first step only, as a person would do it."""
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "soutien-demo"}
    )
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PARTNER, Role.CONSULTANT])
def test_roles_that_see_many_cases_must_enrol(client, role):
    user = MembershipFactory(role=role).user
    password_login(client, user)
    response = client.get(MY_SPACE)
    assert response.status_code == 302
    assert response["Location"] == reverse("security:two_factor_setup") + "?next=%2Fmon-espace%2F"


def test_superuser_must_enrol(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    password_login(client, user)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("security:two_factor_setup"))


def test_the_evaluation_body_is_not_forced(client):
    """It sees aggregates only (the full role table: test_second_factor_roles.py)."""
    user = MembershipFactory(role=Role.EVALUATOR).user
    password_login(client, user)
    assert client.get(MY_SPACE).status_code == 200


def test_an_inactive_membership_does_not_require_it(client):
    user = MembershipFactory(role=Role.COORDINATOR, is_active=False).user
    password_login(client, user)
    assert client.get(MY_SPACE).status_code == 200


def test_enrolled_user_is_asked_for_a_code_whatever_the_role(client):
    user = MembershipFactory(role=Role.EVALUATOR).user
    confirmed_totp_device(user)
    password_login(client, user)
    response = client.get(MY_SPACE)
    assert response["Location"].startswith(reverse("security:two_factor_verify"))


def test_logout_and_static_files_stay_reachable_before_the_second_factor(client):
    user = MembershipFactory(role=Role.COORDINATOR).user
    password_login(client, user)
    assert client.get("/static/soutien/soutien.css").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_demo_accounts_skip_the_second_factor_only_with_debug(client, settings):
    user = MembershipFactory(role=Role.COORDINATOR, user__email="coordination@caf13.demo").user
    password_login(client, user)
    settings.DEBUG = True
    assert client.get(MY_SPACE).status_code == 200
    settings.DEBUG = False
    assert client.get(MY_SPACE).status_code == 302


def test_debug_alone_does_not_skip_it_for_real_accounts(client, settings):
    user = MembershipFactory(role=Role.COORDINATOR, user__email="vraie@caf13.fr").user
    password_login(client, user)
    settings.DEBUG = True
    assert client.get(MY_SPACE).status_code == 302


def test_enrolment_with_qr_code_then_ten_recovery_codes(client):
    user = MembershipFactory(role=Role.COORDINATOR).user
    password_login(client, user)
    url = reverse("security:two_factor_setup")
    response = client.get(url + "?next=/mon-espace/")
    assert "Application d'authentification" in response.content.decode()
    assert "Code par courriel" in response.content.decode()
    response = client.get(url + "?methode=application&next=/mon-espace/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<img" not in html
    assert 'role="img"' in html
    assert "no-store" in response["Cache-Control"]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = re.search(r'id="cle">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert len(key) == 32  # 20-byte key, base32
    response = client.post(
        url, {"methode": "application", "token": current_code(device), "next": "/mon-espace/"}
    )
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(MY_SPACE).status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.enrolled", actor_id=user.pk).exists()


def test_enrolment_refuses_a_wrong_code_in_french(client):
    user = MembershipFactory(role=Role.COORDINATOR).user
    password_login(client, user)
    url = reverse("security:two_factor_setup")
    client.get(url + "?methode=application")
    response = client.post(url, {"methode": "application", "token": "000000"})
    assert response.status_code == 200
    assert "Ce code n&#x27;est pas le bon" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(MY_SPACE).status_code == 302


def test_a_code_from_the_app_verifies_once(client):
    user = MembershipFactory(role=Role.PARTNER).user
    device = confirmed_totp_device(user)
    password_login(client, user)
    url = reverse("security:two_factor_verify")
    code = current_code(device)
    session_key = client.session.session_key
    response = client.post(url + "?next=/mon-espace/", {"token": code})
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    assert client.session.session_key != session_key  # new key once verified
    assert client.get(MY_SPACE).status_code == 200
    # Same code again, in a new session: refused (replay).
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    response = client.post(url, {"token": code})
    assert response.status_code == 200
    assert "déjà utilisé" in response.content.decode()
    assert client.get(MY_SPACE).status_code == 302


def test_a_recovery_code_works_once(client):
    user = MembershipFactory(role=Role.CONSULTANT).user
    confirmed_totp_device(user)
    from soutien.security.services import recovery_codes_renew

    codes = recovery_codes_renew(user=user)
    password_login(client, user)
    url = reverse("security:two_factor_verify")
    response = client.post(url, {"token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(MY_SPACE).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    response = client.post(url, {"token": codes[0]})
    assert response.status_code == 200
    assert client.get(MY_SPACE).status_code == 302
    entry = AuditEntry.objects.filter(action="two_factor.verified").get()
    assert entry.details == {"method": "recovery_code"}


def test_renewing_recovery_codes_voids_the_old_ones(client):
    user = MembershipFactory(role=Role.COORDINATOR).user
    client.force_login(user)
    from soutien.security.services import recovery_codes_renew

    old = recovery_codes_renew(user=user)
    response = client.get(reverse("security:recovery_codes"))
    assert response.status_code == 200
    assert "Codes restants : <strong>10</strong>" in response.content.decode()
    response = client.post(reverse("security:recovery_codes"))
    new = response.context["codes"]
    tokens = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)


def test_force_login_in_tests_passes_the_second_factor_unless_asked(client):
    user = MembershipFactory(role=Role.COORDINATOR).user
    client.force_login(user)
    assert client.get(MY_SPACE).status_code == 200
    client.force_login(user, verified=False)
    assert client.get(MY_SPACE).status_code == 302
