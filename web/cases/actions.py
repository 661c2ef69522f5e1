"""The workflow actions that need only a confirmation or a short text, the opinion,
the decision and the consultant's assignment.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from soutien.cases import policies, selectors, services
from soutien.security.decorators import private_page
from web.cases import forms
from web.cases.common import VISIBILITY, not_possible, page_case, run_service, simple_form, to_case


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
    case = page_case(request, pk)
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
            return to_case(case)
        except services.CaseError as exc:
            if exc.errors and name == "submit":
                # The form is incomplete: show what is missing beside each field.
                messages.error(request, exc.message)
                return redirect(reverse("cases:form", args=[case.pk]) + "?verifier=1")
            if not (action.text_label and exc.field):
                messages.error(request, exc.message)
                return to_case(case)
            form.add_error("text", exc.message)
        else:
            messages.success(request, action.success)
            if name == "delete_draft":
                return redirect("cases:list")
            return to_case(case)
    elif not action.policy(request.user, case):
        return not_possible(request, case)
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


@private_page
def opinion(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_give_opinion(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
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
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_decide(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title="Enregistrer la décision des financeurs",
        submit="Enregistrer la décision",
        visibility=VISIBILITY["decision"],
        extra={"opinions": case.opinions.select_related("partner")},
    )


@private_page
def assign(request, pk):
    case = page_case(request, pk)
    if request.method != "POST" and not policies.can_assign_consultant(request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title="Désigner le consultant",
        submit="Désigner",
        visibility=VISIBILITY["assign"],
    )
