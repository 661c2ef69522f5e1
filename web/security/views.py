"""Account security: two-factor authentication, recovery codes, audit log, my data."""

import json
from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from soutien.audit.selectors import audit_actions, audit_entries_filtered
from soutien.audit.services import audit_denied
from soutien.security import services
from soutien.security.decorators import private_page
from soutien.security.policies import can_view_audit_log, must_use_two_factor
from soutien.security.services import (
    METHOD_EMAIL,
    EmailCodeSending,
    email_code_address,
    email_code_send,
    email_enrolment_confirm,
    email_enrolment_pending,
    email_enrolment_send,
    has_second_factor,
    personal_data_export,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_method,
    totp_enrolment_confirm,
    totp_enrolment_device,
)
from web.security.forms import (
    AuditFilterForm,
    EmailTokenForm,
    EmailVerifyForm,
    TokenForm,
    VerifyForm,
)
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
            "method": second_factor_method(user),
            "address": email_code_address(user),
            "codes_left": recovery_codes_left(user),
            "can_view_audit_log": can_view_audit_log(user),
        },
    )


# « methode » in the setup page's query string: the two kinds of second factor.
SETUP_APP = "application"
SETUP_EMAIL = "courriel"

EMAIL_SENT = (
    "Un code vient de vous être envoyé à {address}. Il peut mettre une minute ou deux à "
    "arriver : pensez à regarder aussi dans les courriels indésirables."
)
EMAIL_TOO_SOON = (
    "Un code vous a été envoyé il y a moins d'une minute : attendez-le un instant avant "
    "d'en demander un autre."
)
EMAIL_TOO_MANY = (
    "Trop de codes ont été demandés pour ce compte : réessayez dans une heure{hint}. "
    "Si aucun courriel n'arrive, contactez la coordination de la mission."
)


def _email_sending_message(request, status: EmailCodeSending, *, recovery_hint: bool) -> None:
    if status is EmailCodeSending.SENT:
        messages.success(request, EMAIL_SENT.format(address=email_code_address(request.user)))
    elif status is EmailCodeSending.TOO_SOON:
        messages.info(request, EMAIL_TOO_SOON)
    else:
        hint = ", ou saisissez l'un de vos codes de secours" if recovery_hint else ""
        messages.warning(request, EMAIL_TOO_MANY.format(hint=hint))


def _with_query(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse(name) + (f"?{query}" if query else "")


def _enrolled(request, codes: list[str]):
    return render(
        request,
        "security/recovery_codes_new.html",
        {"codes": codes, "next": _next_url(request), "enrolled": True},
    )


@private_page
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment: choose the authentication app or a code by email, prove it works with
    a first code, then see the ten recovery codes once."""
    if has_second_factor(request.user):
        messages.info(request, "La double authentification est déjà activée sur votre compte.")
        return redirect("security:index")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    method = request.POST.get("methode") or request.GET.get("methode")
    if method == SETUP_APP:
        return _setup_app(request, next_url)
    if method == SETUP_EMAIL:
        return _setup_email(request, next_url)
    return render(
        request,
        "security/two_factor_choose.html",
        {
            "next": next_url,
            "app_url": _with_query("security:two_factor_setup", methode=SETUP_APP, next=next_url),
            "email_url": _with_query(
                "security:two_factor_setup", methode=SETUP_EMAIL, next=next_url
            ),
            "address": email_code_address(request.user),
        },
    )


def _setup_app(request, next_url: str):
    """Scan the QR code (or type the key) in the app, confirm with the code it shows."""
    device = totp_enrolment_device(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            return _enrolled(request, codes)
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
            "next": next_url,
            "choose_url": _with_query("security:two_factor_setup", next=next_url),
        },
    )


def _setup_email(request, next_url: str):
    """Receive a code at the account's address, type it: the mailbox is proven."""
    here = _with_query("security:two_factor_setup", methode=SETUP_EMAIL, next=next_url)
    if request.method == "POST" and request.POST.get("action") == "envoyer":
        status = email_enrolment_send(user=request.user, request=request)
        _email_sending_message(request, status, recovery_hint=False)
        return redirect(here)
    form = EmailTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = email_enrolment_confirm(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
        if codes is not None:
            return _enrolled(request, codes)
        form.add_error(
            "token",
            "Ce code n'est pas le bon, ou il a expiré (un code est valable 10 minutes). "
            "Saisissez le dernier code reçu, ou demandez-en un nouveau.",
        )
    return render(
        request,
        "security/two_factor_setup_email.html",
        {
            "form": form,
            "next": next_url,
            "address": email_code_address(request.user),
            "code_sent": request.method == "POST" or email_enrolment_pending(request.user),
            "choose_url": _with_query("security:two_factor_setup", next=next_url),
        },
    )


@private_page
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of the login: a code from the app, a code received by email (sent
    when the page is shown, « Renvoyer le code » sends another) or a recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    method = second_factor_method(request.user)
    if method is None:
        return redirect("security:two_factor_setup")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    by_email = method == METHOD_EMAIL
    if by_email and request.method == "POST" and request.POST.get("action") == "renvoyer":
        status = email_code_send(user=request.user, request=request)
        _email_sending_message(request, status, recovery_hint=True)
        return redirect(_with_query("security:two_factor_verify", next=next_url))
    if by_email and request.method == "GET":
        status = email_code_send(user=request.user, request=request, only_if_none_valid=True)
        if status is not EmailCodeSending.SENT:
            _email_sending_message(request, status, recovery_hint=True)
    form = (EmailVerifyForm if by_email else VerifyForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        if by_email:
            error = (
                "Code incorrect, expiré ou déjà utilisé. Saisissez le dernier code reçu par "
                "courriel (valable 10 minutes, une seule fois), demandez-en un nouveau avec "
                "« Renvoyer le code », ou saisissez un code de secours."
            )
        else:
            error = (
                "Code incorrect, expiré ou déjà utilisé. Saisissez le code affiché en ce "
                "moment par votre application, ou un code de secours que vous n'avez pas "
                "encore utilisé."
            )
        form.add_error("token", error)
    return render(
        request,
        "security/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "by_email": by_email,
            "address": email_code_address(request.user),
        },
    )


@private_page
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; a new set replaces them (shown once)."""
    if not has_second_factor(request.user):
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
