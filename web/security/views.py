"""Account security: two-factor authentication, recovery codes, audit log, my data."""

import json
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from soutien.audit.selectors import audit_actions, audit_entries_filtered
from soutien.audit.services import audit_denied
from soutien.security import services
from soutien.security.decorators import private_page
from soutien.security.policies import can_view_audit_log, must_use_two_factor
from soutien.security.services import (
    has_confirmed_totp,
    personal_data_export,
    recovery_codes_left,
    recovery_codes_renew,
    totp_enrolment_confirm,
    totp_enrolment_device,
)
from web.security.forms import AuditFilterForm, TokenForm, VerifyForm
from web.security.personal_data import readable, readable_sections

AUDIT_PAGE_SIZE = 50


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _qr_svg(data: str) -> str:
    """The QR code as inline SVG: no image request, nothing the CSP must allow."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ",
        '<svg class="qr-code" role="img" aria-label="QR code à scanner avec votre application" ',
        1,
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@private_page
def security_index(request):
    """« Sécurité du compte »: second factor, recovery codes, personal data."""
    user = request.user
    return render(
        request,
        "security/index.html",
        {
            "two_factor_required": must_use_two_factor(user),
            "has_totp": has_confirmed_totp(user),
            "codes_left": recovery_codes_left(user),
            "can_view_audit_log": can_view_audit_log(user),
        },
    )


@private_page
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment: scan the QR code (or type the key), confirm with a first code,
    then see the ten recovery codes once."""
    if has_confirmed_totp(request.user):
        messages.info(request, "La double authentification est déjà activée sur votre compte.")
        return redirect("security:index")
    device = totp_enrolment_device(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            return render(
                request,
                "security/recovery_codes_new.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        form.add_error(
            "token",
            "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et saisissez "
            "le code affiché en ce moment.",
        )
    return render(
        request,
        "security/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - generated SVG
            "secret": _grouped(b32encode(device.bin_key).decode()),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@private_page
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of the login: a code from the app or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not has_confirmed_totp(request.user):
        return redirect("security:two_factor_setup")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error(
            "token",
            "Code incorrect, expiré ou déjà utilisé. Saisissez le code affiché en ce moment "
            "par votre application, ou un code de secours que vous n'avez pas encore utilisé.",
        )
    return render(
        request,
        "security/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@private_page
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; a new set replaces them (shown once)."""
    if not has_confirmed_totp(request.user):
        return redirect("security:two_factor_setup")
    if not request.user.is_verified():
        return redirect("security:two_factor_verify")
    if request.method == "POST":
        codes = recovery_codes_renew(user=request.user, request=request)
        return render(
            request,
            "security/recovery_codes_new.html",
            {"codes": codes, "next": resolve_url("security:index"), "enrolled": False},
        )
    return render(
        request, "security/recovery_codes.html", {"codes_left": recovery_codes_left(request.user)}
    )


@private_page
def audit_log(request):
    """The coordinator's view of the audit log, with filters."""
    if not can_view_audit_log(request.user):
        audit_denied(request, "audit_log")
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = audit_entries_filtered(**{k: v for k, v in filters.items() if v})
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "security/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@private_page
def personal_data(request):
    """Download everything the platform holds about me (RGPD), as JSON."""
    data = personal_data_export(user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-soutien.json"'
    return response


@private_page
def personal_data_page(request):
    """Read everything the platform holds about me (RGPD), the same data as the file."""
    data = personal_data_export(user=request.user, request=request)
    return render(
        request,
        "security/personal_data.html",
        {"exported_at": readable("date", data["exported_at"]), "sections": readable_sections(data)},
    )
