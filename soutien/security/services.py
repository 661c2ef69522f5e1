"""Two-factor enrolment and verification, recovery codes, personal data export."""

import django_otp
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.accounts.models import AccountRequest
from soutien.audit.selectors import audit_entries_about_user
from soutien.audit.services import audit_record
from soutien.directory.selectors import memberships_of

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Codes de secours"
TOTP_DEVICE_NAME = "Application d'authentification"


def has_confirmed_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_device(*, user) -> TOTPDevice:
    """The not yet confirmed device of an enrolment in progress, created if needed.
    Its secret key is shown (QR code and text) until a first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


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
        audit_record(action="two_factor.recovery_codes", actor=user, request=request, target=user)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_enrolment_confirm(*, user, token: str, request) -> list[str] | None:
    """Confirm the enrolment with a first code from the app. On success the device
    replaces any previous one, the session counts as verified, and the ten recovery
    codes are returned (to be shown once). On failure returns None."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None or not device.verify_token(_normalise(token)):
            audit_record(
                action="two_factor.failure",
                actor=user,
                request=request,
                target=user,
                details={"step": "enrolment"},
            )
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit_record(action="two_factor.enrolled", actor=user, request=request, target=user)
        codes = recovery_codes_renew(user=user, request=request)
    django_otp.login(request, device)
    request.session.cycle_key()
    return codes


def two_factor_verify(*, request, token: str) -> bool:
    """Check a code from the authentication app or a recovery code (each recovery
    code works once; a code from the app is refused if already used). On success the
    session counts as verified for the rest of its life."""
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
            action="two_factor.failure", request=request, target=user, details={"step": "login"}
        )
        return False
    django_otp.login(request, matched)
    request.session.cycle_key()
    audit_record(
        action="two_factor.verified",
        request=request,
        target=user,
        details={"method": "recovery_code" if isinstance(matched, StaticDevice) else "totp"},
    )
    return True


def personal_data_export(*, user, request=None) -> dict:
    """Everything the platform holds about a person (RGPD, right of access): profile,
    memberships, account requests, two-factor devices (without secrets), audit entries
    about them, and everything they wrote or did on cases (forms, messages, events,
    opinions, decisions, reports, reviews, meetings, actions, notes, satisfaction
    answers, uploads, downloads). The same data makes the JSON file and the readable
    page. The export itself is recorded."""
    # The case packages sit above this one: read them when the export is asked for.
    from soutien.cases.personal_data import personal_data_in_cases
    from soutien.documents.personal_data import personal_data_in_documents

    User = get_user_model()
    profile_fields = ["email", "first_name", "last_name", "phone", "date_joined", "last_login"]
    data = {
        "exported_at": timezone.now().isoformat(),
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
    }
    audit_record(action="data.export", actor=user, request=request, target=user)
    return data


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
