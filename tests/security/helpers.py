"""Two-factor helpers for tests (see the top of tests/conftest.py for how to log in)."""

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.security.policies import must_use_two_factor
from soutien.security.services import has_confirmed_totp, has_second_factor


def confirmed_totp_device(user) -> TOTPDevice:
    """The user's confirmed authentication-app device, created if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the user's phone would show now (RFC 6238), computed from the key."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def mark_session_verified(client, user) -> None:
    """Make the client's session count as having passed the second factor, as
    django-otp's own login() does (the device id in the session): with the user's
    email device if that is what they enrolled, else an app device (created if needed)."""
    device = None
    if not has_confirmed_totp(user):
        device = EmailDevice.objects.filter(user=user, confirmed=True).first()
    device = device or confirmed_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def needs_second_factor(user) -> bool:
    return must_use_two_factor(user) or has_second_factor(user)


def login_verified(client, user) -> None:
    """Sign a user in with a session that passed the second factor when needed."""
    client.force_login(user)
    if needs_second_factor(user):
        mark_session_verified(client, user)


def verify_two_factor(client, user):
    """After a real password login, pass the second step through the verification
    page with a code computed from the device key. Returns the response."""
    device = confirmed_totp_device(user)
    return client.post(reverse("security:two_factor_verify"), {"token": current_code(device)})
