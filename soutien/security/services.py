"""Two-factor enrolment and verification, recovery codes, personal data export.

Two kinds of second factor: an authentication app (TOTP) or a one-time code sent by
email (for volunteers who have no such app). Each person has one of them, plus ten
single-use recovery codes.
"""

import enum

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.accounts.models import AccountRequest
from soutien.audit.actions import AuditAction
from soutien.audit.selectors import audit_entries_about_user
from soutien.audit.services import audit_record
from soutien.cases.personal_data import personal_data_in_cases
from soutien.core import clock
from soutien.directory.selectors import memberships_of
from soutien.documents.personal_data import personal_data_in_documents
from soutien.security.notifications import TwoFactorCode
from soutien.security.throttle import throttle_exceeded
from soutien.selfcheck.personal_data import personal_data_in_selfchecks

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Codes de secours"
TOTP_DEVICE_NAME = "Application d'authentification"
EMAIL_DEVICE_NAME = "Code par courriel"
METHOD_TOTP = "totp"
METHOD_EMAIL = "email"


class EmailCodeSending(enum.Enum):
    """What became of a request for a code by email."""

    SENT = "sent"
    TOO_SOON = "too_soon"  # the previous code was sent less than a minute ago
    TOO_MANY = "too_many"  # the hourly limit of codes for this account is reached


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_confirmed_email_device(user) -> bool:
    return EmailDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user) -> bool:
    """The user has enrolled a second factor (app or email; recovery codes alone do
    not count, they come with either)."""
    return has_confirmed_totp(user) or has_confirmed_email_device(user)


def second_factor_method(user) -> str | None:
    """« totp », « email » or None: the kind of second factor the user enrolled."""
    if has_confirmed_totp(user):
        return METHOD_TOTP
    if has_confirmed_email_device(user):
        return METHOD_EMAIL
    return None


def email_code_address(user) -> str:
    """Where the codes go: the account's own address."""
    return user.email


def _send_email_code(device: EmailDevice, *, request=None) -> EmailCodeSending:
    """Generate a new code on ``device`` (locked by the caller) and queue the email.

    At most one code a minute (django-otp's cool-down) and
    ``SOUTIEN_TWO_FACTOR_EMAIL_RATE`` codes per account and window (counted in the
    database: every server process shares the count)."""
    allowed, _ = device.generate_is_allowed()
    if not allowed:
        return EmailCodeSending.TOO_SOON
    limit, window = settings.SOUTIEN_TWO_FACTOR_EMAIL_RATE
    if throttle_exceeded("two-factor-email", f"user:{device.user_id}", limit=limit, window=window):
        return EmailCodeSending.TOO_MANY
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=settings.OTP_EMAIL_TOKEN_VALIDITY, commit=True)
    minutes = settings.OTP_EMAIL_TOKEN_VALIDITY // 60
    TwoFactorCode(code=device.token, minutes=minutes).send(to=[email_code_address(device.user)])
    audit_record(
        action=AuditAction.TWO_FACTOR_EMAIL_CODE_SENT,
        actor=device.user,
        request=request,
        target=device.user,
    )
    return EmailCodeSending.SENT


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The not yet confirmed device of an enrolment in progress, created if needed.
    Its secret key is shown (QR code and text) until a first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def email_enrolment_send(*, user, request=None) -> EmailCodeSending:
    """Start (or go on with) an enrolment by email: a not yet confirmed device receives
    a code, which the person types to prove they read that mailbox."""
    with transaction.atomic():
        device = (
            EmailDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            device = EmailDevice.objects.create(user=user, name=EMAIL_DEVICE_NAME, confirmed=False)
        return _send_email_code(device, request=request)


def email_enrolment_pending(user) -> bool:
    """An enrolment by email is under way: a code was sent and is still valid."""
    return EmailDevice.objects.filter(
        user=user, confirmed=False, valid_until__gt=clock.now()
    ).exists()


def email_code_send(*, user, request=None, only_if_none_valid: bool = False) -> EmailCodeSending:
    """Send a sign-in code to a user who chose the email method (verification page,
    « Renvoyer le code »). With ``only_if_none_valid``, nothing is sent while the last
    code is still valid (the page was merely shown again)."""
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise EmailDevice.DoesNotExist
        if only_if_none_valid and device.valid_until and device.valid_until > clock.now():
            return EmailCodeSending.SENT
        return _send_email_code(device, request=request)


def _enrolment_done(*, user, device, request) -> list[str]:
    """The device just confirmed replaces every other app or email device; the session
    counts as verified; ten new recovery codes are returned (to be shown once)."""
    for model in (TOTPDevice, EmailDevice):
        others = model.objects.filter(user=user)
        if isinstance(device, model):
            others = others.exclude(pk=device.pk)
        others.delete()
    audit_record(
        action=AuditAction.TWO_FACTOR_ENROLLED,
        actor=user,
        request=request,
        target=user,
        details={"method": METHOD_EMAIL if isinstance(device, EmailDevice) else METHOD_TOTP},
    )
    return recovery_codes_renew(user=user, request=request)


def email_enrolment_confirm(*, user, token: str, request) -> list[str] | None:
    """Confirm an enrolment by email with the code received. On success returns the ten
    recovery codes (and the session counts as verified); on failure None."""
    return _enrolment_confirm(EmailDevice, user=user, token=token, request=request)


def _enrolment_confirm(device_model, *, user, token: str, request) -> list[str] | None:
    """Confirm the latest unconfirmed device of this kind with its first code."""
    with transaction.atomic():
        device = (
            device_model.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None or not device.verify_token(_normalise(token)):
            audit_record(
                action=AuditAction.TWO_FACTOR_FAILURE,
                actor=user,
                request=request,
                target=user,
                details={"step": "enrolment"},
            )
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _enrolment_done(user=user, device=device, request=request)
    django_otp.login(request, device)
    request.session.cycle_key()
    return codes


def _normalise(token: str) -> str:
    return "".join((token or "").split()).lower()


def recovery_codes_renew(*, user, request=None) -> list[str]:
    """Replace the user's recovery codes by ten new single-use codes, returned once:
    only the person in front of the screen ever sees them."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(
            action=AuditAction.TWO_FACTOR_RECOVERY_CODES, actor=user, request=request, target=user
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_enrolment_confirm(*, user, token: str, request) -> list[str] | None:
    """Confirm the enrolment with a first code from the app. On success the device
    replaces any previous one, the session counts as verified, and the ten recovery
    codes are returned (to be shown once). On failure returns None."""
    return _enrolment_confirm(TOTPDevice, user=user, token=token, request=request)


def two_factor_verify(*, request, token: str) -> bool:
    """Check a code from the authentication app, a code received by email (valid
    ``OTP_EMAIL_TOKEN_VALIDITY`` seconds, once) or a recovery code (each works once; a
    code from the app is refused if already used). On success the session counts as
    verified for the rest of its life."""
    user = request.user
    token = _normalise(token)
    matched = None
    if token:
        with transaction.atomic():
            for device in devices_for_user(user, confirmed=True, for_verify=True):
                if device.verify_token(token):
                    matched = device
                    break
    if matched is None:
        audit_record(
            action=AuditAction.TWO_FACTOR_FAILURE,
            request=request,
            target=user,
            details={"step": "login"},
        )
        return False
    django_otp.login(request, matched)
    request.session.cycle_key()
    audit_record(
        action=AuditAction.TWO_FACTOR_VERIFIED,
        request=request,
        target=user,
        details={"method": _method_label(matched)},
    )
    return True


def _method_label(device) -> str:
    if isinstance(device, StaticDevice):
        return "recovery_code"
    if isinstance(device, EmailDevice):
        return METHOD_EMAIL
    return METHOD_TOTP


def personal_data_export(*, user, request=None) -> dict:
    """Everything the platform holds about a person (RGPD, right of access): profile,
    memberships, account requests, two-factor devices (without secrets), audit entries
    about them, and everything they wrote or did on cases (forms, messages, events,
    opinions, decisions, reports, reviews, meetings, actions, notes, satisfaction
    answers, uploads, downloads). The same data makes the JSON file and the readable
    page. The export itself is recorded."""

    User = get_user_model()
    profile_fields = ["email", "first_name", "last_name", "phone", "date_joined", "last_login"]
    data = {
        "exported_at": clock.now().isoformat(),
        "profile": {
            field: _jsonable(getattr(user, field))
            for field in profile_fields
            if hasattr(User, field) or hasattr(user, field)
        },
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "role": membership.get_role_display(),
                "function": membership.function,
                "active": membership.is_active,
                "since": membership.created_at.isoformat(),
            }
            for membership in memberships_of(user)
        ],
        "two_factor_devices": [
            {"name": device.name, "confirmed": device.confirmed}
            for device in devices_for_user(user, confirmed=None)
        ],
        "audit_entries": [
            {
                "date": entry.created_at.isoformat(),
                "action": entry.action,
                "ip_address": entry.ip_address,
                "user_agent": entry.user_agent,
                "object": entry.target_repr,
                "case": entry.case_number,
            }
            for entry in audit_entries_about_user(user)
        ],
        "account_requests": [
            {
                "date": request_.created_at.isoformat(),
                "organisation": request_.organisation_name,
                "role": request_.get_role_display(),
                "message": request_.message,
                "status": request_.get_status_display(),
            }
            for request_ in AccountRequest.objects.filter(user=user).order_by("created_at")
        ],
        **personal_data_in_cases(user),
        **personal_data_in_documents(user),
        **personal_data_in_selfchecks(user),
    }
    audit_record(action=AuditAction.DATA_EXPORT, actor=user, request=request, target=user)
    return data


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
