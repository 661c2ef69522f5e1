"""The follow-up questionnaire page (suivi à 6 et 12 mois), for the case's managers."""

from django.contrib import messages
from django.views.decorators.http import require_http_methods

from soutien.cases import policies as case_policies
from soutien.core.french import date_fr
from soutien.followup import policies, selectors, services
from soutien.security.decorators import private_page
from web.cases.common import not_possible, run_service, simple_form, to_case
from web.followup.forms import FollowUpForm

VISIBILITY = (
    "Vos réponses sont lues par la coordination de la mission (Caf des Bouches-du-Rhône) et "
    "par le gestionnaire du centre ; ni les partenaires financeurs ni le prestataire ne les "
    "voient. L'instance d'évaluation n'en voit que des totaux."
)


@private_page
@require_http_methods(["GET", "POST"])
def answer(request, pk, milestone):
    """Answer one questionnaire: the case's managers, once it was sent, once."""
    followup = selectors.followup_for(request.user, pk, milestone)
    case = followup.case
    if not policies.can_answer_followup(request.user, followup):
        if case_policies.is_manager_side(request.user, case):
            if followup.answered_at is not None:
                messages.info(request, "Vous avez déjà répondu à ce questionnaire de suivi. Merci.")
                return to_case(case)
            if followup.sent_at is None:
                messages.info(
                    request,
                    f"Ce questionnaire de suivi s'ouvrira le {date_fr(followup.due_on)} : "
                    "vous recevrez alors un courriel.",
                )
                return to_case(case)
        return not_possible(request, case)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = run_service(
            request,
            case,
            form,
            lambda: services.followup_answer(
                followup=followup, by=request.user, **form.cleaned_data
            ),
            success="Merci : vos réponses au questionnaire de suivi sont enregistrées.",
        )
        if response:
            return response
    return simple_form(
        request,
        case,
        form,
        title=f"{followup.get_milestone_display()} de la mission",
        submit="Envoyer mes réponses",
        visibility=VISIBILITY,
        intro=(
            f"La mission de votre centre a été clôturée il y a {followup.milestone} mois. "
            "Quatre questions courtes pour savoir où en est le centre aujourd'hui."
        ),
    )
