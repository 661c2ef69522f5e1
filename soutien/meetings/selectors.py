"""Meeting reads, scoped to the user: the meetings and date polls of a case one may see,
and the people one may invite."""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, Subquery

from soutien.cases.models import Opinion
from soutien.directory.models import Membership, Role
from soutien.meetings.models import DatePoll
from soutien.meetings.policies import can_view_meeting, can_view_poll


def meetings_visible(user, case) -> list:
    """The meetings of the case the user may see (policies.can_view_meeting, the rule that
    also decides their .ics and PDF). Cancelled meetings are included (shown as such).
    Attendees are prefetched: constant queries."""
    attendees = Prefetch(
        "attendees",
        queryset=get_user_model().objects.order_by("last_name", "first_name", "pk"),
    )
    meetings = case.meetings.prefetch_related(attendees).select_related("created_by")
    visible = []
    for meeting in meetings.order_by("starts_at", "pk"):
        meeting.case = case
        if can_view_meeting(user, meeting):
            visible.append(meeting)
    return visible


def meeting_candidates(case, *, with_staff: bool = False):
    """The platform users who may be invited to a meeting of the case: the manager side,
    the coordination, the representatives of the concerned partners and the assigned
    consultant; with `with_staff`, the centre's employees too (the consultant meets them
    in interviews and support sessions). One query; each user carries `organisation_name`
    for the label."""
    concerned = Opinion.objects.filter(case=case).values("partner_id")
    relevant = (
        Q(
            memberships__organisation_id=case.manager_id,
            memberships__role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
        )
        | Q(memberships__role=Role.COORDINATOR)
        | Q(memberships__role=Role.PARTNER, memberships__organisation_id__in=concerned)
    )
    if with_staff:
        relevant |= Q(memberships__organisation_id=case.manager_id, memberships__role=Role.STAFF)
    scope = relevant & Q(memberships__is_active=True)
    if case.consultant_id:
        scope |= Q(
            pk=case.consultant_id,
            memberships__role=Role.CONSULTANT,
            memberships__organisation_id=case.provider_id,
            memberships__is_active=True,
        )
    organisation = Membership.objects.filter(user=OuterRef("pk"), is_active=True).filter(
        Q(organisation_id=case.manager_id)
        | Q(role=Role.COORDINATOR)
        | Q(role=Role.PARTNER, organisation_id__in=concerned)
        | Q(role=Role.CONSULTANT, organisation_id=case.provider_id)
    )
    ids = get_user_model().objects.filter(scope, is_active=True).values("pk")
    return (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(
            organisation_name=Subquery(organisation.order_by("pk").values("organisation__name")[:1])
        )
        .order_by("organisation_name", "last_name", "first_name", "pk")
    )


def polls_visible(user, case) -> list[DatePoll]:
    """The open date polls of the case the user may see (policies.can_view_poll: the
    audience of the meeting they prepare, and the people asked), with their slots,
    invitees and answers prefetched: constant queries."""
    polls = (
        case.date_polls.filter(picked_at__isnull=True)
        .select_related("created_by")
        .prefetch_related("attendees", "slots", "answers")
        .order_by("created_at", "pk")
    )
    visible = []
    for poll in polls:
        poll.case = case
        if can_view_poll(user, poll):
            visible.append(poll)
    return visible
