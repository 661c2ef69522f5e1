"""Case pages. Each view parses input, calls one service, then renders or redirects.

Permissions come from soutien.cases.policies (templates receive booleans); cases are
fetched through the scoped selector (404 outside the user's scope); every CaseError
becomes a French message, beside the field it concerns when there is one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from soutien.cases import exports, policies, selectors, services
from soutien.cases.enums import Channel, MeetingKind, ReportStatus, Stage
from soutien.cases.models import Case, ReminderSettings, TargetDuration
from soutien.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from soutien.documents import invitations
from soutien.documents import selectors as document_selectors
from soutien.documents import services as document_services
from soutien.documents.calendar import external_addresses
from soutien.documents.models import AttachTo
from soutien.documents.policies import can_delete_document, can_manage_invitations
from soutien.security.decorators import private_page
from soutien.security.throttle import throttle_exceeded
from soutien.selfcheck import handoff as selfcheck_handoff
from web.cases import forms, listing, panels
from web.documents.forms import MeetingChangeForm
from web.documents.views import SizeLimitUploadHandler

NOT_POSSIBLE = "Cette action n'est pas possible pour vous à cette étape du dossier."

# Said beside every form: who will read what is typed there.
VISIBILITY = {
    "form": "Tant qu'elle est en brouillon, la fiche n'est lue que par votre association "
    "(ou votre fédération). Une fois transmise, elle est lue par la coordination (Caf), puis "
    "par les partenaires financeurs concernés et par le prestataire chargé du diagnostic.",
    "return_for_completion": "Votre message est lu par le gestionnaire du centre et par toutes "
    "les personnes qui suivent le dossier.",
    "withdraw": "Le motif est lu par toutes les personnes qui suivent le dossier.",
    "hand_over": "Votre message est lu par les administrateurs bénévoles de votre association "
    "et par toutes les personnes qui suivront le dossier.",
    "opinion": "Votre avis et votre commentaire sont lus par la coordination (Caf) et par les "
    "autres partenaires financeurs concernés. Ni le centre ni le prestataire ne les voient.",
    "decision": "La décision et ses motifs sont lus par toutes les personnes qui suivent le "
    "dossier, dont le gestionnaire du centre et le prestataire. La justification (décision "
    "prise avant tous les avis) n'est lue que par la coordination et les partenaires "
    "financeurs concernés.",
    MeetingKind.REFERRAL: "Cette réunion n'est visible que par la coordination, les "
    "partenaires financeurs concernés et les personnes invitées.",
    MeetingKind.INTERVIEW: "Cet entretien est visible par le gestionnaire, la coordination et "
    "le prestataire, et par les personnes invitées ; pas par les autres partenaires "
    "financeurs.",
    MeetingKind.PARTNER_MEETING: "Cette rencontre est visible par toutes les personnes qui "
    "suivent le dossier.",
    MeetingKind.RESTITUTION: "La restitution planifiée est visible par le gestionnaire, la "
    "coordination et le prestataire, et par les personnes invitées.",
    MeetingKind.SUPPORT_SESSION: "Cette séance est visible par le gestionnaire, la coordination "
    "et le prestataire, et par les personnes invitées ; pas par les autres partenaires "
    "financeurs.",
    "assign": "Le consultant désigné est visible par toutes les personnes qui suivent le dossier.",
    "findings": "Vos constats sont lus par le gestionnaire dès qu'un rapport lui est transmis, "
    "puis par la coordination et les partenaires financeurs une fois le rapport validé.",
    "report": "Chaque version transmise est lue par le gestionnaire seul. La coordination et "
    "les partenaires financeurs ne lisent que la version validée par le gestionnaire.",
    "review": "Vos commentaires sont lus par le consultant et la coordination, jamais par les "
    "partenaires financeurs. Si vous validez, la version validée devient lisible par les "
    "partenaires financeurs concernés.",
    "restitution": "La synthèse est lue par le gestionnaire, la coordination et le prestataire.",
    "action": "Le plan d'actions est visible par toutes les personnes qui suivent le dossier "
    "(centre, coordination, partenaires financeurs concernés, prestataire).",
    "close": "L'issue et le commentaire de clôture sont lus par toutes les personnes qui "
    "suivent le dossier.",
    "satisfaction": "Vos réponses sont lues par la coordination (Caf) pour évaluer la mission.",
    Channel.MESSAGE: "Lu par le gestionnaire du centre, la coordination (Caf) et le prestataire. "
    "Les partenaires financeurs ne le voient pas.",
    Channel.PRIVATE_NOTE: "Lu par la coordination (Caf) et les partenaires financeurs concernés "
    "uniquement. Ni le centre ni le prestataire ne le voient.",
    "targets": "Les délais cibles s'appliquent à tous les dossiers ; les dossiers en retard sont "
    "signalés dans les listes.",
}


# --- Helpers --------------------------------------------------------------------------


def limited_uploads(view):
    """For the forms that carry files: a file over the size limit stops being stored while
    it is received (never spooled to disk past the limit) and reaches the form empty but
    with its real size, so that the form says « pèse 23,4 Mo » beside the field. The CSRF
    token is checked once the handler is in place, as in the upload view (reading the
    token would read the files first)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limiter = SizeLimitUploadHandler(request)
        if request.method == "POST":
            request.upload_handlers.insert(0, limiter)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _case(request, pk) -> Case:
    """The case, if the user may see it in full (404 otherwise)."""
    case = selectors.case_for(request.user, pk)
    if not policies.can_view_case(request.user, case):
        raise Http404("Dossier introuvable")
    return case


def _detail(case):
    return redirect("cases:detail", pk=case.pk)


def _not_possible(request, case):
    messages.error(request, NOT_POSSIBLE)
    return _detail(case)


def attach_errors(form, exc: services.CaseError) -> None:
    """Show a CaseError on the form: beside each field named, or above the form."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if exc.errors:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    elif exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


def run_service(request, case, form, call: Callable, *, success: str, then=None):
    """Call the service; return the redirect on success (or when the action was already
    done / is not permitted), None when the form must be shown again with its errors."""
    try:
        call()
    except services.AlreadyDone as exc:
        messages.info(request, exc.message)
        return _detail(case)
    except services.NotPermitted as exc:
        messages.error(request, exc.message)
        return _detail(case)
    except services.CaseError as exc:  # StaleForm included: shown above the form
        attach_errors(form, exc)
        return None
    messages.success(request, success)
    return then or _detail(case)


def _simple_form(
    request,
    case,
    form,
    *,
    title,
    submit,
    visibility,
    intro="",
    extra=None,
    template="cases/simple_form.html",
    **kw,
):
    context = {
        "case": case,
        "form": form,
        "page_title": title,
        "submit_label": submit,
        "visibility": visibility,
        "intro": intro,
        **(extra or {}),
    }
    return render(request, template, context, **kw)


# --- Lists, Mon espace, targets --------------------------------------------------------


@private_page
def case_list(request):
    """The user's cases, with filters, search and pagination (constant queries)."""
    if not policies.can_list_cases(request.user):
        raise Http404
    return _render_list(request, forms.CaseFilterForm(request.GET or None))


def _render_list(request, form, status=200):
    """The list page for the filters of ``form`` (also shown when an export is refused)."""
    filters = form.filters()
    queryset = selectors.case_list(request.user, filters=filters)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    progress = selectors.opinions_progress(page.object_list)
    for case in page.object_list:
        case.situation_visible = policies.can_view_situation(request.user, case)
        # « Avis reçus : 3/5 », for those who read the opinions (coordination, partners).
        case.opinions_shown = (
            progress.get(case.pk) if policies.can_view_opinions(request.user, case) else None
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "list_title": listing.list_title(filters),
            "can_create": policies.can_create_case(request.user),
            "can_export": policies.can_export_case_list(request.user),
        },
        status=status,
    )


EXPORT_LIMITED = (
    "Vous avez demandé beaucoup d'exports en peu de temps : réessayez d'ici une heure. "
    "La liste reste consultable ci-dessous."
)
EXPORT_INVALID = "Corrigez les filtres signalés avant d'exporter la liste."


def _export(request, kind: str):
    """The list as a file, with its filters (policies.can_export_case_list): the same
    scoped selector, the same cases and columns as the page; audited, and limited per
    account (settings.SOUTIEN_CASE_EXPORT_RATE)."""
    from soutien.audit.services import audit_record

    if not policies.can_export_case_list(request.user):
        raise Http404
    form = forms.CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, EXPORT_INVALID)
        return _render_list(request, form, status=400)
    limit, window = settings.SOUTIEN_CASE_EXPORT_RATE
    if throttle_exceeded("case-export", str(request.user.pk), limit=limit, window=window):
        messages.error(request, EXPORT_LIMITED)
        return _render_list(request, form, status=429)
    queryset = selectors.case_list(request.user, filters=form.filters())
    query = request.GET.copy()
    query.pop("page", None)
    audit_record(
        action="cases.export",
        request=request,
        # The filters as typed, cut: a search may be long, the log need not be.
        details={"format": kind, "filters": query.urlencode()[:500], "rows": queryset.count()},
    )
    filename = f"dossiers-mstr-{timezone.localdate():%Y-%m-%d}.{kind}"
    if kind == "csv":
        response = StreamingHttpResponse(
            exports.case_list_csv(request.user, queryset), content_type=CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            exports.case_list_xlsx(request.user, queryset), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@private_page
@require_safe
def case_list_csv(request):
    """The case list, as filtered, in CSV (streamed)."""
    return _export(request, "csv")


@private_page
@require_safe
def case_list_xlsx(request):
    """The case list, as filtered, as a spreadsheet (XLSX)."""
    return _export(request, "xlsx")


@private_page
def target_durations(request):
    """The coordinator sets the target duration of each step for each situation, and
    when reminders are sent (two forms on one page)."""
    if not policies.can_edit_target_durations(request.user):
        raise Http404
    section = request.POST.get("section") if request.method == "POST" else None
    reminder = ReminderSettings.current()
    form = forms.TargetDurationsForm(
        request.POST if section == "targets" else None,
        initial=forms.TargetDurationsForm.initial_from(TargetDuration.as_table()),
    )
    reminder_form = forms.ReminderSettingsForm(
        request.POST if section == "reminders" else None,
        initial={
            "lead_days": reminder.lead_days,
            "repeat_days": reminder.repeat_days,
            "escalate_after_days": reminder.escalate_after_days,
        },
    )
    if section == "targets" and form.is_valid():
        try:
            services.target_durations_set(by=request.user, values=form.values())
        except services.CaseError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Les délais cibles sont enregistrés.")
            return redirect("cases:targets")
    if section == "reminders" and reminder_form.is_valid():
        try:
            services.reminder_settings_set(by=request.user, **reminder_form.cleaned_data)
        except services.CaseError as exc:
            attach_errors(reminder_form, exc)
        else:
            messages.success(request, "Les réglages des rappels sont enregistrés.")
            return redirect("cases:targets")
    return render(
        request,
        "cases/targets.html",
        {
            "form": form,
            "reminder_form": reminder_form,
            "visibility": VISIBILITY["targets"],
        },
    )


# --- Creating and filling the information form ---------------------------------------


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
    if case.stage != Stage.RETURNED:
        return None
    return case.events.filter(kind="return_for_completion").order_by("-pk").first()


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
            return _not_possible(request, case)
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
        return _detail(case)
    except services.NotPermitted as exc:
        messages.error(request, exc.message)
        return _detail(case)
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
        return _detail(case)
    messages.success(request, "Le brouillon est enregistré.")
    return redirect("cases:form", pk=case.pk)


# --- Simple transitions ----------------------------------------------------------------


@dataclass(frozen=True)
class SimpleAction:
    service: Callable
    policy: Callable
    title: str
    submit: str
    success: str
    intro: str = ""
    text_label: str = ""
    text_required: bool = False
    text_help: str = ""


SIMPLE_ACTIONS = {
    "submit": SimpleAction(
        lambda case, by, text: services.case_submit(case=case, by=by),
        policies.can_submit,
        "Transmettre la fiche à la Caf",
        "Transmettre la fiche",
        "La fiche est transmise à la Caf.",
        intro="La coordination de la Caf vérifiera la fiche puis ouvrira la saisine concertée "
        "avec les partenaires financeurs.",
    ),
    "hand_over": SimpleAction(
        lambda case, by, text: services.case_hand_over(case=case, by=by, message=text),
        policies.can_hand_over,
        "Confier le brouillon aux administrateurs",
        "Confier le brouillon",
        "Le brouillon est confié aux administrateurs de l'association : ils sont prévenus.",
        intro="Seul un administrateur bénévole de l'association peut transmettre la fiche. "
        "Ils recevront un courriel les invitant à la relire et à la transmettre.",
        text_label="Message aux administrateurs",
    ),
    "delete_draft": SimpleAction(
        lambda case, by, text: services.case_delete_draft(case=case, by=by),
        policies.can_delete_draft,
        "Supprimer le brouillon",
        "Supprimer définitivement",
        "Le brouillon est supprimé.",
        intro="Le brouillon n'a jamais été transmis : il sera supprimé définitivement.",
    ),
    "open_referral": SimpleAction(
        lambda case, by, text: services.case_open_referral(case=case, by=by),
        policies.can_check_completeness,
        "Ouvrir la saisine concertée",
        "Ouvrir la saisine",
        "La saisine concertée est ouverte : les partenaires concernés sont prévenus.",
        intro="Les partenaires financeurs concernés (État, Région, Département, Caf et la "
        "commune du centre si elle est signataire) seront invités à donner leur avis.",
    ),
    "return_for_completion": SimpleAction(
        lambda case, by, text: services.case_return_for_completion(case=case, by=by, message=text),
        policies.can_check_completeness,
        "Renvoyer la fiche pour complément",
        "Renvoyer la fiche",
        "La fiche est renvoyée au gestionnaire pour complément.",
        intro="Tout ce que le gestionnaire a saisi est conservé ; il complète puis transmet à "
        "nouveau.",
        text_label="Ce qui manque",
        text_required=True,
    ),
    "withdraw": SimpleAction(
        lambda case, by, text: services.case_withdraw(case=case, by=by, reason=text),
        policies.can_withdraw,
        "Retirer la demande",
        "Retirer la demande",
        "La demande est retirée.",
        intro="Vous pouvez retirer la demande jusqu'à la décision des financeurs. Le dossier "
        "sera classé sans suite.",
        text_label="Motif (facultatif)",
    ),
    "submit_report": SimpleAction(
        lambda case, by, text: services.report_submit(case=case, by=by),
        policies.can_write_report,
        "Transmettre le rapport au gestionnaire",
        "Transmettre le rapport",
        "Le rapport est transmis au gestionnaire.",
        intro=VISIBILITY["report"],
    ),
    "validate_report": SimpleAction(
        lambda case, by, text: services.report_validate(case=case, by=by),
        policies.can_review_report,
        "Valider le rapport",
        "Valider le rapport",
        "Le rapport est validé : les partenaires financeurs concernés peuvent le lire.",
        intro="Une fois validé, le rapport est lisible par la coordination et les partenaires "
        "financeurs concernés.",
    ),
}


@private_page
def transition(request, pk, name):
    """A confirmation page (GET) and the action itself (POST) for simple transitions."""
    action = SIMPLE_ACTIONS.get(name)
    if action is None:
        raise Http404
    case = _case(request, pk)
    form = forms.CommentForm(
        request.POST or None,
        label=action.text_label or "Message",
        required=action.text_required,
        help_text=action.text_help,
    )
    if request.method == "POST" and (not action.text_label or form.is_valid()):
        text = form.cleaned_data["text"] if action.text_label else ""
        try:
            action.service(case, request.user, text)
        except services.AlreadyDone as exc:
            messages.info(request, exc.message)
            return _detail(case)
        except services.CaseError as exc:
            if exc.errors and name == "submit":
                # The form is incomplete: show what is missing beside each field.
                messages.error(request, exc.message)
                return redirect(reverse("cases:form", args=[case.pk]) + "?verifier=1")
            if not (action.text_label and exc.field):
                messages.error(request, exc.message)
                return _detail(case)
            form.add_error("text", exc.message)
        else:
            messages.success(request, action.success)
            if name == "delete_draft":
                return redirect("cases:list")
            return _detail(case)
    elif not action.policy(request.user, case):
        return _not_possible(request, case)
    return render(
        request,
        "cases/confirm.html",
        {
            "case": case,
            "form": form if action.text_label else None,
            "action": action,
            "name": name,
            "visibility": VISIBILITY.get(name, ""),
        },
    )


# --- The case page ---------------------------------------------------------------------


@private_page
def case_detail(request, pk):
    """The case page: steps, what to do now, and every part the user may read."""
    case = selectors.case_for(request.user, pk)
    user = request.user
    from soutien.audit.services import audit_record

    if policies.can_view_stage_only(user, case):
        audit_record(action="case.view_stage", request=request, target=case, case=case)
        return render(
            request,
            "cases/stage_only.html",
            {
                "case": case,
                "steps": panels.steps_for(case),
                "actions": (
                    case.actions.select_related("domain")
                    if policies.can_view_action_plan(user, case)
                    else None
                ),
                "can_update_action": policies.can_update_action(user, case),
            },
        )
    if not policies.can_view_case(user, case):
        raise Http404("Dossier introuvable")
    audit_record(action="case.view", request=request, target=case, case=case)

    deadline = selectors.with_deadline(Case.objects.filter(pk=case.pk)).values(
        "due_at", "is_overdue"
    )[0]
    decision = getattr(case, "decision", None)  # None when not decided yet
    can_update_action = policies.can_update_action(user, case)
    actions = []
    if policies.can_view_action_plan(user, case):
        for action in case.actions.select_related("domain").prefetch_related("notes__author"):
            form = None
            if can_update_action:
                form = forms.ActionUpdateForm(
                    initial={"status": action.status, "version": action.version},
                    auto_id=f"id_action{action.pk}_%s",
                )
            actions.append((action, form))
    threads = [
        {
            "channel": channel,
            "label": Channel(channel).label,
            "messages": items,
            "visibility": VISIBILITY[channel],
            "form": (
                forms.MessageForm(initial={"channel": channel}, auto_id=f"id_{channel}_%s")
                if policies.can_post_to_channel(user, case, channel)
                else None
            ),
        }
        for channel, items in selectors.messages_visible(user, case).items()
    ]
    context = {
        "case": case,
        "info": case.form,
        "steps": panels.steps_for(case),
        "next_actions": panels.next_actions(user, case),
        "waiting_for": panels.WAITING_FOR.get(case.stage, ""),
        "due_at": deadline["due_at"],
        "is_overdue": deadline["is_overdue"],
        "decision": decision,
        "can_view_justification": policies.can_view_decision_justification(user, case),
        "opinions": (
            case.opinions.select_related("partner", "given_by")
            if policies.can_view_opinions(user, case)
            else None
        ),
        "meetings": _meeting_panels(request, case),
        "satisfaction": (
            getattr(case, "satisfaction", None)
            if policies.can_view_satisfaction(user, case)
            else None
        ),
        "findings": (
            case.findings.select_related("domain")
            if policies.can_view_findings(user, case)
            else None
        ),
        "report_versions": selectors.report_versions_visible(user, case),
        "actions": actions,
        "events": selectors.events_visible(user, case),
        "threads": threads,
        "can_edit_form": policies.can_edit_form(user, case),
        "can_withdraw": policies.can_withdraw(user, case),
        "can_view_action_plan": policies.can_view_action_plan(user, case),
        "can_add_action": policies.can_add_action(user, case),
        "can_update_action": can_update_action,
        "can_assign": policies.can_assign_consultant(user, case),
        "can_record_partner_meeting": policies.can_record_partner_meeting(user, case),
        "can_work_on_diagnostic": policies.can_work_on_diagnostic(user, case),
        "can_write_report": policies.can_write_report(user, case),
        "is_provider_stage": case.provider_id is not None,
        "contacts": (
            selectors.case_contacts(case) if policies.can_view_contacts(user, case) else None
        ),
    }
    return render(request, "cases/detail.html", context)


def _meeting_panels(request, case) -> list[dict]:
    """Each meeting the user may see, with its management forms when allowed."""
    panels_ = []
    next_url = reverse("cases:detail", args=[case.pk]) + "#reunions"
    for meeting in selectors.meetings_visible(request.user, case):
        meeting.case = case
        change_form = None
        if can_manage_invitations(request.user, meeting):
            change_form = MeetingChangeForm.from_session(
                request, meeting, auto_id=f"id_meeting{meeting.pk}_%s"
            ) or MeetingChangeForm(
                initial={
                    "starts_at": timezone.localtime(meeting.starts_at),
                    "ends_at": meeting.ends_at and timezone.localtime(meeting.ends_at),
                    "place": meeting.place,
                    "video_link": meeting.video_link,
                    "agenda": meeting.agenda,
                    "external_emails": meeting.external_emails,
                },
                auto_id=f"id_meeting{meeting.pk}_%s",
            )
        panels_.append(
            {
                "meeting": meeting,
                "can_manage": change_form is not None,
                "change_form": change_form,
                "next": next_url,
                "externals": external_addresses(meeting.external_emails),
            }
        )
    return panels_


# --- Saisine concertée -----------------------------------------------------------------


@private_page
def opinion(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_give_opinion(request.user, case):
        return _not_possible(request, case)
    own = selectors.own_opinion(request.user, case)
    initial = {"value": own.value, "comment": own.comment} if own and own.given_at else {}
    form = forms.OpinionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.opinion_give(case=case, by=request.user, **form.cleaned_data),
            success="Votre avis est enregistré. Vous pouvez le modifier jusqu'à la décision.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Donner l'avis de votre institution",
        submit="Enregistrer mon avis",
        visibility=VISIBILITY["opinion"],
        intro="Vous pouvez modifier votre avis jusqu'à la décision des financeurs."
        + (f" Avis actuel : {own.get_value_display().lower()}." if own and own.given_at else ""),
    )


@private_page
def decision(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_decide(request.user, case):
        return _not_possible(request, case)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.case_decide(case=case, by=request.user, **form.cleaned_data),
            success="La décision des financeurs est enregistrée ; le gestionnaire est prévenu.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Enregistrer la décision des financeurs",
        submit="Enregistrer la décision",
        visibility=VISIBILITY["decision"],
        extra={"opinions": case.opinions.select_related("partner")},
    )


# --- Meetings ----------------------------------------------------------------------------

MEETING_TITLES = {
    MeetingKind.REFERRAL: "Planifier ou consigner la réunion de saisine concertée",
    MeetingKind.INTERVIEW: "Planifier ou consigner un entretien ou une visite",
    MeetingKind.PARTNER_MEETING: "Planifier ou consigner la rencontre avec les partenaires",
    MeetingKind.SUPPORT_SESSION: "Planifier ou consigner une séance d'accompagnement",
    MeetingKind.RESTITUTION: "Planifier la restitution",
}


MEETING_INTRO = (
    "Les heures sont celles de Paris. Les participants ayant un compte et les invités "
    "extérieurs reçoivent l'invitation par courriel, avec un fichier à ouvrir dans leur "
    "agenda ; toute modification ou annulation met leur agenda à jour."
)


def _meeting_call(request, case, kind, form):
    """The service the form asks for: plan and invite, or record a past meeting."""
    fields = form.service_fields()
    if form.plans:
        return lambda: invitations.meeting_plan(case=case, by=request.user, kind=kind, **fields)
    return lambda: services.meeting_record(case=case, by=request.user, kind=kind, **fields)


@private_page
def meeting_create(request, pk, kind):
    """Plan a meeting (invitations by email with an .ics) or record one that took place."""
    if kind not in MEETING_TITLES:
        raise Http404
    case = _case(request, pk)
    if request.method != "POST" and not services.MEETING_POLICIES[kind](request.user, case):
        return _not_possible(request, case)
    form = forms.MeetingForm(
        request.POST or None,
        candidates=selectors.meeting_candidates(
            case, with_staff=kind in (MeetingKind.INTERVIEW, MeetingKind.SUPPORT_SESSION)
        ),
        plan_only=kind == MeetingKind.RESTITUTION,
    )
    if kind == MeetingKind.INTERVIEW:
        form.fields["attendees_text"].label = "Personnes rencontrées"
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            _meeting_call(request, case, kind, form),
            success=(
                "La réunion est planifiée ; les participants reçoivent l'invitation par courriel."
                if form.plans
                else "La réunion est consignée."
            ),
            then=redirect(reverse("cases:detail", args=[case.pk]) + "#reunions"),
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title=MEETING_TITLES[kind],
        submit="Enregistrer",
        visibility=VISIBILITY[kind],
        intro=MEETING_INTRO,
        template="cases/meeting_form.html",
    )


# --- Diagnostic ----------------------------------------------------------------------------


@private_page
def assign(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_assign_consultant(request.user, case):
        return _not_possible(request, case)
    consultants = selectors.provider_consultants(case)
    initial = {"consultant": case.consultant_id or request.user.pk}
    form = forms.AssignForm(request.POST or None, consultants=consultants, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.consultant_assign(
                case=case, by=request.user, consultant=form.cleaned_data["consultant"]
            ),
            success="Le consultant est désigné.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Désigner le consultant",
        submit="Désigner",
        visibility=VISIBILITY["assign"],
    )


@private_page
def findings(request, pk):
    case = _case(request, pk)
    user = request.user
    if request.method != "POST" and not policies.can_work_on_diagnostic(user, case):
        return _not_possible(request, case)
    existing = list(case.findings.select_related("domain"))
    initial = {}
    if chosen := request.GET.get("champ"):
        finding = next((f for f in existing if str(f.domain_id) == chosen), None)
        initial = {"domain": chosen}
        if finding:
            initial.update(
                {
                    name: getattr(finding, name)
                    for name in forms.FindingForm.base_fields
                    if name != "domain"
                }
            )
    form = forms.FindingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.finding_save(case=case, by=user, **form.cleaned_data),
            success="Les constats sont enregistrés.",
            then=redirect("cases:findings", pk=case.pk),
        )
        if response:
            return response
    return render(
        request,
        "cases/findings.html",
        {
            "case": case,
            "form": form,
            "findings": existing,
            "domains_of_form": case.form.domains.all(),
            "visibility": VISIBILITY["findings"],
        },
    )


@private_page
def report(request, pk):
    """The consultant writes the report; everyone else sees the versions they may read."""
    case = _case(request, pk)
    user = request.user
    can_write = policies.can_write_report(user, case)
    versions = selectors.report_versions_visible(user, case)
    form = draft = None
    if can_write or request.method == "POST":
        draft = services.report_draft(case)
        initial = {name: getattr(draft, name) for name in services.REPORT_SECTIONS}
        initial["version"] = case.version
        form = forms.ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        sections = {n: form.cleaned_data[n] for n in services.REPORT_SECTIONS}

        saved = []

        def call():
            try:
                services.report_save(
                    case=case, by=user, version=form.cleaned_data["version"], **sections
                )
                saved.append(True)
            except services.NotPermitted:
                if not submit:
                    raise
                # Posted twice, or already sent: the submission service says which.
            if submit:
                services.report_submit(case=case, by=user)

        response = run_service(
            request,
            case,
            form,
            call,
            success=(
                "Le rapport est transmis au gestionnaire."
                if submit
                else "Le rapport est enregistré ; il n'est pas encore transmis."
            ),
            then=None if submit else redirect("cases:report", pk=case.pk),
        )
        if response:
            return response
        if saved:
            # Saved, then refused at submission: the form carries the new version.
            errors = form.non_field_errors()
            data = request.POST.copy()
            data["version"] = str(case.version)
            form = forms.ReportForm(data)
            form.is_valid()
            for error in errors:
                form.add_error(None, error)
    return render(
        request,
        "cases/report.html",
        {
            "case": case,
            "form": form if can_write or request.method == "POST" else None,
            "draft": draft,
            "versions": versions,
            "visibility": VISIBILITY["report"],
        },
    )


@private_page
def report_version(request, pk, number):
    case = _case(request, pk)
    version = get_object_or_404(
        case.report_versions.select_related("author", "reviewed_by"), number=number
    )
    if not policies.can_view_report_version(request.user, version):
        raise Http404
    from soutien.audit.services import audit_record

    audit_record(
        action="report.view",
        request=request,
        target=version,
        case=case,
        details={"version": version.number},
    )
    return render(
        request,
        "cases/report_version.html",
        {
            "case": case,
            "version": version,
            "can_review": policies.can_review_report(request.user, case)
            and version.status == ReportStatus.SUBMITTED,
        },
    )


@private_page
def review(request, pk):
    """The manager validates the report or asks for changes."""
    case = _case(request, pk)
    user = request.user
    if request.method != "POST" and not policies.can_review_report(user, case):
        return _not_possible(request, case)
    version = case.report_versions.filter(status=ReportStatus.SUBMITTED).order_by("-number").first()
    if version is not None and request.method != "POST":
        from soutien.audit.services import audit_record

        audit_record(
            action="report.view",
            request=request,
            target=version,
            case=case,
            details={"version": version.number},
        )
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == forms.ReviewForm.VALIDATE:

            def call():
                services.report_validate(case=case, by=user)

            success = (
                "Le rapport est validé : les partenaires financeurs concernés peuvent le lire."
            )
        else:

            def call():
                services.report_request_changes(
                    case=case, by=user, comment=form.cleaned_data["comment"]
                )

            success = "Votre demande de modifications est transmise au consultant."
        response = run_service(request, case, form, call, success=success)
        if response:
            return response
    return render(
        request,
        "cases/review.html",
        {
            "case": case,
            "form": form,
            "version": version,
            "previous": [
                v
                for v in selectors.report_versions_visible(user, case)
                if version is None or v.pk != version.pk
            ],
            "visibility": VISIBILITY["review"],
        },
    )


# --- Restitution, action plan, closure -----------------------------------------------------


@private_page
def restitution(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_record_restitution(request.user, case):
        return _not_possible(request, case)
    form = forms.RestitutionForm(
        request.POST or None, candidates=selectors.meeting_candidates(case)
    )
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.restitution_record(
                case=case, by=request.user, **form.service_fields()
            ),
            success="La restitution est consignée : l'accompagnement commence.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Consigner la restitution au gestionnaire",
        submit="Enregistrer la restitution",
        visibility=VISIBILITY["restitution"],
        intro="La restitution a eu lieu : consignez-la avec sa synthèse. Aucune invitation "
        "n'est envoyée. Pour la préparer, planifiez-la d'abord depuis la page du dossier.",
        template="cases/meeting_form.html",
    )


@private_page
def action_create(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_add_action(request.user, case):
        return _not_possible(request, case)
    form = forms.ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.action_add(case=case, by=request.user, **form.cleaned_data),
            success="L'action est ajoutée au plan d'actions.",
            then=redirect(reverse("cases:detail", args=[case.pk]) + "#plan-actions"),
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Ajouter une action au plan",
        submit="Ajouter l'action",
        visibility=VISIBILITY["action"],
        intro="L'intervenant n'agit jamais « à la place » des équipes : chaque action est "
        "portée par une personne du centre.",
    )


@private_page
def action_update(request, pk, action_pk):
    # The centre's employees update their actions although they see only the stage.
    case = selectors.case_for(request.user, pk)
    if not policies.can_view_action_plan(request.user, case):
        raise Http404("Dossier introuvable")
    action = get_object_or_404(case.actions, pk=action_pk)
    if request.method != "POST" and not policies.can_update_action(request.user, case):
        return _not_possible(request, case)
    form = forms.ActionUpdateForm(
        request.POST or None, initial={"status": action.status, "version": action.version}
    )
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.action_update(action=action, by=request.user, **form.cleaned_data),
            success="L'avancement de l'action est enregistré.",
            then=redirect(reverse("cases:detail", args=[case.pk]) + "#plan-actions"),
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title=f"Avancement de l'action « {action.title} »",
        submit="Enregistrer l'avancement",
        visibility=VISIBILITY["action"],
    )


@private_page
def close(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_close(request.user, case):
        return _not_possible(request, case)
    in_progress = selectors.actions_in_progress(case)
    form = forms.CloseForm(request.POST or None, in_progress=in_progress)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.case_close(case=case, by=request.user, **form.cleaned_data),
            success="Le dossier est clôturé ; le gestionnaire est invité au questionnaire de "
            "satisfaction.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Clôturer le dossier",
        submit="Clôturer le dossier",
        visibility=VISIBILITY["close"],
        extra={"in_progress": in_progress},
    )


@private_page
def satisfaction(request, pk):
    case = _case(request, pk)
    if request.method != "POST" and not policies.can_answer_satisfaction(request.user, case):
        return _not_possible(request, case)
    form = forms.SatisfactionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.satisfaction_answer(case=case, by=request.user, **form.cleaned_data),
            success="Merci pour vos réponses.",
        )
        if response:
            return response
    return _simple_form(
        request,
        case,
        form,
        title="Questionnaire de satisfaction",
        submit="Envoyer mes réponses",
        visibility=VISIBILITY["satisfaction"],
    )


@private_page
@require_POST
@limited_uploads
def message(request, pk):
    """Post a message or a private note with its attachments (one form, one service)."""
    case = _case(request, pk)
    form = forms.MessageForm(request.POST, request.FILES)
    if form.is_valid():
        channel = form.cleaned_data["channel"]
        response = run_service(
            request,
            case,
            form,
            lambda: document_services.message_post_with_files(
                case=case,
                by=request.user,
                channel=channel,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            ),
            success="Votre message est publié.",
            then=redirect(reverse("cases:detail", args=[case.pk]) + "#messages"),
        )
        if response:
            return response
    channel = request.POST.get("channel")
    return _simple_form(
        request,
        case,
        form,
        title="Écrire un message",
        submit="Publier",
        visibility=VISIBILITY.get(channel, ""),
    )
