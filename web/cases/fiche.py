"""The information form (fiche d'information): creating a draft and filling it in."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from soutien.cases import policies, selectors, services, workflow
from soutien.documents import selectors as document_selectors
from soutien.documents import services as document_services
from soutien.documents.models import AttachTo
from soutien.documents.policies import can_delete_document
from soutien.security.decorators import private_page
from soutien.selfcheck import handoff as selfcheck_handoff
from web.cases import forms, panels
from web.cases.common import VISIBILITY, attach_errors, limited_uploads, not_possible, to_case


@private_page
def case_create(request):
    """Start a fiche d'information for one of the user's centres."""
    if not policies.can_create_case(request.user):
        raise Http404
    centres = selectors.centres_for_new_case(request.user)
    initial = {}
    if len(centres) == 1:
        initial["centre"] = centres[0]
    form = forms.CaseCreateForm(request.POST or None, centres=centres, initial=initial)
    # From a self-check's « Demander un soutien préventif »: a signed token of codes.
    token = (request.POST if request.method == "POST" else request.GET).get(
        selfcheck_handoff.QUERY_PARAMETER, ""
    )
    prefill = selfcheck_handoff.prefill_from_token(token) if token else None
    if request.method == "POST" and form.is_valid():
        extra = {}
        if prefill is not None:
            extra = {
                "situation": prefill.situation,
                "warning_signs": prefill.warning_signs,
                "domains": prefill.domains,
                "from_selfcheck": True,
            }
        try:
            case = services.case_create_draft(
                centre=form.cleaned_data["centre"], by=request.user, **extra
            )
        except services.CaseError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                "Le brouillon est créé. Vous pouvez l'enregistrer à tout moment et y revenir.",
            )
            return redirect("cases:form", pk=case.pk)
    return render(
        request,
        "cases/create.html",
        {
            "form": form,
            "prefill": prefill,
            "token": token if prefill else "",
            "token_expired": bool(token) and prefill is None,
            "token_parameter": selfcheck_handoff.QUERY_PARAMETER,
        },
    )


def _form_context(request, case, form, kept=()):
    user = request.user
    return {
        "case": case,
        "form": form,
        "kept_files": kept,
        "attached_files": [
            (document, can_delete_document(user, document))
            for document in document_selectors.attachments_visible_to(user, case, AttachTo.FORM)
        ],
        "removed": request.POST.getlist("remove_documents"),
        "can_submit": policies.can_submit(user, case),
        "can_hand_over": policies.can_hand_over(user, case),
        "can_delete_draft": policies.can_delete_draft(user, case),
        "visibility": VISIBILITY["form"],
        "steps": panels.steps_for(case),
        "returned_message": _last_return_message(case),
        "handed_over": (hand_over := selectors.last_hand_over(case)),
        "board": selectors.manager_board(case) if hand_over else [],
    }


def _last_return_message(case):
    """The coordination's message, while the fiche is back with the manager."""
    return workflow.arrival_event(case, "return_for_completion")


def _kept_files(request, case, form) -> list:
    """The files of this post, kept whatever happens to the rest of the form: those kept
    by an earlier post (minus the ones the person removes) and the new ones, each checked
    by its content. A refused file gets its message beside the file field."""
    user = request.user
    kept = document_selectors.pending_uploads_for(user, case, request.POST.getlist("kept_files"))
    dropped = set(request.POST.getlist("drop_files"))
    document_services.pending_uploads_discard(
        by=user, uploads=[pending for pending in kept if str(pending.uuid) in dropped]
    )
    kept = [pending for pending in kept if str(pending.uuid) not in dropped]
    for uploaded in request.FILES.getlist("files"):
        try:
            kept.append(
                document_services.pending_upload_keep(case=case, by=user, uploaded=uploaded)
            )
        except document_services.DocumentRejected as exc:
            if not hasattr(form, "cleaned_data"):
                form.cleaned_data = {}
            form.add_error("files", f"« {uploaded.name} » n'est pas joint : {exc.message}")
    return kept


@private_page
@limited_uploads
def information_form(request, pk):
    """The fiche d'information: saved at any time, with its files, submitted when complete."""
    user = request.user
    case = selectors.case_for(user, pk)
    if not (policies.can_view_case(user, case) or policies.can_edit_form(user, case)):
        raise Http404("Dossier introuvable")
    if request.method != "POST":
        if not policies.can_edit_form(user, case):
            return not_possible(request, case)
        form = forms.InformationFormForm(initial=forms.InformationFormForm.initial_for(case))
        if request.GET.get("verifier") and (missing := services.information_form_missing(case)):
            attach_errors(form, services.CaseError("", errors=missing))
        return render(request, "cases/form.html", _form_context(request, case, form))

    form = forms.InformationFormForm(request.POST, request.FILES)
    valid = form.is_valid()
    kept = _kept_files(request, case, form) if policies.can_edit_form(user, case) else []
    if not valid or form.errors:
        return render(request, "cases/form.html", _form_context(request, case, form, kept))
    submit = request.POST.get("action") == "submit"
    try:
        try:
            document_services.information_form_save_with_files(
                case=case,
                by=user,
                kept=kept,
                removed=request.POST.getlist("remove_documents"),
                **form.service_arguments(),
            )
            kept = []
        except services.NotPermitted:
            if not submit:
                raise
            # Posted twice, or no longer a draft: the submission service says which.
        if submit:
            services.case_submit(case=case, by=user)
    except services.AlreadyDone as exc:
        messages.info(request, exc.message)
        return to_case(case)
    except services.NotPermitted as exc:
        messages.error(request, exc.message)
        return to_case(case)
    except services.CaseError as exc:
        if not isinstance(exc, services.StaleForm):
            # The draft was saved: the form now carries the new version.
            data = request.POST.copy()
            data["version"] = str(case.version)
            form = forms.InformationFormForm(data)
            form.is_valid()
        attach_errors(form, exc)
        return render(request, "cases/form.html", _form_context(request, case, form, kept))
    if submit:
        messages.success(
            request,
            f"La fiche est transmise à la Caf. Numéro du dossier : {case.number}.",
        )
        return to_case(case)
    messages.success(request, "Le brouillon est enregistré.")
    return redirect("cases:form", pk=case.pk)
