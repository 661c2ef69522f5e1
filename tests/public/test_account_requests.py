import datetime as dt
import re

import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from soutien.accounts.models import (
    AccountEvent,
    AccountRequest,
    AccountRequestStatus,
    Invitation,
    User,
)
from soutien.accounts.services import (
    account_request_approve,
    account_request_create,
    account_request_refuse,
    hash_token,
)
from soutien.directory.models import Membership, Organisation, OrganisationKind, Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un-mot-de-passe-solide-2026"


def request_data(**overrides):
    return {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "Camille.Martin@exemple.test",
        "organisation_name": "Association du centre social Les Amandiers",
        "role": Role.BOARD_MEMBER,
        "message": "Présidente de l'association.",
        **overrides,
    }


def invitation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body).group(1)


def submit_request(client, committed, **overrides) -> AccountRequest:
    with committed():
        response = client.post(reverse("public:account_request"), request_data(**overrides))
    assert response.status_code == 302
    assert response["Location"] == reverse("public:account_request_sent")
    return AccountRequest.objects.latest("pk")


def test_request_creates_no_account_and_notifies(client, coordinator, mailoutbox, committed):
    account_request = submit_request(client, committed)
    assert account_request.status == AccountRequestStatus.PENDING
    assert account_request.email == "camille.martin@exemple.test"
    assert not User.objects.filter(email="camille.martin@exemple.test").exists()
    assert [m.to for m in mailoutbox] == [["camille.martin@exemple.test"], [coordinator.email]]
    assert "bien été reçue" in mailoutbox[0].subject
    assert reverse("public:account_request_detail", args=[account_request.pk]) in (
        mailoutbox[1].body
    )
    assert AccountEvent.objects.filter(
        account_request=account_request, action=AccountEvent.Action.REQUESTED
    ).exists()


def test_invalid_request_keeps_what_was_typed_with_french_errors(client, mailoutbox):
    response = client.post(
        reverse("public:account_request"), request_data(email="pas-une-adresse", last_name="")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="pas-une-adresse"' in html
    assert 'value="Camille"' in html
    assert "Saisissez une adresse de courriel valide" in html
    assert "Ce champ est obligatoire" in html
    assert not AccountRequest.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CONSULTANT, "inconnu"])
def test_privileged_roles_cannot_be_requested(client, role):
    response = client.post(reverse("public:account_request"), request_data(role=role))
    assert response.status_code == 200
    assert not AccountRequest.objects.exists()
    with pytest.raises(ValidationError):
        account_request_create(**request_data(role=role))


def test_full_flow_request_approval_invitation_used_once(
    client, coordinator, mailoutbox, committed
):
    account_request = submit_request(client, committed)
    association = OrganisationFactory(name="Association Les Amandiers (corrigée)")
    mailoutbox.clear()

    client.force_login(coordinator)
    detail = client.get(reverse("public:account_request_detail", args=[account_request.pk]))
    assert "Camille Martin" in detail.content.decode()
    with committed():
        response = client.post(
            reverse("public:account_request_approve", args=[account_request.pk]),
            {"organisation": association.pk, "role": Role.BOARD_MEMBER},
        )
    assert response.status_code == 302
    client.logout()

    user = User.objects.get(email="camille.martin@exemple.test")
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, organisation=association, role=Role.BOARD_MEMBER, is_active=True
    ).exists()
    account_request.refresh_from_db()
    assert account_request.status == AccountRequestStatus.APPROVED
    assert account_request.decided_by == coordinator
    assert account_request.organisation == association

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["camille.martin@exemple.test"]
    path = invitation_path(mailoutbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(user=user)
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash

    # Before the invitation is used, the account can neither sign in nor reset a password.
    assert not client.login(username=user.email, password=NEW_PASSWORD)
    assert list(PasswordResetForm().get_users(user.email)) == []

    page = client.get(path)
    assert page.status_code == 200
    assert "Choisir mon mot de passe" in page.content.decode()
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:my_space")
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None

    # The link serves once only.
    client.logout()
    second = client.get(path)
    assert second.status_code == 410
    assert "n'est plus valable" in second.content.decode()
    response = client.post(
        path, {"new_password1": "Autre-secret-2026!", "new_password2": "Autre-secret-2026!"}
    )
    assert response.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_expired_invitation_is_refused(client, coordinator, mailoutbox, settings, committed):
    settings.SOUTIEN_INVITATION_DAYS = 7
    account_request = account_request_create(**request_data())
    with committed():
        account_request_approve(
            account_request=account_request,
            organisation=OrganisationFactory(),
            role=Role.BOARD_MEMBER,
            by=coordinator,
        )
    invitation = Invitation.objects.get()
    validity = invitation.expires_at - invitation.created_at
    assert abs(validity - dt.timedelta(days=7)) < dt.timedelta(seconds=5)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    path = invitation_path(mailoutbox[-1])
    assert client.get(path).status_code == 410
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not User.objects.get(email="camille.martin@exemple.test").has_usable_password()


def test_unknown_token_is_refused(client):
    assert client.get(reverse("public:invitation", args=["nimporte-quoi"])).status_code == 410


def test_invitation_of_a_deactivated_account_is_refused(client, coordinator, mailoutbox, committed):
    account_request = account_request_create(**request_data())
    with committed():
        account_request_approve(
            account_request=account_request,
            organisation=OrganisationFactory(),
            role=Role.BOARD_MEMBER,
            by=coordinator,
        )
    User.objects.filter(email="camille.martin@exemple.test").update(is_active=False)
    assert client.get(invitation_path(mailoutbox[-1])).status_code == 410


def test_weak_password_is_refused_and_link_stays_usable(client, coordinator, mailoutbox, committed):
    account_request = account_request_create(**request_data())
    with committed():
        account_request_approve(
            account_request=account_request,
            organisation=OrganisationFactory(),
            role=Role.BOARD_MEMBER,
            by=coordinator,
        )
    path = invitation_path(mailoutbox[-1])
    response = client.post(path, {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    assert "12 caractères" in response.content.decode()
    assert Invitation.objects.get().used_at is None


def test_refusal_sends_a_polite_email_and_creates_nothing(
    client, coordinator, mailoutbox, committed
):
    account_request = submit_request(client, committed)
    mailoutbox.clear()
    client.force_login(coordinator)
    with committed():
        response = client.post(
            reverse("public:account_request_refuse", args=[account_request.pk]),
            {"reason": "Votre centre n'est pas situé dans le département."},
        )
    assert response.status_code == 302
    account_request.refresh_from_db()
    assert account_request.status == AccountRequestStatus.REFUSED
    assert not User.objects.filter(email=account_request.email).exists()
    assert not Invitation.objects.exists()
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Nous vous remercions" in body
    assert "pas situé dans le département" in body
    assert "&#x27;" not in body  # plain text, not HTML-escaped


def test_a_request_is_decided_once(coordinator):
    account_request = account_request_create(**request_data())
    account_request_refuse(account_request=account_request, by=coordinator)
    with pytest.raises(ValidationError):
        account_request_approve(
            account_request=account_request,
            organisation=OrganisationFactory(),
            role=Role.BOARD_MEMBER,
            by=coordinator,
        )
    assert not User.objects.filter(email=account_request.email).exists()


def test_only_the_coordinator_decides(client, partner, coordinator):
    account_request = account_request_create(**request_data())
    organisation = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        account_request_approve(
            account_request=account_request,
            organisation=organisation,
            role=Role.BOARD_MEMBER,
            by=partner,
        )
    with pytest.raises(PermissionDenied):
        account_request_refuse(account_request=account_request, by=partner)
    client.force_login(partner)
    for name in ["account_request_detail", "account_request_approve", "account_request_refuse"]:
        url = reverse(f"public:{name}", args=[account_request.pk])
        response = client.post(url, {"organisation": organisation.pk, "role": "board_member"})
        assert response.status_code in (404, 405)
        assert client.get(url).status_code in (404, 405)
    account_request.refresh_from_db()
    assert account_request.status == AccountRequestStatus.PENDING
    assert not User.objects.filter(email=account_request.email).exists()


def test_approving_an_existing_account_adds_access_without_invitation(
    coordinator, mailoutbox, committed
):
    existing = UserFactory(email="camille.martin@exemple.test")
    account_request = account_request_create(**request_data())
    federation = Organisation.objects.filter(kind=OrganisationKind.FEDERATION).first()
    mailoutbox.clear()
    with committed():
        account_request_approve(
            account_request=account_request,
            organisation=federation,
            role=Role.FEDERATION_STAFF,
            by=coordinator,
        )
    assert Membership.objects.filter(user=existing, organisation=federation).exists()
    assert not Invitation.objects.exists()
    assert existing.check_password("soutien-demo")
    assert "nouvel accès" in mailoutbox[0].subject


def test_coordinator_list_shows_pending_requests_first(client, coordinator):
    refused = account_request_create(**request_data(email="ancien@exemple.test"))
    account_request_refuse(account_request=refused, by=coordinator)
    account_request_create(**request_data(email="nouveau@exemple.test", first_name="Nadia"))
    client.force_login(coordinator)
    html = client.get(reverse("public:account_requests")).content.decode()
    assert html.index("nouveau@exemple.test") < html.index("ancien@exemple.test")
    assert "En attente" in html


# --- Abuse of the public form ----------------------------------------------------------


def test_a_robot_filling_the_trap_field_sends_nothing(client, coordinator, mailoutbox, committed):
    with committed():
        response = client.post(
            reverse("public:account_request"), request_data(website="https://spam.example")
        )
    # Answered like a success, so the robot learns nothing.
    assert response.status_code == 302
    assert response["Location"] == reverse("public:account_request_sent")
    assert not AccountRequest.objects.exists()
    assert mailoutbox == []


def test_the_trap_field_is_hidden_from_people_and_screen_readers(client):
    html = client.get(reverse("public:account_request")).content.decode()
    trap = re.search(r'<div class="d-none" aria-hidden="true">(.*?)</div>\s*<button', html, re.S)
    assert trap and 'name="website"' in trap.group(1)
    assert html.count('name="website"') == 1


def test_requests_from_one_address_are_limited(client, coordinator, mailoutbox, settings):
    settings.SOUTIEN_ACCOUNT_REQUEST_RATE = (3, 3600)
    url = reverse("public:account_request")
    for n in range(3):
        response = client.post(url, request_data(email=f"personne{n}@exemple.test"))
        assert response.status_code == 302
    response = client.post(
        url, request_data(email="quatrieme@exemple.test", message="Mon message gardé.")
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de demandes de compte" in html
    # Nothing typed is lost.
    assert "quatrieme@exemple.test" in html and "Mon message gardé." in html
    assert AccountRequest.objects.count() == 3
    # Another address is not affected.
    response = client.post(
        url, request_data(email="ailleurs@exemple.test"), REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    assert AccountRequest.objects.count() == 4


def test_invalid_posts_do_not_count_against_the_limit(client, coordinator, settings):
    settings.SOUTIEN_ACCOUNT_REQUEST_RATE = (1, 3600)
    url = reverse("public:account_request")
    for _ in range(3):
        assert client.post(url, request_data(email="pas-une-adresse")).status_code == 200
    assert client.post(url, request_data()).status_code == 302


def test_the_limit_counts_per_scope_and_per_address():
    from soutien.security.throttle import throttle_exceeded

    assert not throttle_exceeded("essai", "192.0.2.1", limit=1, window=3600)
    assert throttle_exceeded("essai", "192.0.2.1", limit=1, window=3600)
    assert not throttle_exceeded("essai", "192.0.2.2", limit=1, window=3600)
    assert not throttle_exceeded("autre", "192.0.2.1", limit=1, window=3600)
