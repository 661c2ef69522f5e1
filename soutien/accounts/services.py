"""Account requests and invitations: no account exists without the coordinator's approval."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from soutien.accounts import notifications
from soutien.accounts.models import (
    AccountEvent,
    AccountRequest,
    AccountRequestStatus,
    Invitation,
    User,
)
from soutien.accounts.policies import can_review_account_requests
from soutien.core import clock
from soutien.directory.models import Membership, Organisation, Role

# Roles a person may ask for on the public form; the others are given by the coordinator.
REQUESTABLE_ROLES = [Role.BOARD_MEMBER, Role.FEDERATION_STAFF, Role.STAFF, Role.PARTNER]


class InvalidInvitation(Exception):
    """The link is unknown, already used or expired."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _coordinator_emails() -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(
                role=Role.COORDINATOR, is_active=True, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )


@transaction.atomic
def account_request_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    organisation_name: str,
    role: str,
    message: str = "",
) -> AccountRequest:
    """A person asks for an account; they receive an acknowledgement of receipt, the
    coordination is told. No account is created at this stage."""
    if role not in REQUESTABLE_ROLES:
        raise ValidationError({"role": "Ce rôle ne peut pas être demandé."})
    account_request = AccountRequest.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        organisation_name=organisation_name.strip(),
        role=role,
        message=message.strip(),
    )
    AccountEvent.objects.create(
        action=AccountEvent.Action.REQUESTED, account_request=account_request
    )
    coordinator_emails = _coordinator_emails()
    # Into the outbox, in this transaction: sent once it commits, retried on failure.
    notifications.notify_request_received(account_request)
    notifications.notify_coordinators_of_request(account_request, coordinator_emails)
    return account_request


def _lock_pending(account_request: AccountRequest, by) -> AccountRequest:
    if not can_review_account_requests(by):
        raise PermissionDenied("Seule la coordination examine les demandes de compte.")
    locked = AccountRequest.objects.select_for_update().get(pk=account_request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError("Cette demande a déjà été traitée.")
    return locked


def invitation_create(*, user: User, by, account_request: AccountRequest | None = None) -> str:
    """Create a single-use invitation link, valid for SOUTIEN_INVITATION_DAYS days, and send
    it. Only the token's hash is kept. Return the token (for the tests)."""
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + dt.timedelta(days=settings.SOUTIEN_INVITATION_DAYS)
    Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_by=by,
        account_request=account_request,
    )
    AccountEvent.objects.create(
        action=AccountEvent.Action.INVITED, user=user, account_request=account_request, actor=by
    )
    notifications.notify_invitation(
        user=user, token=token, expires_at=expires_at, account_request=account_request
    )
    return token


@transaction.atomic
def account_request_approve(
    *, account_request: AccountRequest, organisation: Organisation, role: str, by
) -> AccountRequest:
    """The coordination approves a request: it chooses (or corrects) the organisation and the
    role. The account is created without a usable password; an invitation link lets the
    person choose their own. If an account already exists for this address, the access is
    simply added to it."""
    locked = _lock_pending(account_request, by)
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    user = User.objects.filter(email__iexact=locked.email).first()
    created = user is None
    if created:
        # Active but without a usable password: it cannot sign in, nor ask for a password
        # reset, until the invitation is used; "is_active" stays the coordinator's switch.
        user = User(email=locked.email, first_name=locked.first_name, last_name=locked.last_name)
        user.set_unusable_password()
        user.save()
    Membership.objects.update_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    locked.status = AccountRequestStatus.APPROVED
    locked.decided_at = clock.now()
    locked.decided_by = by
    locked.organisation = organisation
    locked.role = role
    locked.user = user
    locked.save(
        update_fields=["status", "decided_at", "decided_by", "organisation", "role", "user"]
    )
    AccountEvent.objects.create(
        action=AccountEvent.Action.APPROVED, account_request=locked, user=user, actor=by
    )
    if user.has_usable_password():
        notifications.notify_access_added(
            user=user, organisation=organisation, role_label=Role(role).label
        )
    else:
        invitation_create(user=user, by=by, account_request=locked)
    return locked


@transaction.atomic
def account_request_refuse(*, account_request: AccountRequest, reason: str = "", by):
    """The coordination refuses a request; the person receives a courteous message.
    No account is created."""
    locked = _lock_pending(account_request, by)
    locked.status = AccountRequestStatus.REFUSED
    locked.decided_at = clock.now()
    locked.decided_by = by
    locked.refusal_reason = reason.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "refusal_reason"])
    AccountEvent.objects.create(
        action=AccountEvent.Action.REFUSED, account_request=locked, actor=by, comment=reason
    )
    notifications.notify_request_refused(locked)
    return locked


def invitation_from_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation behind a link, if it is still usable; otherwise InvalidInvitation."""
    queryset = Invitation.objects.select_related("user")
    if for_update:
        queryset = queryset.select_for_update()
    invitation = queryset.filter(token_hash=hash_token(token)).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= clock.now()
        or not invitation.user.is_active
    ):
        raise InvalidInvitation
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """The invited person chooses their password: the link works only once, before it
    expires; the other links still open for this account are cancelled."""
    invitation = invitation_from_token(token, for_update=True)
    user = invitation.user
    validate_password(password, user)
    now = clock.now()
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    AccountEvent.objects.create(
        action=AccountEvent.Action.INVITATION_USED,
        user=user,
        account_request=invitation.account_request,
        actor=user,
    )
    return user


@transaction.atomic
def user_pseudonymise(*, user: User) -> User:
    """Delete an account while keeping the case history readable: the person becomes
    « Compte supprimé n°N » (no name, no email, no phone, no way to sign in), their
    memberships end, and every event, message or decision they wrote keeps pointing
    at this pseudonym instead of disappearing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    pseudonym = f"supprime-{user.pk}@compte-supprime.invalid"
    user.email = pseudonym
    user.first_name = "Compte supprimé"
    user.last_name = f"n°{user.pk}"
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.memberships.update(is_active=False, function="")
    user.groups.clear()
    user.user_permissions.clear()
    return user


REFUSED_REQUEST_RETENTION_DAYS = 183  # six months, as the personal-data page says


def refused_requests_purge(*, now=None) -> int:
    """Delete the account requests refused more than six months ago (and their history).
    Returns how many were deleted."""
    cutoff = (now or clock.now()) - dt.timedelta(days=REFUSED_REQUEST_RETENTION_DAYS)
    due = AccountRequest.objects.filter(status=AccountRequestStatus.REFUSED, decided_at__lt=cutoff)
    deleted = due.count()
    due.delete()
    return deleted


PROFILE_FIELDS = ("first_name", "last_name", "phone")


@transaction.atomic
def profile_update(*, user: User, by: User, functions: dict[int, str] | None = None, **values):
    """A person updates their own name, phone and, per organisation, their function."""
    if by.pk != user.pk:
        raise PermissionDenied("Chacun modifie son propre profil.")
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = [
        name for name in PROFILE_FIELDS if name in values and getattr(user, name) != values[name]
    ]
    for name in changed:
        setattr(user, name, values[name])
    if changed:
        user.save(update_fields=changed)
    for membership in Membership.objects.select_for_update().filter(
        user=user, pk__in=list(functions or {})
    ):
        function = (functions or {})[membership.pk]
        if membership.function != function:
            membership.function = function
            membership.save(update_fields=["function"])
            changed.append(f"function:{membership.pk}")
    if changed:
        AccountEvent.objects.create(action=AccountEvent.Action.PROFILE_UPDATED, user=user, actor=by)
    return user


def password_changed(*, user: User) -> None:
    """Recorded once Django's password-change form saved the new password."""
    AccountEvent.objects.create(action=AccountEvent.Action.PASSWORD_CHANGED, user=user, actor=user)
