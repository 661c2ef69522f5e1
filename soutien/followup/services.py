"""Writes on the follow-up questionnaires: planned at closure, answered by the manager.

Who reads the answers: the coordination and the case's managers (policies
`can_view_followups`); the history says « Suivi à 6 mois reçu » to the coordination.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone

from soutien.cases.enums import Audience
from soutien.cases.models import Case
from soutien.cases.services import AlreadyDone, CaseError, NotPermitted, record_event
from soutien.core import clock
from soutien.followup import policies
from soutien.followup.enums import ActionsContinued, Milestone, Situation, WouldAskAgain
from soutien.followup.models import FollowUp


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has fewer days
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followups_plan(*, case: Case, **_ignored) -> list[FollowUp]:
    """At closure, the 6- and 12-month follow-up questionnaires are planned, dated from the
    day of closure (Paris time). Called by ``case_close`` (settings
    ``SOUTIEN_CASE_HOOKS``), inside its transaction; planning twice changes nothing."""
    closed_on = timezone.localdate(case.closed_at or clock.now())
    planned = []
    for milestone in Milestone:
        followup, _ = FollowUp.objects.get_or_create(
            case=case,
            milestone=milestone,
            defaults={"due_on": add_months(closed_on, milestone.value)},
        )
        planned.append(followup)
    return planned


DIFFICULTIES_MESSAGE = "Décrivez en quelques mots les nouvelles difficultés."


@transaction.atomic
def followup_answer(
    *,
    followup: FollowUp,
    by,
    situation: str,
    actions_continued: str,
    new_difficulties: bool | None,
    new_difficulties_text: str = "",
    would_ask_again: str,
) -> FollowUp:
    """The manager answers the follow-up questionnaire, once. The answers are read by the
    coordination and by the manager; the case history shows « Suivi à 6 mois reçu » (or
    12 months) to the coordination."""
    case = Case.objects.select_for_update().get(pk=followup.case_id)
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    followup.case = case
    if followup.answered_at is not None:
        raise AlreadyDone()
    if not policies.can_answer_followup(by, followup):
        raise NotPermitted()
    errors = {}
    if situation not in Situation.values:
        errors["situation"] = "Indiquez où en est le centre aujourd'hui."
    if actions_continued not in ActionsContinued.values:
        errors["actions_continued"] = "Indiquez si les actions du plan ont été poursuivies."
    if new_difficulties is None:
        errors["new_difficulties"] = "Indiquez si de nouvelles difficultés sont apparues."
    elif new_difficulties and not (new_difficulties_text or "").strip():
        errors["new_difficulties_text"] = DIFFICULTIES_MESSAGE
    if would_ask_again not in WouldAskAgain.values:
        errors["would_ask_again"] = "Indiquez si vous feriez de nouveau appel à la mission."
    if errors:
        raise CaseError("Vérifiez vos réponses : certaines manquent.", errors=errors)
    followup.situation = situation
    followup.actions_continued = actions_continued
    followup.new_difficulties = new_difficulties
    followup.new_difficulties_text = new_difficulties_text.strip() if new_difficulties else ""
    followup.would_ask_again = would_ask_again
    followup.answered_at = clock.now()
    followup.answered_by = by
    followup.save(
        update_fields=[
            "situation",
            "actions_continued",
            "new_difficulties",
            "new_difficulties_text",
            "would_ask_again",
            "answered_at",
            "answered_by",
        ]
    )
    record_event(
        case=case,
        kind=f"followup_{followup.milestone}",
        label=f"{followup.get_milestone_display()} reçu",
        by=by,
        audience=Audience.COORDINATION,
    )
    return followup
