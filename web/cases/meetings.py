"""Planning a meeting from the case page."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from soutien.cases import selectors, services
from soutien.cases.enums import MeetingKind
from soutien.documents import invitations
from soutien.security.decorators import private_page
from web.cases import forms
from web.cases.common import VISIBILITY, not_possible, page_case, run_service, simple_form

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
    case = page_case(request, pk)
    if request.method != "POST" and not services.MEETING_POLICIES[kind](request.user, case):
        return not_possible(request, case)
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
    return simple_form(
        request,
        case,
        form,
        title=MEETING_TITLES[kind],
        submit="Enregistrer",
        visibility=VISIBILITY[kind],
        intro=MEETING_INTRO,
        template="cases/meeting_form.html",
    )
