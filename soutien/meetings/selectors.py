"""Meeting reads, scoped to the user: the meetings and date polls of a case one may see,
and the people one may invite."""

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, Subquery, Value

from soutien.cases.models import Opinion
from soutien.directory.models import Membership, Role
from soutien.meetings.models import DatePoll, DatePollAnswer, DatePollSlot
from soutien.meetings.policies import can_view_meeting, can_view_poll


def _prefetched(instance, name: str, objects) -> None:
    """Make ``instance.<name>.all()`` give ``objects`` without a query, as
    ``prefetch_related`` does (Django keeps prefetched rows in
    ``_prefetched_objects_cache``): for rows read together by one query of our own."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


SLOT_FIELDS = [field.attname for field in DatePollSlot._meta.concrete_fields]
ANSWER_FIELDS = [field.attname for field in DatePollAnswer._meta.concrete_fields]


def _meetings_and_polls(case) -> tuple[list, list[DatePoll]]:
    """Every meeting and every open date poll of the case, with the people invited to
    each, the polls' slots and their answers, read once per case object in four queries
    whatever their number: the meetings, the polls, the invited people of both (one
    union) and the slots with their answers (one outer join)."""
    cached = getattr(case, "_meetings_and_polls", None)
    if cached is not None:
        return cached
    # Who created a meeting is not shown (its policies read ``created_by_id``): no join.
    meetings = list(case.meetings.order_by("starts_at", "pk"))
    polls = list(
        case.date_polls.filter(picked_at__isnull=True)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    for item in (*meetings, *polls):
        item.case = case
    if meetings or polls:
        users = get_user_model().objects
        invited = users.filter(meetings__case=case).annotate(
            invited_to=Value("meeting"), invited_id=F("meetings__id")
        )
        asked = users.filter(date_polls__case=case, date_polls__picked_at__isnull=True).annotate(
            invited_to=Value("poll"), invited_id=F("date_polls__id")
        )
        people = {("meeting", m.pk): [] for m in meetings} | {("poll", p.pk): [] for p in polls}
        union = invited.order_by().union(asked.order_by(), all=True)
        union = union.order_by("last_name", "first_name", "pk")
        for person in union:
            people.setdefault((person.invited_to, person.invited_id), []).append(person)
        for meeting in meetings:
            _prefetched(meeting, "attendees", people[("meeting", meeting.pk)])
        for poll in polls:
            _prefetched(poll, "attendees", people[("poll", poll.pk)])
    if polls:
        rows = (
            DatePollSlot.objects.filter(poll__in=[poll.pk for poll in polls])
            .order_by("starts_at", "pk", "answers__pk")
            .values_list(*SLOT_FIELDS, *(f"answers__{name}" for name in ANSWER_FIELDS))
        )
        slots: dict[int, DatePollSlot] = {}
        answers: dict[int, list[DatePollAnswer]] = {poll.pk: [] for poll in polls}
        for row in rows:
            slot_values, answer_values = row[: len(SLOT_FIELDS)], row[len(SLOT_FIELDS) :]
            if slot_values[0] not in slots:
                slots[slot_values[0]] = DatePollSlot.from_db("default", SLOT_FIELDS, slot_values)
            if answer_values[0] is not None:
                answer = DatePollAnswer.from_db("default", ANSWER_FIELDS, answer_values)
                answers[answer.poll_id].append(answer)
        for poll in polls:
            _prefetched(poll, "slots", [s for s in slots.values() if s.poll_id == poll.pk])
            _prefetched(poll, "answers", answers[poll.pk])
    case._meetings_and_polls = (meetings, polls)
    return meetings, polls


def meetings_visible(user, case) -> list:
    """The meetings of the case the user may see (policies.can_view_meeting, the rule that
    also decides their .ics and PDF). Cancelled meetings are included (shown as such).
    Attendees come with them: constant queries (``_meetings_and_polls``)."""
    meetings, _ = _meetings_and_polls(case)
    return [meeting for meeting in meetings if can_view_meeting(user, meeting)]


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
    invitees and answers: constant queries (``_meetings_and_polls``)."""
    _, polls = _meetings_and_polls(case)
    return [poll for poll in polls if can_view_poll(user, poll)]
