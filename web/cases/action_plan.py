"""The action plan page (grouped by field, with its progress), its PDF, the centre's
decisions on proposed actions, the statuses, and the consultant's support sessions.

One policy decides who reads the plan, whatever the format: the page and its PDF both
ask ``policies.can_view_action_plan``.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from soutien.cases import action_plan, policies, selectors
from soutien.cases.enums import ActionStatus
from soutien.cases.models import Case
from soutien.documents import pdf
from soutien.security.decorators import private_page
from web.cases import forms
from web.cases.common import not_possible, run_service, simple_form
from web.documents.views import _pdf_response

VISIBILITY_PLAN = (
    "Le plan d'actions est lu par toutes les personnes qui suivent le dossier (centre, "
    "coordination, partenaires financeurs concernés, prestataire) et par les salariés du "
    "centre, qui en portent les actions. Seuls les membres du centre décident des actions et "
    "de leur état."
)
VISIBILITY_SESSION = (
    "Les séances d'accompagnement sont lues par le gestionnaire, les salariés du centre, la "
    "coordination et le prestataire ; pas par les partenaires financeurs."
)


def _plan_case(request, pk) -> Case:
    """The case, for those who may read its action plan at some stage: whoever sees the case,
    and the centre's employees (who see only the stage of the rest). 404 otherwise."""
    case = selectors.case_for(request.user, pk)
    if not (
        policies.can_view_case(request.user, case)
        or policies.can_view_stage_only(request.user, case)
    ):
        raise Http404("Dossier introuvable")
    return case


def _to_plan(case, anchor=""):
    return redirect(reverse("cases:action_plan", args=[case.pk]) + anchor)


def _action(request, pk, action_pk):
    case = _plan_case(request, pk)
    if not policies.can_view_action_plan(request.user, case):
        raise Http404("Dossier introuvable")
    return case, get_object_or_404(case.actions.select_related("domain"), pk=action_pk)


def _decision_form(case, action, data=None):
    return forms.ActionDecisionForm(
        data,
        people=action_plan.centre_people(case),
        initial={
            "title": action.title,
            "description": action.description,
            "owner": action.owner,
            "due_date": action.due_date,
            "version": action.version,
        },
        auto_id=f"id_decision{action.pk}_%s",
    )


def _status_form(action, data=None):
    return forms.ActionStatusForm(
        data,
        initial={
            "status": action.status if action.status != ActionStatus.PROPOSED else None,
            "reason": action.status_reason,
            "done_by_centre": action.done_by_centre is not False,
            "version": action.version,
        },
        auto_id=f"id_status{action.pk}_%s",
    )


@private_page
def plan(request, pk):
    """The plan: every action grouped by field, the progress, the proposed actions with the
    centre's decision forms, the statuses, and the support sessions."""
    case = _plan_case(request, pk)
    user = request.user
    if not policies.can_view_action_plan(user, case):
        return not_possible(request, case)
    summary = action_plan.plan_summary(case)
    can_decide = policies.can_decide_on_action(user, case)
    can_set_status = policies.can_set_action_status(user, case)
    for group in summary.groups:
        for action in group.actions:
            action.plan_form = None
            if action.status == ActionStatus.PROPOSED and can_decide:
                action.plan_form = _decision_form(case, action)
            elif action.status != ActionStatus.DECLINED and can_set_status:
                action.plan_form = _status_form(action)
    return render(
        request,
        "cases/action_plan.html",
        {
            "case": case,
            "summary": summary,
            "can_add_action": policies.can_add_action(user, case),
            "can_log_session": policies.can_log_support_session(user, case),
            "can_view_sessions": policies.can_view_support_sessions(user, case),
            "sessions": action_plan.support_sessions_visible(user, case),
            "visibility": VISIBILITY_PLAN,
            "visibility_sessions": VISIBILITY_SESSION,
            "stage_only": policies.can_view_stage_only(user, case),
        },
    )


@require_GET
@private_page
def plan_pdf(request, pk):
    """The plan as a PDF: the same readers as the page (one policy for both)."""
    case = _plan_case(request, pk)
    if not policies.can_view_action_plan(request.user, case):
        raise Http404("Plan d'actions introuvable")
    return _pdf_response(
        request,
        case,
        pdf.render_action_plan_pdf(case),
        f"plan-d-actions-{case.display_number}.pdf",
        "action_plan_pdf",
    )


@private_page
def decide(request, pk, action_pk):
    """The centre accepts, adapts or declines a proposed action."""
    case, action = _action(request, pk, action_pk)
    if request.method != "POST" and not policies.can_decide_on_action(request.user, case):
        return not_possible(request, case)
    form = _decision_form(case, action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choice = data["decision"]
        common = {"action": action, "by": request.user, "version": data["version"]}
        who = {"owner": data["owner"], "carried_by": data["carried_by"]}
        if choice == form.ACCEPT:

            def call():
                action_plan.action_accept(**common, **who, due_date=data["due_date"])

            success = "L'action est reprise au plan d'actions."
        elif choice == form.ADAPT:

            def call():
                action_plan.action_adapt(
                    **common,
                    **who,
                    title=data["title"],
                    description=data["description"],
                    due_date=data["due_date"],
                )

            success = "L'action adaptée est reprise au plan d'actions."
        else:

            def call():
                action_plan.action_decline(**common, reason=data["reason"])

            success = "L'action est écartée ; son motif reste visible au plan d'actions."
        response = run_service(
            request, case, form, call, success=success, then=_to_plan(case, f"#action-{action.pk}")
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title=f"Décider de l'action proposée « {action.title} »",
        submit="Enregistrer la décision",
        visibility=VISIBILITY_PLAN,
        intro=action.description,
    )


@private_page
def set_status(request, pk, action_pk):
    """A member of the centre sets the state of an action of the plan."""
    case, action = _action(request, pk, action_pk)
    if request.method != "POST" and not policies.can_set_action_status(request.user, case):
        return not_possible(request, case)
    form = _status_form(action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: action_plan.action_set_status(
                action=action, by=request.user, **form.cleaned_data
            ),
            success="L'état de l'action est enregistré.",
            then=_to_plan(case, f"#action-{action.pk}"),
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title=f"État de l'action « {action.title} »",
        submit="Enregistrer l'état",
        visibility=VISIBILITY_PLAN,
    )


@private_page
def support_session(request, pk):
    """The consultant logs a support session."""
    case = _plan_case(request, pk)
    if request.method != "POST" and not policies.can_log_support_session(request.user, case):
        return not_possible(request, case)
    form = forms.SupportSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: action_plan.support_session_log(
                case=case, by=request.user, **form.cleaned_data
            ),
            success="La séance d'accompagnement est consignée.",
            then=_to_plan(case, "#seances"),
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title="Consigner une séance d'accompagnement",
        submit="Enregistrer la séance",
        visibility=VISIBILITY_SESSION,
        intro="L'intervenant travaille avec les bénévoles et les salariés, jamais à leur place : "
        "notez ce qui a été travaillé et les outils que l'équipe garde.",
    )
