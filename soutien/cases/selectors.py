"""Reads of cases, always scoped to what the user may see."""

import re

from django.contrib.auth import get_user_model
from django.db.models import (
    Case as When_,
)
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404

from soutien.cases.awaiting import awaiting_user_q, todo_counts, todo_q
from soutien.cases.deadlines import deadline_expression, past_due_q
from soutien.cases.enums import ActionStatus, Channel, EventKind, ReportStatus, Stage
from soutien.cases.models import (
    Action,
    ActionNote,
    Case,
    CaseEvent,
    CaseVisit,
    InformationForm,
    Opinion,
    ReportVersion,
)
from soutien.cases.policies import (
    actor_for,
    can_read_channel,
    can_view_report_version,
    visible_audiences,
)
from soutien.cases.visits import changed_since_visit
from soutien.cases.workflow import TRANSITIONS, opinion_partner_ids
from soutien.core import clock
from soutien.core.refcache import ProcessCache
from soutien.directory import selectors as directory_selectors
from soutien.directory.models import (
    Commune,
    Domain,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SocialCentre,
    WarningSign,
)


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case the user may open (detail or stage only). Out of scope means 404."""
    actor = actor_for(user)
    if actor.user_id is None:
        return Case.objects.none()
    scope = Q(pk__in=[])
    if actor.coordinator:
        scope |= ~Q(stage=Stage.DRAFT)
    if actor.manager_orgs:
        scope |= Q(manager_id__in=actor.manager_orgs)
    if actor.staff_orgs:
        scope |= Q(manager_id__in=actor.staff_orgs) & (
            ~Q(stage=Stage.DRAFT) | Q(created_by_id=actor.user_id)
        )
    if actor.partner_orgs:
        scope |= Q(
            Exists(Opinion.objects.filter(case=OuterRef("pk"), partner_id__in=actor.partner_orgs))
        )
    if actor.provider_orgs:
        scope |= Q(provider_id__in=actor.provider_orgs) & (
            Q(consultant__isnull=True) | Q(consultant_id=actor.user_id)
        )
    return Case.objects.filter(scope)


def case_for(user, pk, *, for_update=False) -> Case:
    """The case if the user may see it; 404 otherwise (its existence is not revealed)."""
    queryset = cases_visible_to(user).select_related(
        "centre", "centre__commune", "manager", "provider", "consultant", "created_by"
    )
    try:
        return queryset.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("Dossier introuvable") from None


def _checked_ids(through, column: str) -> Subquery:
    """The ids a case's fiche links to in one of its link tables, as « 3,7,12 »: read with
    the case (a subquery) rather than by a query of their own."""
    return Subquery(
        through.objects.filter(informationform_id=OuterRef("pk"))
        .order_by()
        .values("informationform_id")
        .annotate(ids=StringAgg(Cast(column, CharField()), delimiter=Value(",")))
        .values("ids")[:1]
    )


def case_page_for(user, pk) -> Case:
    """The case for its page (``case_for``), with its fiche, decision and satisfaction
    read in the same query, and the person's last visit and the case's last event (so
    that ``visits.record_visit`` writes only when something changed). For the
    coordination and the funders, who are asked about the case's opinions, the opinions
    come in one more query that also answers ``workflow.concerned_partner_ids`` and
    ``workflow.caf_opinion_ids``."""
    queryset = cases_visible_to(user).select_related(
        "centre",
        "centre__commune",
        "manager",
        "provider",
        "consultant",
        "form",
        "decision",
        "satisfaction",
    )
    queryset = queryset.annotate(
        visit_seen_at=Subquery(
            CaseVisit.objects.filter(user_id=user.pk, case_id=OuterRef("pk")).values("seen_at")[:1]
        ),
        last_event_at=Subquery(
            CaseEvent.objects.filter(case_id=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        ),
        fiche_sign_ids=_checked_ids(InformationForm.warning_signs.through, "warningsign_id"),
        fiche_domain_ids=_checked_ids(InformationForm.domains.through, "domain_id"),
    )
    try:
        case = queryset.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("Dossier introuvable") from None
    form = getattr(case, "form", None)
    if form is not None:
        # What ``fiche_labels`` would read (the fiche's form is the case's: same id).
        form._checked = [
            (kind, int(pk))
            for kind, ids in ((0, case.fiche_sign_ids), (1, case.fiche_domain_ids))
            for pk in (ids or "").split(",")
            if pk
        ]
    actor = actor_for(user)
    if actor.coordinator or actor.partner_orgs:
        remember_opinions(case)
    return case


def remember_opinions(case: Case) -> list[Opinion]:
    """The case's opinions with their partner and who gave them, read once: kept on the
    case for the page, and as the answers of ``workflow.concerned_partner_ids`` and
    ``workflow.caf_opinion_ids`` (no query of their own afterwards)."""
    opinions = list(case.opinions.select_related("partner", "given_by"))
    case._opinions = opinions
    case._concerned_partner_ids = {opinion.partner_id for opinion in opinions}
    case._caf_opinion_ids = {
        opinion.partner_id
        for opinion in opinions
        if opinion.partner.kind == OrganisationKind.COORDINATOR
    }
    return opinions


def _fiche_reference() -> tuple[dict, dict]:
    """The sort key and label of every warning sign and field (reference tables of a few
    dozen rows), by id."""
    signs = {
        pk: ((0, domain_order, order, label), label)
        for pk, domain_order, order, label in WarningSign.objects.values_list(
            "pk", "domain__order", "order", "label"
        )
    }
    domains = {
        pk: ((1, order, 0, name), name)
        for pk, order, name in Domain.objects.values_list("pk", "order", "name")
    }
    return signs, domains


# Read on every case page; changes only through the admin or a command
# (soutien.core.refcache).
_fiche_labels = ProcessCache("cases.fiche_labels", _fiche_reference).watch(WarningSign, Domain)


def fiche_labels(form: InformationForm | None) -> tuple[list[str], list[str]]:
    """The warning signs and the fields checked on the fiche, each in its usual order (the
    reference tables' order): the ids from the two link tables (read with the case by
    ``case_page_for``, else one query, a union), the labels from the reference kept in
    the process."""
    if form is None:
        return [], []
    checked = getattr(form, "_checked", None)
    if checked is None:
        signs = InformationForm.warning_signs.through.objects.filter(
            informationform_id=form.pk
        ).values_list(Value(0), "warningsign_id")
        domains = InformationForm.domains.through.objects.filter(
            informationform_id=form.pk
        ).values_list(Value(1), "domain_id")
        checked = list(signs.order_by().union(domains.order_by(), all=True))
    reference = _fiche_labels.get()
    if any(pk not in reference[kind] for kind, pk in checked):
        # A sign or a field created by another process in the last minute.
        _fiche_labels.clear()
        reference = _fiche_labels.get()
    rows = sorted(reference[kind][pk] for kind, pk in checked if pk in reference[kind])
    return (
        [label for (kind, *_), label in rows if kind == 0],
        [label for (kind, *_), label in rows if kind == 1],
    )


ACTION_FIELDS = [field.attname for field in Action._meta.concrete_fields]
NOTE_FIELDS = [field.attname for field in ActionNote._meta.concrete_fields]
AUTHOR_FIELDS = ["id", "first_name", "last_name", "email"]  # what the page shows


def _kept_on(instance, name: str, objects) -> None:
    """Make ``instance.<name>.all()`` give ``objects`` without a query, as
    ``prefetch_related`` does (Django keeps prefetched rows in
    ``_prefetched_objects_cache``): for rows read by one query of our own."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def case_page_actions(case: Case) -> list[Action]:
    """The actions of the plan (in their order) with their field and their progress notes
    (oldest first, with each note's author: name and email only): one query, an outer
    join of the actions and their notes, whatever their number. The fields come from the
    reference kept in the process (``directory.selectors.domains``)."""
    rows = case.actions.order_by("due_date", "pk", "notes__created_at", "notes__pk").values_list(
        *ACTION_FIELDS,
        *(f"notes__{name}" for name in NOTE_FIELDS),
        *(f"notes__author__{name}" for name in AUTHOR_FIELDS),
    )
    actions: dict[int, Action] = {}
    notes: dict[int, list[ActionNote]] = {}
    user_model = get_user_model()
    first_note, first_author = len(ACTION_FIELDS), len(ACTION_FIELDS) + len(NOTE_FIELDS)
    for row in rows:
        if row[0] not in actions:
            action = Action.from_db("default", ACTION_FIELDS, row[:first_note])
            action.case = case
            actions[action.pk] = action
            notes[action.pk] = []
        note_values = row[first_note:first_author]
        if note_values[0] is not None:
            note = ActionNote.from_db("default", NOTE_FIELDS, note_values)
            author_values = row[first_author:]
            note.author = (
                user_model.from_db("default", AUTHOR_FIELDS, author_values)
                if author_values[0] is not None
                else None
            )
            notes[note.action_id].append(note)
    with_domain(actions.values())
    for action in actions.values():
        _kept_on(action, "notes", notes[action.pk])
    return list(actions.values())


def with_domain(items) -> list:
    """Give each of ``items`` (actions, findings) its field of work from the reference
    kept in the process (``directory.selectors.domains``) rather than a join; read again
    at once when one is missing (created by another process in the last minute)."""
    items = list(items)
    wanted = {item.domain_id for item in items if item.domain_id is not None}
    if not wanted:
        return items
    kept = {domain.pk: domain for domain in directory_selectors.domains.get()}
    if not wanted <= kept.keys():
        directory_selectors.domains.clear()
        kept = {domain.pk: domain for domain in directory_selectors.domains.get()}
    for item in items:
        if item.domain_id in kept:
            item.domain = kept[item.domain_id]
    return items


def case_page_findings(case: Case) -> list:
    """The findings by field of the diagnostic, in the fields' order, each with its field
    (``with_domain``): one query without a join (sorted here, as ``Finding.Meta``)."""
    findings = with_domain(case.findings.order_by())
    return sorted(findings, key=lambda finding: (finding.domain.order, finding.pk))


def case_opinions(case: Case) -> list[Opinion]:
    """The opinions shown on the case page (read by ``remember_opinions`` when the case
    page's reader may be asked about them)."""
    cached = getattr(case, "_opinions", None)
    return cached if cached is not None else remember_opinions(case)


def _deadline_expression(table: dict[str, dict[str, int]]):
    """When the current step is due, as a database expression (soutien.cases.deadlines):
    the rule ``Case.due_at`` stores."""
    return deadline_expression(table)


def with_deadline(queryset: QuerySet[Case], now=None) -> QuerySet[Case]:
    """Annotate `is_overdue`, read from the stored due date (`Case.due_at`)."""
    now = now or clock.now()
    return queryset.annotate(
        is_overdue=When_(
            When(past_due_q(now), then=Value(True)),
            default=Value(False),
        )
    )


def overdue(queryset: QuerySet[Case], now=None) -> QuerySet[Case]:
    """The cases whose current step is past its stored due date."""
    return with_deadline(queryset, now).filter(past_due_q(now or clock.now()))


def case_list(user, *, filters: dict | None = None) -> QuerySet[Case]:
    """The user's list of cases, filtered, with what each row shows (constant queries)."""
    filters = filters or {}
    queryset = (
        with_deadline(cases_visible_to(user))
        .select_related("centre", "centre__commune", "manager", "consultant")
        .annotate(is_new=changed_since_visit(user))
    )
    if stage := filters.get("stage"):
        queryset = queryset.filter(stage=stage)
    if situation := filters.get("situation"):
        queryset = queryset.filter(situation=situation)
    if commune := filters.get("commune"):
        # The commune's centres first (a few hundred at most), then their cases through
        # the index on the centre, rather than a join read case by case.
        centres = SocialCentre.objects.filter(commune=commune).values_list("pk", flat=True)
        queryset = queryset.filter(centre_id__in=list(centres))
    if federation := filters.get("federation"):
        queryset = queryset.filter(manager=federation)
    if domain := filters.get("domain"):
        # Exists, not a join: a form has several fields, and a join would need DISTINCT.
        links = InformationForm.domains.through.objects.filter(
            informationform_id=OuterRef("pk"), domain=domain
        )
        queryset = queryset.filter(Exists(links))
    if filters.get("overdue"):
        queryset = queryset.filter(past_due_q(clock.now()))
    if filters.get("mine"):
        queryset = queryset.filter(awaiting_user_q(user))
    if kind := filters.get("a_faire"):
        # One kind of the person's to-do list (« Mon espace » links its counts here).
        queryset = queryset.filter(todo_q(user, kind))
    if year := filters.get("year"):
        # The year of the number, given at the first submission (MSTR-YYYY-NNNN).
        queryset = queryset.filter(number__startswith=f"MSTR-{int(year)}-")
    if query := (filters.get("q") or "").strip():
        queryset = queryset.filter(search_q(query))
    # The nearest due date first: late cases lead, the latest of them at the top (oldest
    # deadline); then the cases without a running clock, most recently moved first. The
    # index `case_list_order` serves this order as it is (NULLs last).
    return queryset.order_by(F("due_at").asc(nulls_last=True), "-stage_changed_at", "-pk")


# A number typed from its start: « MSTR-2024-0012 », or without its prefix « 2024-0012 ».
NUMBER_START = re.compile(r"(MSTR-?)?(\d{4}(-\d*)?)?")


def search_q(query: str) -> Q:
    """The cases whose centre's name contains ``query`` or whose number starts with it,
    read through indexes whatever the number of cases: the centres are searched first
    (one query on the centres, a few thousand rows at most), then the cases by their
    centre (an index), or by the start of their number (the number's index)."""
    query = query.strip()
    wanted = Q(pk__in=[])
    centres = list(SocialCentre.objects.filter(name__icontains=query).values_list("pk", flat=True))
    if centres:
        wanted |= Q(centre_id__in=centres)
    typed = re.sub(r"\s+", "", query).upper()
    if (match := NUMBER_START.fullmatch(typed)) and len(typed) >= 4:
        wanted |= Q(number__startswith="MSTR-" + (match.group(2) or ""))
    return wanted


def case_rows(pks: list[int], *, user=None) -> list[Case]:
    """The rows of one page of a case list, in the order of ``pks`` (the page's ids, read
    first from the ordered list), with what each row shows — for ``user``, whether it
    changed since their last visit: one query."""
    rows = (
        with_deadline(Case.objects.filter(pk__in=list(pks)))
        .select_related("centre", "centre__commune", "manager", "consultant")
        .order_by()  # the order is the ids'
    )
    if user is not None:
        rows = rows.annotate(is_new=changed_since_visit(user))
    by_pk = {case.pk: case for case in rows}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def communes_matching(term: str, limit: int = 20):
    """The communes proposed by the case list's commune filter as one types: those where
    a centre is, whose name contains ``term`` or whose INSEE code starts with it (at most
    ``limit``, by name)."""

    term = term.strip()
    if len(term) < 2:
        return Commune.objects.none()
    return (
        Commune.objects.filter(Exists(SocialCentre.objects.filter(commune=OuterRef("pk"))))
        .filter(Q(name__icontains=term) | Q(insee_code__startswith=term))
        .order_by("name", "insee_code")[:limit]
    )


def report_versions_visible(user, case) -> list[ReportVersion]:

    versions = list(case.report_versions.select_related("author", "reviewed_by"))
    return [v for v in versions if can_view_report_version(user, v)]


def report_versions_listed(user, case) -> list[ReportVersion]:
    """The report's versions the user may read (``report_versions_visible``: the same
    policy), as the case page lists them: number, status and date, without their texts
    or their authors (the report's own page reads those)."""
    versions = case.report_versions.only("case_id", "number", "status", "submitted_at")
    return [v for v in versions if can_view_report_version(user, v)]


def current_report_draft(case) -> ReportVersion | None:
    return case.report_versions.filter(status=ReportStatus.DRAFT).order_by("-number").first()


def awaiting(user) -> list[dict]:
    """What awaits the user in « Mon espace »: one line per kind of their to-do list
    (soutien.cases.awaiting), with its count (one aggregate query) and the query string
    of the list that shows exactly those cases."""
    return [
        {"kind": kind.kind, "label": kind.title, "count": count, "filter": kind.list_query}
        for kind, count in todo_counts(user)
    ]


def stage_counts(user) -> dict[str, int]:
    rows = cases_visible_to(user).values("stage").annotate(n=Count("pk")).order_by()
    return {row["stage"]: row["n"] for row in rows}


# --- Reads for the case pages (web/cases) ----------------------------------------------


def centres_for_new_case(user):
    """The centres for which the user may start a fiche d'information."""

    return (
        SocialCentre.objects.filter(manager_id__in=actor_for(user).centre_orgs)
        .select_related("commune", "manager")
        .order_by("name")
    )


def provider_consultants(case):
    """The active consultants of the case's provider, to choose who runs the diagnostic."""

    if not case.provider_id:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=case.provider_id,
            memberships__role=Role.CONSULTANT,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def events_visible(user, case):
    """The timeline of the case, limited to the events the user may read."""

    return case.events.filter(audience__in=visible_audiences(user, case)).select_related("actor")


def timeline_visible(user, case) -> list[tuple]:
    """The history the user may read as plain rows (``events_visible``, without building
    an event and its author per row: the page's longest list): (when, label as the
    history says it — ``CaseEvent.history_label`` —, the author's name or email, "" once
    erased, comment)."""
    rows = events_visible(user, case).values_list(
        "created_at",
        "kind",
        "label",
        "comment",
        "actor__first_name",
        "actor__last_name",
        "actor__email",
    )
    timeline = []
    for created_at, kind, label, comment, first_name, last_name, email in rows:
        transition = TRANSITIONS.get(kind)
        # As User.get_full_name, then the email (an erased author: nothing).
        name = f"{first_name or ''} {last_name or ''}".strip() or email or ""
        timeline.append((created_at, transition.done_label if transition else label, name, comment))
    return timeline


def messages_visible(user, case) -> dict[str, list]:
    """The messages of each channel the user may read, by channel."""

    channels = [c for c in Channel.values if can_read_channel(user, case, c)]
    threads = {channel: [] for channel in channels}
    for message in case.messages.filter(channel__in=channels).select_related("author"):
        threads[message.channel].append(message)
    return threads


def own_opinion(user, case):
    """The opinion the user gives on behalf of their institution, if concerned (the Caf's,
    for the coordination)."""
    partner_ids = opinion_partner_ids(actor_for(user), case)
    if not partner_ids:
        return None
    return case.opinions.filter(partner_id__in=partner_ids).order_by("pk").first()


def actions_in_progress(case) -> list:
    """The actions of the plan still « en cours » (a closure warns about them)."""

    return list(case.actions.filter(status=ActionStatus.IN_PROGRESS).order_by("due_date", "pk"))


def last_hand_over(case):
    """The latest hand-over of the draft to the board members (None if never)."""
    return (
        case.events.filter(kind=EventKind.HAND_OVER).select_related("actor").order_by("-pk").first()
    )


def manager_board(case) -> list:
    """The people who may submit for the centre: the board members of its association (or
    the staff of its federation), by name."""

    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation_id=case.manager_id,
            memberships__role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _coordination_contacts() -> tuple[tuple, tuple]:
    """The coordinators of the Caf (active accounts) and the coordination's own email and
    phone from the directory: the same for every case."""
    coordinators = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.COORDINATOR,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    coordination = (
        Organisation.objects.filter(kind=OrganisationKind.COORDINATOR)
        .exclude(email="", phone="")
        .order_by("name")
    )
    return tuple(coordinators), tuple(coordination)


# Read on every case page of a manager; changes only when an account, a membership or
# an organisation does (soutien.core.refcache).
_coordination = ProcessCache("cases.coordination_contacts", _coordination_contacts).watch(
    get_user_model(), Membership, Organisation
)


def case_contacts(case) -> dict:
    """Who the manager may turn to about the case (policies.can_view_contacts): the
    designated consultant once there is one, the coordinators of the Caf (active
    accounts) and the coordination's own email and phone from the directory. No query:
    the consultant comes with ``case_for``, the coordination is kept in the process."""
    coordinators, coordination = _coordination.get()
    consultant = case.consultant if case.consultant_id else None
    return {
        "consultant": consultant if consultant is not None and consultant.is_active else None,
        "coordinators": list(coordinators),
        "coordination": list(coordination),
    }


def opinions_progress(cases) -> dict[int, tuple[int, int]]:
    """For each of these cases (a page of a list): (opinions given, opinions expected), in
    one query. It also fills each case's concerned-partner cache, so that asking
    ``policies.can_view_opinions`` for every row of the page queries nothing more."""
    cases = list(cases)
    partners: dict[int, set[int]] = {case.pk: set() for case in cases}
    progress = {case.pk: [0, 0] for case in cases}
    rows = Opinion.objects.filter(case_id__in=list(partners)).values_list(
        "case_id", "partner_id", "given_at"
    )
    for case_id, partner_id, given_at in rows:
        partners[case_id].add(partner_id)
        progress[case_id][1] += 1
        if given_at is not None:
            progress[case_id][0] += 1
    for case in cases:
        case._concerned_partner_ids = partners[case.pk]
    return {pk: (given, expected) for pk, (given, expected) in progress.items() if expected}
