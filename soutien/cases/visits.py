"""« Nouveau depuis votre dernière visite »: each person's last view of each case, and
the cases that changed since (an event they may read, by someone else)."""

from django.db.models import Exists, OuterRef, Q, Subquery

from soutien.cases.enums import Audience
from soutien.cases.models import Case, CaseEvent, CaseVisit, Opinion
from soutien.core import clock
from soutien.directory.actors import actor_for

# Events that are not changes of the case for its readers (as in the daily digest).
SILENT_EVENT_KINDS = ("reminder",)


def record_visit(*, user, case: Case) -> None:
    """Remember that `user` has just seen `case`: one upsert (insert, or update the date
    on the unique pair person–case), safe when two pages are opened at once.

    Skipped when the case read by ``selectors.case_page_for`` says that nothing happened
    since the last visit (no event after it): the mark « nouveau » compares the events
    with the last visit, so moving the date forward would change nothing."""
    seen_at = getattr(case, "visit_seen_at", None)
    if seen_at is not None:
        last_event_at = getattr(case, "last_event_at", None)
        if last_event_at is None or last_event_at <= seen_at:
            return
    CaseVisit.objects.bulk_create(
        [CaseVisit(user_id=user.pk, case_id=case.pk, seen_at=clock.now())],
        update_conflicts=True,
        unique_fields=["user", "case"],
        update_fields=["seen_at"],
    )


def readable_events_q(user) -> Q:
    """The timeline events of the outer case this person may read, as a condition on
    `CaseEvent` (the same audiences as policies.visible_audiences, for a list of cases)."""
    actor = actor_for(user)
    if actor.coordinator:
        return Q()
    readable = Q(audience=Audience.CASE)
    if actor.partner_orgs:
        concerned = Opinion.objects.filter(
            case_id=OuterRef("case_id"), partner_id__in=actor.partner_orgs
        )
        readable |= Q(audience=Audience.PARTNERS) & Q(Exists(concerned))
    if actor.manager_orgs or actor.provider_orgs:
        readable |= Q(audience=Audience.MANAGER_AND_PROVIDER) & (
            Q(case__manager_id__in=actor.manager_orgs)
            | Q(case__provider_id__in=actor.provider_orgs)
        )
    return readable


def changed_since_visit(user) -> Exists:
    """For a query of cases: True when the case has an event this person may read, made
    by someone else, after their last visit of its page. A case never opened is not
    marked (it has no last visit)."""
    seen = CaseVisit.objects.filter(user_id=user.pk, case_id=OuterRef("case_id")).values("seen_at")[
        :1
    ]
    events = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), created_at__gt=Subquery(seen))
        .filter(readable_events_q(user))
        .exclude(kind__in=SILENT_EVENT_KINDS)
        .exclude(actor_id=user.pk)
    )
    return Exists(events)
