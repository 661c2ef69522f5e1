"""Logins, failed logins, logouts and lockouts go to the audit log."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login_success")
def record_login(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN_SUCCESS, actor=user, request=request, target=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request, target=user)


def _account(username: str):
    if not username:
        return None
    return get_user_model().objects.filter(email__iexact=username.strip()).first()


@receiver(user_login_failed, dispatch_uid="audit_login_failure")
def record_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit_record(
        action=AuditAction.LOGIN_FAILURE,
        actor=None,
        request=request,
        target=_account(username),
        details={"username": username},
    )


def record_lockout(sender, request, username, ip_address, **kwargs):
    audit_record(
        action=AuditAction.LOGIN_LOCKED,
        request=request,
        target=_account(username or ""),
        details={"username": (username or "")[:254]},
    )
