"""Session lifetime and the second factor, checked on every request; the security
headers Django does not send itself."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.security.decorators import forbid_copies
from soutien.security.policies import can_skip_two_factor, must_use_two_factor
from soutien.security.services import has_second_factor


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class SecurityHeadersMiddleware:
    """Put first in MIDDLEWARE, so that it also sees the responses of requests refused
    by the other middleware (a bogus Host header answers 400 before any of them runs).

    - ``Permissions-Policy`` (``SOUTIEN_PERMISSIONS_POLICY``) on every response: the
      browser features the site does not use are switched off, for its pages and for
      anything that would be injected into them.
    - ``Cache-Control: no-store, private`` on every response to a signed-in person
      whose view did not set its own ``Cache-Control``: all their pages show personal
      or case data (« Mon espace », lists, the management pages), and a shared computer
      or a proxy must not keep any of it. A view that sets the header has decided
      (public reference data such as the commune outlines may be kept a day)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.SOUTIEN_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        # No user when the request was refused before authentication: nothing private.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            forbid_copies(response)
        return response


SESSION_STARTED_KEY = "_soutien_session_started"
SESSION_SEEN_KEY = "_soutien_session_seen"
# Writing the session on every request is costly; a minute of slack on the idle
# timeout is not.
SEEN_RESOLUTION_SECONDS = 60


class SessionPolicyMiddleware:
    """Ends a signed-in session after ``SOUTIEN_SESSION_IDLE_SECONDS`` without a
    request, or ``SOUTIEN_SESSION_MAX_SECONDS`` after it started, whatever happens.
    The session is flushed on the server, so the old cookie is worthless."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request, user)
        return self.get_response(request)

    def _enforce(self, request, user):
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        if started is None or seen is None:
            session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = now
            return
        idle = now - seen > settings.SOUTIEN_SESSION_IDLE_SECONDS
        too_old = now - started > settings.SOUTIEN_SESSION_MAX_SECONDS
        if idle or too_old:
            audit_record(
                action=AuditAction.SESSION_EXPIRED,
                actor=user,
                request=request,
                details={"reason": "idle" if idle else "lifetime"},
            )
            logout(request)
            messages.info(request, "Votre session a expiré : reconnectez-vous pour continuer.")
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN_KEY] = now


# Pages a signed-in user reaches before proving the second factor.
TWO_FACTOR_EXEMPT = {
    "security:two_factor_setup",
    "security:two_factor_verify",
    "accounts:logout",
}


class TwoFactorMiddleware:
    """Sends a signed-in user who has not proved the second factor in this session to
    the verification page if they have enrolled a device (whatever their role), or to
    enrolment if their role requires it (``policies.must_use_two_factor``) and they have
    none yet. Must come after django-otp's ``OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request)
            and not can_skip_two_factor(user)
        ):
            enrolled = has_second_factor(user)
            if not enrolled and not must_use_two_factor(user):
                return self.get_response(request)
            target = "security:two_factor_verify" if enrolled else "security:two_factor_setup"
            query = ""
            if request.method == "GET":
                query = "?" + urlencode({"next": request.get_full_path()})
            return redirect(reverse(target) + query)
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        if request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in TWO_FACTOR_EXEMPT
