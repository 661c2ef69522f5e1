"""The public site's forms and files: « Demander un soutien », the blank information
form, robots.txt, the account request and the invitation (no login)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from soutien.accounts.services import (
    InvalidInvitation,
    account_request_create,
    invitation_accept,
    invitation_from_token,
)
from soutien.core.network import client_ip
from soutien.security.decorators import private_page
from soutien.security.throttle import account_request_throttled
from web.public.forms import (
    AccountRequestForm,
    InvitationPasswordForm,
)
from web.public.pdf import render_blank_information_form


@login_not_required
@require_safe
def ask_for_support(request):
    """« Demander un soutien »: signed-in people go to their space, others choose."""
    if request.user.is_authenticated:
        return redirect("web:my_space")
    return render(request, "public/ask_for_support.html")


@login_not_required
@require_safe
def blank_information_form(request):
    response = HttpResponse(render_blank_information_form(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="fiche-d-information-mstr.pdf"'
    return response


@login_not_required
@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("public:sitemap"))
    lines = [
        "User-agent: *",
        *(
            f"Disallow: {prefix}"
            for prefix in (
                "/compte/",
                "/mon-espace/",
                "/dossiers/",
                "/documents/",
                "/evaluation/",
                "/gestion/",
                "/invitation/",
                "/admin/",
            )
        ),
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- Account requests and invitations ---------------------------------------------------------


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
def account_request(request):
    form = AccountRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            # Answered as a success, so that the robot learns nothing; nothing is sent.
            return redirect("public:account_request_sent")
        if account_request_throttled(client_ip(request)):
            form.add_error(
                None,
                "Trop de demandes de compte ont été envoyées depuis votre connexion. "
                "Votre saisie est conservée : réessayez dans une heure, ou écrivez à la "
                "coordination (page « Contact »).",
            )
            status = 429
        else:
            try:
                account_request_create(**form.request_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("public:account_request_sent")
    return render(request, "public/account_request.html", {"form": form}, status=status)


@login_not_required
@private_page
@require_safe
def account_request_sent(request):
    return render(request, "public/account_request_sent.html")


@login_not_required
@private_page
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    try:
        invitation = invitation_from_token(token)
    except InvalidInvitation:
        return render(request, "public/invitation_invalid.html", status=410)
    form = InvitationPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except InvalidInvitation:
            return render(request, "public/invitation_invalid.html", status=410)
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            login(request, user, backend="soutien.security.backends.ModelBackendWithMemberships")
            messages.success(request, "Votre mot de passe est enregistré. Bienvenue !")
            return redirect("web:my_space")
    return render(
        request, "public/invitation.html", {"form": form, "invited_user": invitation.user}
    )
