"""Reads of the follow-up questionnaires, scoped to the user (out of scope: 404)."""

from django.http import Http404

from soutien.cases import policies as case_policies
from soutien.cases import selectors as case_selectors
from soutien.followup import policies
from soutien.followup.models import FollowUp


def followup_for(user, case_pk, milestone) -> FollowUp:
    """The questionnaire of this case and milestone, if the user sees the case in full
    (404 otherwise, never revealing whether it exists)."""
    case = case_selectors.case_for(user, case_pk)
    if not case_policies.can_view_case(user, case):
        raise Http404("Dossier introuvable")
    followup = FollowUp.objects.filter(case=case, milestone=milestone).first()
    if followup is None:
        raise Http404("Questionnaire introuvable")
    followup.case = case
    return followup


def followups_visible(user, case) -> list[FollowUp] | None:
    """The case's questionnaires for those who read the answers; None for the others."""
    if not policies.can_view_followups(user, case):
        return None
    if case.closed_at is None:
        return []  # planned at closure (services.followups_plan): none before, no query
    followups = list(FollowUp.objects.filter(case=case).order_by("milestone"))
    for followup in followups:
        followup.case = case  # the policies ask about the case: no query per questionnaire
    return followups
