"""The workflow actions: one generic view for the steps of the workflow table that need
only a confirmation or a short text (its input kind decides the form), plus the hand-over
and the deletion of a draft; the opinion, the decision and the consultant's assignment
have their own forms.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from soutien.cases import policies, selectors, services, workflow
from soutien.cases.enums import DecisionOutcome
from soutien.cases.workflow import InputKind
from soutien.security.decorators import private_page
from web.cases import forms, panels
from web.cases.common import VISIBILITY, not_possible, page_case, run_service, simple_form, to_case


@dataclass(frozen=True)
class ActionPage:
    """The words of an action's confirmation page (French)."""

    service: Callable  # (case, by, text) -> the service's result
    title: str
    submit: str
    success: str
    intro: str = ""
    text_label: str = ""  # the label of the text field, when the step takes a text
    text_help: str = ""
    danger: bool = False  # an irreversible or negative step: a red button


# The steps of the workflow table performed on the generic page. Whether they take a text,
# and whether it is required, is the table's input kind; who may is the table's rule.
TRANSITION_PAGES = {
    "submit": ActionPage(
        lambda case, by, text: services.case_submit(case=case, by=by),
        "Transmettre la fiche à la Caf",
        "Transmettre la fiche",
        "La fiche est transmise à la Caf.",
        intro="La coordination de la Caf vérifiera la fiche puis ouvrira la saisine concertée "
        "avec les partenaires financeurs.",
    ),
    "open_referral": ActionPage(
        lambda case, by, text: services.case_open_referral(case=case, by=by),
        "Ouvrir la saisine concertée",
        "Ouvrir la saisine",
        "La saisine concertée est ouverte : les partenaires concernés sont prévenus.",
        intro="Les partenaires financeurs concernés (État, Région, Département, Caf et la "
        "commune du centre si elle est signataire) seront invités à donner leur avis ; "
        "l'avis de la Caf est donné par la coordination.",
    ),
    "return_for_completion": ActionPage(
        lambda case, by, text: services.case_return_for_completion(case=case, by=by, message=text),
        "Renvoyer la fiche pour complément",
        "Renvoyer la fiche",
        "La fiche est renvoyée au gestionnaire pour complément.",
        intro="Tout ce que le gestionnaire a saisi est conservé ; il complète puis transmet à "
        "nouveau.",
        text_label="Ce qui manque",
    ),
    "withdraw": ActionPage(
        lambda case, by, text: services.case_withdraw(case=case, by=by, reason=text),
        "Retirer la demande",
        "Retirer la demande",
        "La demande est retirée.",
        intro="Vous pouvez retirer la demande jusqu'à la décision des financeurs. Le dossier "
        "sera classé sans suite.",
        text_label="Motif (facultatif)",
        danger=True,
    ),
    "close_without_follow_up": ActionPage(
        lambda case, by, text: services.case_decide(
            case=case, by=by, outcome=DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP, grounds=text
        ),
        "Classer la demande sans suite",
        "Classer sans suite",
        "La demande est classée sans suite ; le gestionnaire est prévenu.",
        intro="La saisine concertée ne sera pas ouverte. Le gestionnaire reçoit un courriel, "
        "avec le motif si vous en donnez un ; il pourra déposer une nouvelle demande.",
        text_label="Motif (facultatif)",
        danger=True,
    ),
    "submit_report": ActionPage(
        lambda case, by, text: services.report_submit(case=case, by=by),
        "Transmettre le rapport au gestionnaire",
        "Transmettre le rapport",
        "Le rapport est transmis au gestionnaire.",
        intro=VISIBILITY["report"],
    ),
    "validate_report": ActionPage(
        lambda case, by, text: services.report_validate(case=case, by=by),
        "Valider le rapport",
        "Valider le rapport",
        "Le rapport est validé : les partenaires financeurs concernés peuvent le lire.",
        intro="Une fois validé, le rapport est lisible par la coordination et les partenaires "
        "financeurs concernés.",
    ),
}

# The other actions of the generic page (not steps of the table: the case does not move).
OTHER_PAGES = {
    "hand_over": (
        policies.can_hand_over,
        ActionPage(
            lambda case, by, text: services.case_hand_over(case=case, by=by, message=text),
            "Confier le brouillon aux administrateurs",
            "Confier le brouillon",
            "Le brouillon est confié aux administrateurs de l'association : ils sont prévenus.",
            intro="Seul un administrateur bénévole de l'association peut transmettre la fiche. "
            "Ils recevront un courriel les invitant à la relire et à la transmettre.",
            text_label="Message aux administrateurs",
        ),
        InputKind.OPTIONAL_TEXT,
    ),
    "delete_draft": (
        policies.can_delete_draft,
        ActionPage(
            lambda case, by, text: services.case_delete_draft(case=case, by=by),
            "Supprimer le brouillon",
            "Supprimer définitivement",
            "Le brouillon est supprimé.",
            intro="Le brouillon n'a jamais été transmis : il sera supprimé définitivement.",
            danger=True,
        ),
        InputKind.CONFIRMATION,
    ),
}


def _action(name):
    """(policy, page, input kind) of an action of the generic page, or None."""
    if name in TRANSITION_PAGES:
        return (
            lambda user, case: policies.can_perform(user, case, name),
            TRANSITION_PAGES[name],
            workflow.TRANSITIONS[name].input,
        )
    return OTHER_PAGES.get(name)


@private_page
def transition(request, pk, name):
    """A confirmation page (GET) and the action itself (POST) for the steps that need only
    a confirmation or a short text."""
    found = _action(name)
    if found is None:
        raise Http404
    policy, action, input_kind = found
    case = page_case(request, pk)
    if elsewhere := panels.performed_elsewhere(name, request.user, case):
        # Performed on another step's page for this person (a classement sans suite
        # during the saisine is one of the decision's outcomes).
        return redirect(elsewhere)
    takes_text = input_kind in (InputKind.OPTIONAL_TEXT, InputKind.REQUIRED_TEXT)
    form = forms.CommentForm(
        request.POST or None,
        label=action.text_label or "Message",
        required=input_kind == InputKind.REQUIRED_TEXT,
        help_text=action.text_help,
    )
    if request.method == "POST" and (not takes_text or form.is_valid()):
        text = form.cleaned_data["text"] if takes_text else ""
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
            if not (takes_text and exc.field):
                messages.error(request, exc.message)
                return to_case(case)
            form.add_error("text", exc.message)
        else:
            messages.success(request, action.success)
            if name == "delete_draft":
                return redirect("cases:list")
            return to_case(case)
    elif not policy(request.user, case):
        return not_possible(request, case)
    return render(
        request,
        "cases/confirm.html",
        {
            "case": case,
            "form": form if takes_text else None,
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
    for_the_caf = policies.speaks_for_the_caf(request.user, case)
    return simple_form(
        request,
        case,
        form,
        title="Donner l'avis de la Caf" if for_the_caf else "Donner l'avis de votre institution",
        submit="Enregistrer l'avis de la Caf" if for_the_caf else "Enregistrer mon avis",
        visibility=VISIBILITY["opinion"],
        intro=(
            "La Caf coordonne la mission et compte aussi parmi les financeurs consultés : "
            "c'est la coordination qui donne son avis, comme chaque partenaire donne celui de "
            "son institution. "
            if for_the_caf
            else ""
        )
        + "Vous pouvez modifier cet avis jusqu'à la décision des financeurs."
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
