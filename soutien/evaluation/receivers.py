"""The case events that change what the evaluation counts mark the case dirty.

soutien.cases writes the cases; the evaluation listens (the cases never import it): a
case saved, an event recorded (a decision on an action, an action completed, a follow-up
answered), a satisfaction answer, the fields of a request; a request of a centre, sent or
deleted, marks the centre's closed cases too (whether it asked again). A change
of target durations changes no case's facts but does change the published grid (the
steps completed within their target): it bumps the facts' version.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from soutien.cases.models import Case, CaseEvent, InformationForm, Satisfaction, TargetDuration
from soutien.evaluation import facts


def _earlier_closures_dirty(case) -> None:
    """A request of a centre changes whether its closed cases « asked again »."""
    earlier = Case.objects.filter(centre_id=case.centre_id, closed_at__isnull=False)
    for case_id in earlier.exclude(pk=case.pk).values_list("pk", flat=True):
        facts.mark_dirty(case_id)


@receiver(post_save, sender=Case, dispatch_uid="evaluation-case-saved")
def case_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    facts.mark_dirty(instance.pk)
    if instance.submitted_at is not None and (
        update_fields is None or {"submitted_at", "centre"} & set(update_fields)
    ):
        _earlier_closures_dirty(instance)


@receiver(pre_delete, sender=Case, dispatch_uid="evaluation-case-deleting")
def case_deleting(sender, instance, **kwargs):
    """Its facts go with it (a cascade): the groups of facts lose them first."""
    facts.forget(instance.pk)


@receiver(post_delete, sender=Case, dispatch_uid="evaluation-case-deleted")
def case_deleted(sender, instance, **kwargs):
    _earlier_closures_dirty(instance)


@receiver(post_save, sender=CaseEvent, dispatch_uid="evaluation-case-event")
def case_event(sender, instance, raw=False, **kwargs):
    if not raw:
        facts.mark_dirty(instance.case_id)


@receiver(post_save, sender=Satisfaction, dispatch_uid="evaluation-satisfaction-saved")
@receiver(post_delete, sender=Satisfaction, dispatch_uid="evaluation-satisfaction-deleted")
def satisfaction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        facts.mark_dirty(instance.case_id)


@receiver(m2m_changed, sender=InformationForm.domains.through, dispatch_uid="evaluation-domains")
def domains_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # from a domain: the forms given (a form's key is its case's)
        for case_id in pk_set or ():
            facts.mark_dirty(case_id)
    else:
        facts.mark_dirty(instance.pk)


@receiver(post_save, sender=TargetDuration, dispatch_uid="evaluation-target-saved")
@receiver(post_delete, sender=TargetDuration, dispatch_uid="evaluation-target-deleted")
def targets_changed(sender, raw=False, **kwargs):
    if not raw:
        facts.bump_version()
