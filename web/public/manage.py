"""« Gestion du site »: the coordinator's back-office (account requests, editable page
texts). Anyone else gets a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soutien.accounts.models import AccountRequestStatus
from soutien.accounts.policies import can_review_account_requests
from soutien.accounts.selectors import account_requests_visible_to, pending_first
from soutien.accounts.services import (
    account_request_approve,
    account_request_refuse,
)
from soutien.content import selectors as content
from soutien.content.defaults import DEFAULT_TEXTS
from soutien.content.policies import can_edit_page_text
from soutien.content.services import page_text_update
from soutien.directory.models import Organisation
from web.decorators import coordinator_only
from web.public.forms import (
    ApprovalForm,
    PageTextForm,
    RefusalForm,
)
from web.public.pages import PAGE_URL_NAMES


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
