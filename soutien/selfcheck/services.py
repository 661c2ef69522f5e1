"""Writes of the self-check's questionnaire (coordination only), each recorded in the
audit log. Answers are never written anywhere."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases.enums import EventKind
from soutien.cases.models import Case
from soutien.cases.services import record_event
from soutien.core import clock
from soutien.selfcheck import selectors
from soutien.selfcheck.models import Choice, DomainThreshold, Question, SavedSelfCheck
from soutien.selfcheck.policies import (
    can_attach_selfcheck,
    can_edit_selfcheck,
    can_save_selfcheck_for,
)
from soutien.selfcheck.scoring import score

QUESTION_FIELDS = ("text", "explanation", "advice", "is_active", "warning_sign")


def _check(by):
    if not can_edit_selfcheck(by):
        raise PermissionDenied("Seule la coordination modifie l'auto-diagnostic.")


@transaction.atomic
def question_update(*, question: Question, by, weights: dict[int, int], **fields) -> Question:
    """The coordination edits a question, its explanation, its advice and the points of each
    answer (``weights``: the answer's identifier → points)."""
    _check(by)
    question = Question.objects.select_for_update().get(pk=question.pk)
    changed = []
    for name in QUESTION_FIELDS:
        if name in fields and getattr(question, name) != fields[name]:
            setattr(question, name, fields[name])
            changed.append(name)
    if changed:
        question.save(update_fields=changed)
    choices = {c.pk: c for c in Choice.objects.select_for_update().filter(question=question)}
    before = {}
    for pk, weight in weights.items():
        choice = choices.get(pk)
        if choice is None:
            raise ValidationError("Cette réponse n'appartient pas à la question.")
        if choice.weight != weight:
            before[choice.code] = [choice.weight, weight]
            choice.weight = weight
            choice.save(update_fields=["weight"])
    audit_record(
        action=AuditAction.SELFCHECK_QUESTION_UPDATE,
        actor=by,
        target=question,
        details={"fields": changed, "weights": before},
    )
    return question


@transaction.atomic
def threshold_update(
    *, threshold: DomainThreshold, watch_from: int, warning_from: int, by
) -> DomainThreshold:
    """The coordination sets, for a field, the points from which it is « à surveiller » and
    then shows « signes d'alerte » (the second threshold is higher than the first)."""
    _check(by)
    if not 1 <= watch_from < warning_from:
        raise ValidationError(
            "Le seuil « signes d'alerte » doit être plus élevé que le seuil « à surveiller », "
            "lui-même d'au moins 1 point."
        )
    threshold = DomainThreshold.objects.select_for_update().get(pk=threshold.pk)
    details = {"before": [threshold.watch_from, threshold.warning_from]}
    threshold.watch_from, threshold.warning_from = watch_from, warning_from
    threshold.save(update_fields=["watch_from", "warning_from"])
    audit_record(
        action=AuditAction.SELFCHECK_THRESHOLD_UPDATE,
        actor=by,
        target=threshold,
        details={**details, "after": [watch_from, warning_from]},
    )
    return threshold


@transaction.atomic
def saved_selfcheck_create(*, centre, by, answers: dict[str, str]) -> SavedSelfCheck:
    """The manager keeps a self-check for their centre: the answers and the level of each
    field on that day (to follow the change from one year to the next)."""
    if not can_save_selfcheck_for(by, centre):
        raise PermissionDenied("Seul le gestionnaire du centre enregistre un auto-diagnostic.")
    questions = selectors.question_specs(selectors.active_questions())
    result = score(questions, selectors.domain_specs(), answers)
    kept = {
        question.code: answers[question.code]
        for question in questions
        if question.code in answers and question.choice(answers[question.code])
    }
    if not kept:
        raise ValidationError("Répondez au moins à une question pour obtenir un résultat.")
    saved = SavedSelfCheck.objects.create(
        centre=centre,
        saved_by=by,
        answers=kept,
        levels={field.domain.code: int(field.level) for field in result.domains},
    )
    # The audit says who kept a self-check for which centre, never what it says.
    audit_record(action=AuditAction.SELFCHECK_SAVED, actor=by, target=saved)
    return saved


ATTACHED_LABEL = "Auto-diagnostic joint à la demande"
DETACHED_LABEL = "Auto-diagnostic retiré de la demande"


@transaction.atomic
def saved_selfcheck_attach(*, saved: SavedSelfCheck, case: Case, by) -> SavedSelfCheck:
    """The manager attaches a saved self-check of their centre to a request they may still
    edit: from then on, those who read the fiche also read its answers and its levels. A
    request carries a single self-check: attaching another replaces the first."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    saved = SavedSelfCheck.objects.select_for_update().get(pk=saved.pk)
    if not can_attach_selfcheck(by, case):
        raise PermissionDenied("Seul le gestionnaire joint un auto-diagnostic à sa demande.")
    if saved.centre_id != case.centre_id:
        raise ValidationError("Cet auto-diagnostic a été enregistré pour un autre centre.")
    if saved.attached_to_id == case.pk:
        return saved
    if saved.attached_to_id is not None:
        raise ValidationError("Cet auto-diagnostic est déjà joint à une autre demande.")
    SavedSelfCheck.objects.filter(attached_to=case).update(
        attached_to=None, attached_by=None, attached_at=None
    )
    saved.attached_to, saved.attached_by, saved.attached_at = case, by, clock.now()
    saved.save(update_fields=["attached_to", "attached_by", "attached_at"])
    record_event(case=case, kind=EventKind.SELFCHECK_ATTACHED, label=ATTACHED_LABEL, by=by)
    return saved


@transaction.atomic
def saved_selfcheck_detach(*, case: Case, by) -> int:
    """The manager removes the attached self-check, as long as the fiche may be edited."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can_attach_selfcheck(by, case):
        raise PermissionDenied("Seul le gestionnaire retire l'auto-diagnostic de sa demande.")
    detached = SavedSelfCheck.objects.filter(attached_to=case).update(
        attached_to=None, attached_by=None, attached_at=None
    )
    if detached:
        record_event(case=case, kind=EventKind.SELFCHECK_DETACHED, label=DETACHED_LABEL, by=by)
    return detached
