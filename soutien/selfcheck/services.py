"""Writes of the self-check's questionnaire (coordination only), each recorded in the
audit log. Answers are never written anywhere."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from soutien.audit.services import audit_record
from soutien.selfcheck import selectors
from soutien.selfcheck.models import Choice, DomainThreshold, Question, SavedSelfCheck
from soutien.selfcheck.policies import can_edit_selfcheck, can_save_selfcheck_for
from soutien.selfcheck.scoring import score

QUESTION_FIELDS = ("text", "explanation", "advice", "is_active", "warning_sign")


def _check(by):
    if not can_edit_selfcheck(by):
        raise PermissionDenied("Seule la coordination modifie l'auto-diagnostic.")


@transaction.atomic
def question_update(*, question: Question, by, weights: dict[int, int], **fields) -> Question:
    """La coordination modifie une question, son explication, ses conseils et les points
    de chaque réponse (``weights`` : identifiant de la réponse → points)."""
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
        action="selfcheck.question_update",
        actor=by,
        target=question,
        details={"fields": changed, "weights": before},
    )
    return question


@transaction.atomic
def threshold_update(
    *, threshold: DomainThreshold, watch_from: int, warning_from: int, by
) -> DomainThreshold:
    """La coordination fixe, pour un champ, les points à partir desquels il est « à surveiller »
    puis présente des « signes d'alerte » (le second seuil est plus haut que le premier)."""
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
        action="selfcheck.threshold_update",
        actor=by,
        target=threshold,
        details={**details, "after": [watch_from, warning_from]},
    )
    return threshold


@transaction.atomic
def saved_selfcheck_create(*, centre, by, answers: dict[str, str]) -> SavedSelfCheck:
    """Le gestionnaire garde un auto-diagnostic pour son centre : les réponses et le niveau
    de chaque champ ce jour-là (pour suivre l'évolution d'une année sur l'autre)."""
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
    audit_record(action="selfcheck.saved", actor=by, target=saved)
    return saved
