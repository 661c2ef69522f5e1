"""The public self-check (auto-diagnostic) and its editing by the coordination.

Confidential by design: the answers travel only in the POST of the form, the result page
(hidden fields) and the POST that asks for the PDF. Nothing is written to the session,
the database or the logs; the result pages are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases import selectors as case_selectors
from soutien.content import selectors as content
from soutien.documents.pdf import render_pdf
from soutien.security.decorators import private_page
from soutien.selfcheck import handoff, selectors
from soutien.selfcheck.policies import (
    can_edit_selfcheck,
    can_view_saved_selfchecks,
    can_view_saved_selfchecks_of,
)
from soutien.selfcheck.scoring import Level, score
from soutien.selfcheck.services import (
    question_update,
    saved_selfcheck_attach,
    saved_selfcheck_create,
    saved_selfcheck_detach,
    threshold_update,
)
from web.decorators import coordinator_only
from web.selfcheck.forms import (
    ChoiceWeightFormSet,
    QuestionForm,
    SaveForm,
    SelfCheckForm,
    ThresholdFormSet,
)

LEVEL_STYLES = {
    # level: (CSS modifier, Bootstrap icon) — the level is always written in words too.
    Level.NONE: ("none", "bi-check-circle-fill"),
    Level.WATCH: ("watch", "bi-eye-fill"),
    Level.WARNING: ("warning", "bi-exclamation-triangle-fill"),
}


def _form(data=None):
    return SelfCheckForm(data, questions=selectors.active_questions())


def _result_context(form, user=None) -> dict:
    questions = selectors.question_specs(form.questions)
    result = score(questions, selectors.domain_specs(), form.answers())
    period = content.current_mstr_period()
    return {
        "result": result,
        "fields": [(domain, *LEVEL_STYLES[domain.level]) for domain in result.domains],
        "answers": form.answers(),
        "unanswered": len(questions) - len(form.answers()),
        "question_count": len(questions),
        "coordinators": content.coordinators(),
        "federations": content.relay_federations(period),
        "generated_at": timezone.now(),
        "save_form": _save_form(user, form.answers()),
        "preventive_url": (
            f"{reverse('cases:create')}?{handoff.QUERY_PARAMETER}={handoff.preventive_token(result)}"
        ),
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    """The questionnaire. A POST here (« Modifier mes réponses ») only fills it again."""
    form = _form()
    if request.method == "POST":
        posted = _form(request.POST)
        posted.is_valid()  # keeps only the answers that name a proposed choice
        form.initial = {code: value for code, value in posted.cleaned_data.items() if value}
    return render(
        request,
        "selfcheck/start.html",
        {"form": form, "can_view_saved": can_view_saved_selfchecks(request.user)},
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def result(request):
    if request.method == "GET":
        return redirect("selfcheck:start")
    form = _form(request.POST)
    if not form.is_valid():
        return render(request, "selfcheck/start.html", {"form": form}, status=400)
    return render(request, "selfcheck/result.html", _result_context(form, request.user))


@login_not_required
@never_cache
@require_POST
def result_pdf(request):
    form = _form(request.POST)
    if not form.is_valid():
        return render(request, "selfcheck/start.html", {"form": form}, status=400)
    pdf = render_pdf("selfcheck/pdf/result.html", _result_context(form))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="auto-diagnostic.pdf"'
    return response


def _save_form(user, answers, data=None):
    """The « Enregistrer pour mon centre » form, for a centre's manager only."""
    if user is None or not user.is_authenticated:
        return None
    centres = selectors.centres_for_saving(user)
    if not centres.exists():
        return None
    return SaveForm(data, centres=centres)


# --- Saved self-checks: a centre's managers keep one; its managers and employees see them


@private_page
@require_POST
def save(request):
    form = _form(request.POST)
    save_form = _save_form(request.user, {}, request.POST)
    if save_form is None:
        raise Http404
    if not form.is_valid():
        return render(request, "selfcheck/start.html", {"form": form}, status=400)
    if not save_form.is_valid():
        context = _result_context(form, request.user)
        context["save_form"] = save_form
        return render(request, "selfcheck/result.html", context, status=400)
    saved = saved_selfcheck_create(
        centre=save_form.cleaned_data["centre"], by=request.user, answers=form.answers()
    )
    messages.success(
        request,
        f"L'auto-diagnostic est enregistré pour « {saved.centre.name} ». "
        "Seuls le gestionnaire et les salariés du centre le voient.",
    )
    return redirect("selfcheck:saved_list")


@private_page
@require_safe
def saved_list(request):
    """The saved self-checks of the user's centres, and how each field evolved."""
    if not can_view_saved_selfchecks(request.user):
        raise Http404
    domains = selectors.domain_specs()
    by_centre = {}
    for saved in selectors.saved_selfchecks_visible_to(request.user):
        rows = by_centre.setdefault(saved.centre, [])
        rows.append(
            (
                saved,
                [
                    (Level(saved.levels[d.code]) if d.code in saved.levels else None)
                    for d in domains
                ],
            )
        )
    return render(
        request,
        "selfcheck/saved_list.html",
        {"by_centre": by_centre, "domains": domains, "styles": LEVEL_STYLES},
    )


@private_page
@require_safe
def saved_detail(request, pk):
    """A saved self-check: for the centre's members, and for the readers of the fiche it
    was attached to (who read it as part of the request; the reading is audited)."""
    saved = selectors.saved_selfcheck_for(request.user, pk)
    member = can_view_saved_selfchecks_of(request.user, saved.centre)
    if not member:
        audit_record(
            action=AuditAction.SELFCHECK_READ, actor=request.user, request=request, target=saved
        )
    form = _form(saved.answers)
    form.is_valid()
    context = _result_context(form)
    context.update(saved=saved, member=member)
    return render(request, "selfcheck/result.html", context)


@private_page
@require_POST
def attach(request, pk):
    """The manager attaches one of the centre's saved self-checks to a request."""
    case = case_selectors.case_for(request.user, pk)
    chosen = request.POST.get("saved", "")
    saved = get_object_or_404(
        selectors.attachable_selfchecks(request.user, case),
        pk=int(chosen) if chosen.isdigit() else 0,
    )
    try:
        saved_selfcheck_attach(saved=saved, case=case, by=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            f"L'auto-diagnostic du {saved.saved_at:%d/%m/%Y} est joint à la demande : "
            "il sera lu avec la fiche.",
        )
    return redirect(_back_to(request, case))


@private_page
@require_POST
def detach(request, pk):
    case = case_selectors.case_for(request.user, pk)
    try:
        saved_selfcheck_detach(case=case, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "L'auto-diagnostic n'est plus joint à la demande.")
    return redirect(_back_to(request, case))


def _back_to(request, case) -> str:
    """Back to the fiche being filled in, or to the case page."""
    if request.POST.get("back") == "form":
        return reverse("cases:form", args=[case.pk])
    return reverse("cases:detail", args=[case.pk])


# --- The coordination edits the questions, their points and the thresholds -------------


@coordinator_only(can_edit_selfcheck)
@require_safe
def manage(request):
    return render(
        request,
        "selfcheck/manage.html",
        {
            "questions": selectors.questions_editable_by(request.user),
            "thresholds": selectors.thresholds_editable_by(request.user),
        },
    )


@coordinator_only(can_edit_selfcheck)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    question = get_object_or_404(selectors.questions_editable_by(request.user), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, prefix="question")
    weights = ChoiceWeightFormSet(
        data, queryset=question.choices.order_by("order", "code"), prefix="choices"
    )
    if request.method == "POST" and form.is_valid() and weights.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        by_choice = {
            choice_form.instance.pk: choice_form.cleaned_data["weight"] for choice_form in weights
        }
        try:
            question_update(question=question, by=request.user, weights=by_choice, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "La question est enregistrée.")
            return redirect("selfcheck_manage:index")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "selfcheck/question_edit.html",
        {"form": form, "weights": weights, "question": question},
        status=status,
    )


@coordinator_only(can_edit_selfcheck)
@require_http_methods(["GET", "POST"])
def thresholds_edit(request):
    queryset = selectors.thresholds_editable_by(request.user)
    formset = ThresholdFormSet(
        request.POST if request.method == "POST" else None, queryset=queryset, prefix="seuils"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                for form in formset:
                    threshold_update(
                        threshold=form.instance,
                        watch_from=form.cleaned_data["watch_from"],
                        warning_from=form.cleaned_data["warning_from"],
                        by=request.user,
                    )
        except ValidationError as error:
            formset.forms[0].add_error(None, error)
        else:
            messages.success(request, "Les seuils sont enregistrés.")
            return redirect("selfcheck_manage:index")
    status = 400 if request.method == "POST" else 200
    return render(request, "selfcheck/thresholds_edit.html", {"formset": formset}, status=status)
