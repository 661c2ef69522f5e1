"""Reads of the self-check's questionnaire, as plain values for the scoring."""

from django.db.models import Prefetch, Q
from django.http import Http404

from soutien.core.refcache import ProcessCache
from soutien.directory.actors import actor_for
from soutien.directory.models import Domain, SocialCentre
from soutien.selfcheck.models import Choice, DomainThreshold, Question, SavedSelfCheck
from soutien.selfcheck.policies import (
    can_attach_selfcheck,
    can_edit_selfcheck,
    can_view_attached_selfcheck,
    can_view_saved_selfcheck,
)
from soutien.selfcheck.scoring import ChoiceSpec, DomainSpec, QuestionSpec


def active_questions():
    """The questions asked, in order, with their choices."""
    return (
        Question.objects.filter(is_active=True)
        .select_related("domain", "warning_sign")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "code")))
        .order_by("domain__order", "order", "code")
    )


def question_specs(questions) -> list[QuestionSpec]:
    return [
        QuestionSpec(
            code=question.code,
            domain_code=question.domain.code,
            text=question.text,
            explanation=question.explanation,
            advice=question.advice,
            warning_sign_code=question.warning_sign.code if question.warning_sign else None,
            choices=tuple(
                ChoiceSpec(code=choice.code, label=choice.label, weight=choice.weight)
                for choice in question.choices.all()
            ),
        )
        for question in questions
    ]


def domain_specs() -> list[DomainSpec]:
    """The fields that have thresholds, in their order."""
    thresholds = DomainThreshold.objects.select_related("domain").order_by("domain__order")
    return [
        DomainSpec(
            code=threshold.domain.code,
            name=threshold.domain.name,
            watch_from=threshold.watch_from,
            warning_from=threshold.warning_from,
        )
        for threshold in thresholds
    ]


# Read on every case page with an attached self-check; the thresholds and the fields'
# names change only through the admin.
_domain_specs = ProcessCache("selfcheck.domain_specs", lambda: tuple(domain_specs())).watch(
    DomainThreshold, Domain
)


def domain_specs_cached() -> list[DomainSpec]:
    """``domain_specs`` kept in the process (soutien.core.refcache): for display only,
    the scoring reads the table itself."""
    return list(_domain_specs.get())


def questions_editable_by(user):
    """Every question (asked or not), for the coordination; nothing for anyone else."""
    if not can_edit_selfcheck(user):
        return Question.objects.none()
    return Question.objects.select_related("domain", "warning_sign").order_by(
        "domain__order", "order", "code"
    )


def thresholds_editable_by(user):
    if not can_edit_selfcheck(user):
        return DomainThreshold.objects.none()
    return DomainThreshold.objects.select_related("domain").order_by("domain__order")


def domains_with_questions():
    return Domain.objects.filter(selfcheck_questions__isnull=False).distinct().order_by("order")


def saved_selfchecks_visible_to(user):
    """The saved self-checks of the centres the user belongs to (manager or employee);
    nothing for anyone else (out of scope = 404)."""
    return (
        SavedSelfCheck.objects.filter(centre__manager_id__in=actor_for(user).centre_orgs)
        .select_related("centre", "saved_by")
        .order_by("centre__name", "-saved_at", "-pk")
    )


def centres_for_saving(user):
    """The centres for which the user may keep a self-check (as their manager)."""
    return SocialCentre.objects.filter(manager_id__in=actor_for(user).manager_orgs).order_by("name")


def saved_selfcheck_for(user, pk) -> SavedSelfCheck:
    """One saved self-check, if the user may read it (its centre's members; the readers of
    the fiche it is attached to); 404 otherwise."""
    saved = (
        SavedSelfCheck.objects.select_related("centre", "saved_by", "attached_to")
        .filter(pk=pk)
        .first()
    )
    if saved is None or not can_view_saved_selfcheck(user, saved):
        raise Http404("Auto-diagnostic introuvable")
    return saved


def attached_selfcheck(user, case) -> SavedSelfCheck | None:
    """The self-check attached to the request, if the user reads the fiche; else None."""
    if not can_view_attached_selfcheck(user, case):
        return None
    return SavedSelfCheck.objects.filter(attached_to=case).select_related("saved_by").first()


def attachable_selfchecks(user, case):
    """The centre's saved self-checks the manager may attach to this request (none if the
    user may not attach), newest first."""
    if not can_attach_selfcheck(user, case):
        return SavedSelfCheck.objects.none()
    return (
        SavedSelfCheck.objects.filter(centre_id=case.centre_id)
        .filter(Q(attached_to__isnull=True) | Q(attached_to=case))
        .order_by("-saved_at", "-pk")
    )
