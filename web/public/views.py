"""The public site (no login) and the coordinator's « Gestion du site » back-office."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soutien.accounts.models import AccountRequestStatus
from soutien.accounts.policies import can_review_account_requests
from soutien.accounts.selectors import account_requests_visible_to, pending_first
from soutien.accounts.services import (
    InvalidInvitation,
    account_request_approve,
    account_request_create,
    account_request_refuse,
    invitation_accept,
    invitation_from_token,
)
from soutien.content import facts as content_facts
from soutien.content import selectors as content
from soutien.content.defaults import DEFAULT_TEXTS
from soutien.content.policies import can_edit_page_text
from soutien.content.services import page_text_update
from soutien.core.network import client_ip
from soutien.directory.models import Organisation
from soutien.security.decorators import private_page
from soutien.security.throttle import account_request_throttled
from web.public.forms import (
    AccountRequestForm,
    ApprovalForm,
    InvitationPasswordForm,
    PageTextForm,
    RefusalForm,
)
from web.public.pdf import render_blank_information_form

# Where each editable text is shown (for the back-office's "see the page" links).
PAGE_URL_NAMES = {
    "accueil": "public:home",
    "comment-ca-marche": "public:how_it_works",
    "qui-peut-saisir": "public:who_may_ask",
    "qui-finance": "public:funders",
    "qui-intervient": "public:provider",
    "qui-contacter": "public:contact",
    "accompagnement": "public:support",
    "historique": "public:history",
    "historique-frise": "public:history",
    "accessibilite": "public:accessibility",
    "schema-accessibilite": "public:accessibility_scheme",
    "mentions-legales": "public:legal_notice",
    "donnees-personnelles": "public:privacy",
    "questions-frequentes": "help:faq",
}

# --- Public pages ----------------------------------------------------------------------------


def _text_page(request, slug, template="public/page.html", **context):
    return render(request, template, {"text": content.page_text(slug), **context})


@login_not_required
@require_safe
def home(request):
    return _text_page(request, "accueil", "public/home.html")


@login_not_required
@require_safe
def how_it_works(request):
    return _text_page(request, "comment-ca-marche", "public/how_it_works.html")


@login_not_required
@require_safe
def who_may_ask(request):
    return _text_page(request, "qui-peut-saisir", "public/who_may_ask.html")


@login_not_required
@require_safe
def funders(request):
    period = content.current_mstr_period()
    return _text_page(
        request,
        "qui-finance",
        "public/funders.html",
        period=period,
        funders=content.funders_of(period),
    )


@login_not_required
@require_safe
def provider(request):
    return _text_page(
        request,
        "qui-intervient",
        "public/provider.html",
        contract=content.current_provider_contract(),
    )


@login_not_required
@require_safe
def contact(request):
    return _text_page(
        request,
        "qui-contacter",
        "public/contact.html",
        coordinators=content.coordinators(),
        federations=content.relay_federations(content.current_mstr_period()),
    )


@login_not_required
@require_safe
def support(request):
    return _text_page(request, "accompagnement")


@login_not_required
@require_safe
def history(request):
    texts = content.page_texts("historique", "historique-frise")
    return render(
        request,
        "public/history.html",
        {"text": texts["historique"], "timeline": texts["historique-frise"]},
    )


@login_not_required
@require_safe
def accessibility(request):
    return _text_page(request, "accessibilite")


@login_not_required
@require_safe
def accessibility_scheme(request):
    return _text_page(request, "schema-accessibilite")


@login_not_required
@require_safe
def legal_notice(request):
    return _text_page(
        request, "mentions-legales", "public/legal_notice.html", host=content_facts.host()
    )


@login_not_required
@require_safe
def privacy(request):
    return _text_page(
        request,
        "donnees-personnelles",
        "public/privacy.html",
        retention=content_facts.retention_periods(),
        dpo=content_facts.data_protection_officer(),
    )


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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Votre mot de passe est enregistré. Bienvenue !")
            return redirect("web:my_space")
    return render(
        request, "public/invitation.html", {"form": form, "invited_user": invitation.user}
    )


# --- « Gestion du site »: coordinators only; anyone else gets a 404 -------------------------


def coordinator_only(policy):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@coordinator_only(can_review_account_requests)
@require_safe
def manage_home(request):
    pending = account_requests_visible_to(request.user).filter(status=AccountRequestStatus.PENDING)
    return render(request, "public/gestion/home.html", {"pending_count": pending.count()})


@coordinator_only(can_review_account_requests)
@require_safe
def account_request_list(request):
    requests = pending_first(account_requests_visible_to(request.user))
    return render(request, "public/gestion/account_requests.html", {"requests": requests})


def _guess_organisation(account_request):
    return (
        Organisation.objects.filter(name__iexact=account_request.organisation_name).first()
        or Organisation.objects.filter(short_name__iexact=account_request.organisation_name)
        .order_by("name")
        .first()
    )


@coordinator_only(can_review_account_requests)
@require_safe
def account_request_detail(request, pk):
    obj = get_object_or_404(account_requests_visible_to(request.user), pk=pk)
    approval_form = ApprovalForm(
        initial={"role": obj.role, "organisation": obj.organisation or _guess_organisation(obj)}
    )
    return _render_detail(request, obj, approval_form, RefusalForm())


def _render_detail(request, obj, approval_form, refusal_form, status=200):
    return render(
        request,
        "public/gestion/account_request_detail.html",
        {
            "account_request": obj,
            "approval_form": approval_form,
            "refusal_form": refusal_form,
            "events": obj.events.select_related("actor").order_by("at"),
        },
        status=status,
    )


@coordinator_only(can_review_account_requests)
@require_POST
def account_request_approve_view(request, pk):
    obj = get_object_or_404(account_requests_visible_to(request.user), pk=pk)
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            account_request_approve(account_request=obj, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Demande acceptée : un courriel a été envoyé à {obj.email}.")
            return redirect("public:account_requests")
    return _render_detail(request, obj, form, RefusalForm(), status=400)


@coordinator_only(can_review_account_requests)
@require_POST
def account_request_refuse_view(request, pk):
    obj = get_object_or_404(account_requests_visible_to(request.user), pk=pk)
    form = RefusalForm(request.POST)
    if form.is_valid():
        try:
            account_request_refuse(
                account_request=obj, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Demande refusée : un courriel de réponse a été envoyé à {obj.email}."
            )
            return redirect("public:account_requests")
    return _render_detail(request, obj, ApprovalForm(request.POST or None), form, status=400)


def _public_url(slug: str) -> str | None:
    """The public page that shows a text (None: a text printed elsewhere, e.g. a letter)."""
    name = PAGE_URL_NAMES.get(slug)
    return reverse(name) if name else None


@coordinator_only(can_edit_page_text)
@require_safe
def page_text_list(request):
    pages = [(page, _public_url(page.slug)) for page in content.editable_pages()]
    return render(request, "public/gestion/pages.html", {"pages": pages})


@coordinator_only(can_edit_page_text)
@require_http_methods(["GET", "POST"])
def page_text_edit(request, slug):
    if slug not in DEFAULT_TEXTS:
        raise Http404
    current = content.page_text(slug)
    form = PageTextForm(
        request.POST or None,
        initial={"title": current.title, "description": current.description, "body": current.body},
    )
    if request.method == "POST" and form.is_valid():
        page_text_update(slug=slug, by=request.user, **form.cleaned_data)
        messages.success(request, f"La page « {form.cleaned_data['title']} » est enregistrée.")
        return redirect("public:manage_pages")
    return render(
        request,
        "public/gestion/page_edit.html",
        {"form": form, "page": current, "public_url": _public_url(slug)},
    )
