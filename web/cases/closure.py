"""The actions added from the case page, the closure (which sums up the action plan)
and the satisfaction survey."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from soutien.cases import action_plan, policies, selectors, services
from soutien.security.decorators import private_page
from web.cases import forms
from web.cases.common import VISIBILITY, not_possible, page_case, run_service, simple_form


@private_page
def action_create(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_add_action(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title="Ajouter une action au plan",
        submit="Ajouter l'action",
        visibility=VISIBILITY["action"],
        intro="L'intervenant n'agit jamais « à la place » des équipes : chaque action est "
        "portée par une personne du centre. Une action ajoutée par le consultant est proposée : "
        "le centre décide de la reprendre, de l'adapter ou de l'écarter.",
    )


@private_page
def action_update(request, pk, action_pk):
    # The centre's employees update their actions although they see only the stage.
    case = selectors.case_for(request.user, pk)
    if not policies.can_view_action_plan(request.user, case):
        raise Http404("Dossier introuvable")
    action = get_object_or_404(case.actions, pk=action_pk)
    if request.method != "POST" and not policies.can_update_action(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title=f"Avancement de l'action « {action.title} »",
        submit="Enregistrer l'avancement",
        visibility=VISIBILITY["action"],
    )


@private_page
def close(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_close(request.user, case):
        return not_possible(request, case)
    in_progress = action_plan.open_actions(case)
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
    return simple_form(
        request,
        case,
        form,
        title="Clôturer le dossier",
        submit="Clôturer le dossier",
        visibility=VISIBILITY["close"],
        extra={
            "in_progress": in_progress,
            "summary": action_plan.plan_summary(case),
            "can_view_plan": policies.can_view_action_plan(request.user, case),
        },
        template="cases/close.html",
    )


@private_page
def satisfaction(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_answer_satisfaction(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title="Questionnaire de satisfaction",
        submit="Envoyer mes réponses",
        visibility=VISIBILITY["satisfaction"],
    )
