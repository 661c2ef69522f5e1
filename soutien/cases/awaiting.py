"""Who must act, on what, by when: the things a case awaits, and each person's to-do list.

`EXPECTED` is keyed by stage and derived from the workflow table
(soutien/cases/workflow.py, each step's `awaits`). `pending_for(cases)` turns it into
`Pending` things for a batch of cases in a constant number of queries: the reminders,
the daily digest and the escalation to the coordinator all read it.

A thing is dated when a target duration runs at its stage (soutien.cases.deadlines);
the others (a fiche returned for completion, a case to close, the satisfaction
questionnaire) are listed in the digest but not reminded.

The to-do list of « Mon espace » and the list filter « À faire » (``?a_faire=<kind>``)
read the same tables, plus `LIST_ONLY` (stage things neither reminded nor in the digest:
drafts, interviews to plan) and the things that depend on the person rather than on the
stage (actions of the plan, late cases for the coordination): `todo_filters(user)` is
the one definition of « what this person must do now », as one database condition per
kind; `todo_for(user)` reads its counts and its first rows in a constant number of
queries.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, TextChoices
from django.db.models.functions import Coalesce
from django.utils import timezone

from soutien.cases.deadlines import CLOCKS, due_at, past_due_q
from soutien.cases.enums import (
    ActionStatus,
    EventKind,
    MeetingKind,
    OpinionValue,
    ReportStatus,
    Stage,
)
from soutien.cases.models import (
    Action,
    Case,
    CaseEvent,
    Meeting,
    Opinion,
    ReportVersion,
    Satisfaction,
    TargetDuration,
)
from soutien.cases.visits import changed_since_visit
from soutien.cases.workflow import awaited_by_stage
from soutien.core import clock
from soutien.core.french import lower_first
from soutien.core.text import one_line
from soutien.directory.actors import actor_for
from soutien.directory.models import Membership, Organisation, OrganisationKind, Role


class Actor(TextChoices):
    """Who must act on a thing."""

    COORDINATION = "coordination", "La coordination (Caf)"
    MANAGER = "manager", "Le gestionnaire du centre"
    PARTNER = "partner", "Le partenaire financeur concerné"
    CONSULTANT = "consultant", "Le consultant désigné"
    PROVIDER = "provider", "Le prestataire"
    STAFF = "staff", "Le salarié du centre"


@dataclass(frozen=True)
class Expectation:
    """One kind of thing awaited at a stage."""

    kind: str
    actor: str
    label: str
    # None: always at this stage; otherwise a name of `_CONDITIONS`.
    condition: str | None = None


# The things awaited at each stage, derived from the workflow table (each step's
# `awaits` at its source stages, awaited from the step's party): the reminders, the digest,
# « À faire par moi » and the to-do list read them.
EXPECTED: dict[str, tuple[Expectation, ...]] = {
    stage: tuple(
        Expectation(kind, Actor(party), label, condition)
        for kind, party, label, condition in things
    )
    for stage, things in awaited_by_stage().items()
}

# Stage things of the to-do list only: neither reminded (no target duration of their
# own) nor listed in the digest.
LIST_ONLY: dict[str, tuple[Expectation, ...]] = {
    Stage.DRAFT: (
        Expectation("draft", Actor.MANAGER, "Terminer le brouillon et transmettre la fiche"),
        Expectation(
            "draft", Actor.STAFF, "Terminer le brouillon et le confier aux administrateurs"
        ),
    ),
    Stage.DIAGNOSTIC: (
        Expectation(
            "interviews",
            Actor.CONSULTANT,
            "Planifier les entretiens du diagnostic",
            condition="no_interview",
        ),
    ),
}

KIND_LABELS = {e.kind: e.label for expectations in EXPECTED.values() for e in expectations}

# Every kind of the to-do list, in the order « Mon espace » shows their counts, with the
# title of its count (also the title of the filtered list).
TASK_KINDS: dict[str, str] = {
    "check_form": "Fiches transmises à vérifier",
    "decide": "Saisines en cours à décider",
    "close": "Dossiers à clôturer",
    "overdue": "Dossiers en retard",
    "draft": "Brouillons à terminer",
    "complete_form": "Fiches renvoyées à compléter",
    "validate_report": "Rapports à valider",
    "actions_proposed": "Actions proposées à accepter ou écarter",
    "actions_due": "Actions du plan arrivées à échéance",
    "my_actions": "Actions du plan dont vous êtes responsable",
    "satisfaction": "Questionnaires de satisfaction à remplir",
    "opinion": "Avis à donner",
    "assign_consultant": "Dossiers à attribuer à un consultant",
    "interviews": "Entretiens du diagnostic à planifier",
    "report": "Rapports à rédiger",
    "revise_report": "Rapports à reprendre",
    "restitution": "Restitutions à faire",
}
# What to do, for the kinds that are not stage things.
PERSON_LABELS = {
    "overdue": "Relancer : l'étape a dépassé son délai cible",
    "actions_proposed": "Accepter, adapter ou écarter les actions proposées",
    "actions_due": "Faire le point sur les actions arrivées à échéance",
    "my_actions": "Faire avancer vos actions du plan",
}
# An action of the plan is « à échéance » this many days before its due date.
ACTION_NOTICE_DAYS = 7
# The rows shown per kind in « Mon espace » (« voir les N » leads to the list).
ROWS_PER_KIND = 5
# The actions of the plan the centre took up and has not finished (a proposed one awaits
# the centre's decision: `actions_proposed`).
OPEN_ACTIONS = [ActionStatus.TO_START, ActionStatus.IN_PROGRESS, ActionStatus.POSTPONED]


@dataclass(frozen=True)
class Pending:
    """One thing awaited on a case: who must act (users), by when (None: no target)."""

    case: Case
    kind: str
    subject: str  # tells apart things of one kind on a case (the partner's id), or ""
    label: str
    actor: str
    user_ids: frozenset[int]
    due_at: dt.datetime | None
    organisation_name: str = ""
    # False: reminded to those who must act, never escalated to the coordination.
    escalates: bool = True

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.case.pk, self.kind, self.subject)

    @property
    def actor_label(self) -> str:
        return self.organisation_name or Actor(self.actor).label


def pending_cases():
    """The cases that may await something (not anonymised, at a stage of `EXPECTED`)."""
    return Case.objects.filter(stage__in=list(EXPECTED), anonymised_at__isnull=True)


def pending_for(cases: Iterable[Case], *, table=None) -> list[Pending]:
    """The things awaited on these cases, with the users who must act. At most five
    queries whatever the number of cases (target durations, opinions, satisfaction,
    memberships)."""
    cases = [case for case in cases if case.stage in EXPECTED]
    if not cases:
        return []
    table = table if table is not None else TargetDuration.as_table()
    ids = [case.pk for case in cases]

    opinions = defaultdict(list)
    cafs = set()  # the concerned funders that are the Caf: the coordination gives its opinion
    referral = [case.pk for case in cases if case.stage == Stage.REFERRAL]
    if referral:
        for case_id, partner_id, name, kind in (
            Opinion.objects.filter(case_id__in=referral, value=OpinionValue.PENDING)
            .order_by("partner__name", "pk")
            .values_list("case_id", "partner_id", "partner__name", "partner__kind")
        ):
            opinions[case_id].append((partner_id, name))
            if kind == OrganisationKind.COORDINATOR:
                cafs.add(partner_id)
    answered = set()
    if any(case.stage == Stage.CLOSED for case in cases):
        answered = set(
            Satisfaction.objects.filter(case_id__in=ids).values_list("case_id", flat=True)
        )

    members = _members(cases, opinions)
    conditions = {
        "no_consultant": lambda case: case.consultant_id is None,
        "has_consultant": lambda case: case.consultant_id is not None,
        "first_report": lambda case: (
            case.consultant_id is not None and case.report_submitted_at is None
        ),
        "changes_requested": lambda case: (
            case.consultant_id is not None and case.report_submitted_at is not None
        ),
        "no_satisfaction": lambda case: case.pk not in answered,
    }
    things = []
    for case in cases:
        due = due_at(case, table)
        for expectation in EXPECTED[case.stage]:
            if expectation.condition and not conditions[expectation.condition](case):
                continue
            common = {"case": case, "kind": expectation.kind, "label": expectation.label}
            common.update(actor=expectation.actor, due_at=due)
            if expectation.actor == Actor.PARTNER:
                for partner_id, name in opinions[case.pk]:
                    users = members[
                        (Role.COORDINATOR, None)
                        if partner_id in cafs
                        else (Role.PARTNER, partner_id)
                    ]
                    things.append(
                        Pending(
                            **common,
                            subject=str(partner_id),
                            user_ids=frozenset(users),
                            organisation_name=name,
                        )
                    )
                continue
            things.append(
                Pending(**common, subject="", user_ids=frozenset(_who(expectation, case, members)))
            )
    return things


# The kind of a reminded action of the plan (its subject: the action's id).
ACTION_KIND = "action"


def pending_actions(today: dt.date, lead_days: int) -> list[Pending]:
    """The open actions of the plans in support whose due date has come, or comes within
    ``lead_days``, as things awaited of whoever carries them: the account that carries the
    action (while active), otherwise the centre's managers (board members, federation
    staff). Not escalated to the coordination. Two queries whatever the number of actions
    (the actions, the managers)."""
    actions = list(
        Action.objects.filter(
            case__stage=Stage.SUPPORT,
            case__anonymised_at__isnull=True,
            status__in=OPEN_ACTIONS,
            due_date__lte=today + dt.timedelta(days=lead_days),
        )
        .select_related("case", "case__centre", "carried_by")
        .order_by("due_date", "pk")
    )
    if not actions:
        return []
    managers = defaultdict(set)
    for user_id, organisation_id in Membership.objects.filter(
        role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF],
        organisation_id__in={action.case.manager_id for action in actions},
        is_active=True,
        user__is_active=True,
    ).values_list("user_id", "organisation_id"):
        managers[organisation_id].add(user_id)
    zone = timezone.get_current_timezone()
    things = []
    for action in actions:
        carried = action.carried_by is not None and action.carried_by.is_active
        things.append(
            Pending(
                case=action.case,
                kind=ACTION_KIND,
                subject=str(action.pk),
                label=f"Action du plan « {one_line(action.title)} »",
                actor=Actor.STAFF if carried else Actor.MANAGER,
                user_ids=frozenset(
                    {action.carried_by_id} if carried else managers[action.case.manager_id]
                ),
                due_at=dt.datetime.combine(action.due_date, dt.time(), tzinfo=zone),
                escalates=False,
            )
        )
    return things


def _who(expectation: Expectation, case: Case, members) -> set[int]:
    if expectation.actor == Actor.COORDINATION:
        return members[(Role.COORDINATOR, None)]
    if expectation.actor == Actor.MANAGER:
        return members[("manager", case.manager_id)]
    if expectation.actor == Actor.PROVIDER:
        return members[(Role.CONSULTANT, case.provider_id)]
    # The designated consultant, while still an active consultant of the provider.
    consultants = members[(Role.CONSULTANT, case.provider_id)]
    return {case.consultant_id} & consultants


def _members(cases, opinions) -> defaultdict:
    """{(role, organisation id): active user ids}, in one query; the manager side (board
    members and federation staff) under ("manager", organisation id), the coordination
    under (coordinator, None)."""
    managers = {case.manager_id for case in cases}
    providers = {case.provider_id for case in cases if case.provider_id}
    partners = {partner_id for rows in opinions.values() for partner_id, _ in rows}
    scope = Q(role=Role.COORDINATOR) | Q(
        role__in=[Role.BOARD_MEMBER, Role.FEDERATION_STAFF], organisation_id__in=managers
    )
    if providers:
        scope |= Q(role=Role.CONSULTANT, organisation_id__in=providers)
    if partners:
        scope |= Q(role=Role.PARTNER, organisation_id__in=partners)
    members = defaultdict(set)
    for user_id, role, organisation_id in Membership.objects.filter(
        scope, is_active=True, user__is_active=True
    ).values_list("user_id", "role", "organisation_id"):
        if role == Role.COORDINATOR:
            members[(Role.COORDINATOR, None)].add(user_id)
        elif role in (Role.BOARD_MEMBER, Role.FEDERATION_STAFF):
            members[("manager", organisation_id)].add(user_id)
        else:
            members[(role, organisation_id)].add(user_id)
    return members


def case_pending(case: Case) -> list[Pending]:
    """The things one case awaits."""
    return pending_for([case])


def pending_of(user_id: int, things: Iterable[Pending]) -> list[Pending]:
    """The things this user must act on."""
    return [thing for thing in things if user_id in thing.user_ids]


def _condition_q(name: str | None) -> Q:
    """The database form of `_CONDITIONS` in `pending_for` (same names, same meaning)."""
    if name is None:
        return Q()
    return {
        "no_consultant": Q(consultant__isnull=True),
        "has_consultant": Q(consultant__isnull=False),
        # A report sent back for changes returns the case to the diagnostic, with the
        # date of its submission kept (services.report_request_changes).
        "first_report": Q(consultant__isnull=False, report_submitted_at__isnull=True),
        "changes_requested": Q(consultant__isnull=False, report_submitted_at__isnull=False),
        "no_satisfaction": ~Exists(Satisfaction.objects.filter(case_id=OuterRef("pk"))),
        # Before the first report only: once written, the interviews are behind.
        "no_interview": Q(report_submitted_at__isnull=True)
        & ~Exists(
            Meeting.objects.filter(
                case_id=OuterRef("pk"), kind=MeetingKind.INTERVIEW, cancelled_at__isnull=True
            )
        ),
    }[name]


def _scopes(user, actor) -> dict[str, Q | None]:
    """For each actor of the tables, the cases on which this person acts as that actor
    (None: never)."""
    partner = None
    # The coordination gives the Caf's opinion (docs/workflow-roles.md).
    gives = Q(partner_id__in=actor.partner_orgs) if actor.partner_orgs else None
    if actor.coordinator:
        # The Caf's identifiers first (one small query): a plain condition on the
        # opinions, served by the index of the pending ones, instead of a join per case.
        cafs = Organisation.objects.filter(kind=OrganisationKind.COORDINATOR)
        caf = Q(partner_id__in=list(cafs.values_list("pk", flat=True)))
        gives = caf if gives is None else gives | caf
    if gives is not None:
        partner = Q(
            Exists(
                Opinion.objects.filter(gives, case_id=OuterRef("pk"), value=OpinionValue.PENDING)
            )
        )
    return {
        Actor.COORDINATION: Q() if actor.coordinator else None,
        Actor.MANAGER: Q(manager_id__in=actor.manager_orgs) if actor.manager_orgs else None,
        Actor.PARTNER: partner,
        Actor.CONSULTANT: Q(consultant_id=user.pk) if actor.provider_orgs else None,
        Actor.PROVIDER: (Q(provider_id__in=actor.provider_orgs) if actor.provider_orgs else None),
        # An employee's own drafts (the others' are not even visible to them).
        Actor.STAFF: (
            Q(manager_id__in=actor.staff_orgs, created_by_id=user.pk) if actor.staff_orgs else None
        ),
    }


def _stage_things(user, actor, tables) -> dict[str, tuple[str, Q, frozenset[str]]]:
    """{kind: (what to do, cases, their stages)} for the stage things of `tables` this
    person acts on."""
    scope_of = _scopes(user, actor)
    things: dict[str, tuple[str, Q, frozenset[str]]] = {}
    for table in tables:
        for stage, expectations in table.items():
            for expectation in expectations:
                scope = scope_of[expectation.actor]
                if scope is None:
                    continue
                wanted = Q(stage=stage) & scope & _condition_q(expectation.condition)
                if expectation.kind in things:
                    label, before, stages = things[expectation.kind]
                    things[expectation.kind] = (label, before | wanted, stages | {stage})
                else:
                    things[expectation.kind] = (expectation.label, wanted, frozenset({stage}))
    return things


def awaiting_user_q(user) -> Q:
    """The cases on which `user` has something to do now, as a filter (the list's « À faire
    par moi »), read from `EXPECTED`: the same things as `pending_for`, for one person."""
    actor = actor_for(user)
    wanted = Q(pk__in=[])
    if actor.user_id is None:
        return wanted
    things = _stage_things(user, actor, [EXPECTED]).values()
    for _label, cases, _stages in things:
        wanted |= cases
    # The stages first, as a plain condition: an index on the stage serves it.
    stages = sorted(set().union(*(stages for _label, _cases, stages in things)))
    return Q(stage__in=stages) & wanted & Q(anonymised_at__isnull=True)


def carried_by(user) -> Q:
    """The actions of the plan this person is responsible for. An action names its
    responsible person in words (« Le référent famille », « Monique Blanc »): it is theirs
    when it names them or the function of one of their memberships, with or without its
    article. One query (the functions)."""

    names = {user.get_full_name().strip()}
    functions = Membership.objects.filter(user=user, is_active=True).exclude(function="")
    for function in functions.values_list("function", flat=True):
        function = function.strip()
        names.update({function, f"le {function}", f"la {function}", f"l'{function}"})
    carried = Q(carried_by_id=user.pk)  # named by their account, when it is set
    for name in sorted(name for name in names if name):
        carried |= Q(owner__iexact=name)
    return carried


def _open_actions():
    """The actions still to do or in progress of the case of the outer query."""
    return Action.objects.filter(case_id=OuterRef("pk"), status__in=OPEN_ACTIONS)


def _person_things(user, actor, now) -> dict[str, tuple[str, Q, frozenset[str]]]:
    """{kind: (what to do, cases, their stages)} for the things that depend on the
    person."""
    things: dict[str, tuple[str, Q, frozenset[str]]] = {}
    support = frozenset({Stage.SUPPORT})
    if actor.coordinator:
        # The stored due date (soutien.cases.deadlines), as the list's « En retard ».
        things["overdue"] = (PERSON_LABELS["overdue"], past_due_q(now), frozenset(CLOCKS))
    if actor.centre_orgs:
        # The centre's members decide on the actions the report or the consultant proposed.
        things["actions_proposed"] = (
            PERSON_LABELS["actions_proposed"],
            Q(stage=Stage.SUPPORT, manager_id__in=actor.centre_orgs)
            & Q(
                Exists(Action.objects.filter(case_id=OuterRef("pk"), status=ActionStatus.PROPOSED))
            ),
            support,
        )
    if actor.manager_orgs:
        horizon = timezone.localdate(now) + dt.timedelta(days=ACTION_NOTICE_DAYS)
        things["actions_due"] = (
            PERSON_LABELS["actions_due"],
            Q(stage=Stage.SUPPORT, manager_id__in=actor.manager_orgs)
            & Q(Exists(_open_actions().filter(due_date__lte=horizon))),
            support,
        )
    if actor.staff_orgs:
        things["my_actions"] = (
            PERSON_LABELS["my_actions"],
            Q(stage=Stage.SUPPORT, manager_id__in=actor.staff_orgs)
            & Q(Exists(_open_actions().filter(carried_by(user)))),
            support,
        )
    return things


@dataclass(frozen=True)
class TodoKind:
    """One kind of thing this person must do now: what to do, and on which cases."""

    kind: str
    title: str
    label: str
    cases: Q
    # The stages of these cases: every kind is a thing of a few active stages, so that its
    # count and its rows read the cases of those stages only (an index on the stage).
    stages: frozenset[str] = frozenset()

    @property
    def list_query(self) -> str:
        """The query string of the case list showing exactly these cases."""
        return f"a_faire={self.kind}"


def todo_filters(user, *, now=None) -> dict[str, TodoKind]:
    """What this person must do now, by kind (in the order of `TASK_KINDS`), each as a
    condition on the cases they may see: the counts, the rows of « Mon espace » and the
    filter « À faire » of the case list all read it."""
    actor = actor_for(user)
    if actor.user_id is None:
        return {}
    now = now or clock.now()
    things = _stage_things(user, actor, [EXPECTED, LIST_ONLY])
    things.update(_person_things(user, actor, now))
    kinds = {}
    for kind, title in TASK_KINDS.items():
        if kind not in things:
            continue
        label, cases, stages = things[kind]
        # The stages first, as a plain condition: an index on the stage serves it.
        cases = Q(stage__in=sorted(stages)) & cases & Q(anonymised_at=None)
        kinds[kind] = TodoKind(kind, title, label, cases, stages)
    return kinds


def todo_q(user, kind: str) -> Q:
    """The cases of one kind of the to-do list of this person (none if not theirs)."""
    wanted = todo_filters(user).get(kind)
    return wanted.cases if wanted is not None else Q(pk__in=[])


@dataclass(frozen=True)
class TodoRow:
    """One line of the to-do list: a thing to do on a case, why, and by when."""

    kind: str
    case: Case
    label: str
    reason: str
    due_on: dt.date | None
    today: dt.date
    is_new: bool = False

    @property
    def days_late(self) -> int:
        if self.due_on is None or self.due_on >= self.today:
            return 0
        return (self.today - self.due_on).days

    @property
    def urgency(self) -> tuple:
        """Late first (the latest at the top), then the nearest due date, then the
        undated, the longest waiting first."""
        waiting_since = self.case.stage_changed_at or self.case.created_at
        return (
            self.due_on is None,
            self.due_on or dt.date.max,
            waiting_since,
            self.case.pk,
            self.kind,
        )


@dataclass
class TodoGroup:
    """The count of one kind and its first rows."""

    kind: TodoKind
    count: int
    rows: list[TodoRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.kind.title

    @property
    def list_query(self) -> str:
        return self.kind.list_query

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


@dataclass
class Todo:
    """A person's to-do list: one group per kind they may have, the rows by urgency."""

    groups: list[TodoGroup]

    @property
    def rows(self) -> list[TodoRow]:
        return sorted((row for group in self.groups for row in group.rows), key=lambda r: r.urgency)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def todo_counts(user, *, now=None) -> list[tuple[TodoKind, int]]:
    """How many cases of each kind this person has to act on: one aggregate query over
    the cases they may see, no DISTINCT, no subquery over every case."""
    from soutien.cases.selectors import cases_visible_to  # cycle: selectors imports this module

    kinds = todo_filters(user, now=now)
    if not kinds:
        return []
    # Only the cases at the stages of these kinds are read (a tenth of the cases at most:
    # the active ones), through the index of the active cases.
    stages = sorted(set().union(*(kind.stages for kind in kinds.values())))
    wanted = Q(stage__in=stages)
    if len(kinds) == 1:
        # One kind (a partner's « Avis à donner »): its condition is the query's, so that
        # its pending opinions are read from their own index, not case by case. Not for
        # several: their OR would lose the index-only scan of the cases in progress.
        wanted &= next(iter(kinds.values())).cases
    counts = (
        cases_visible_to(user)
        .filter(wanted)
        .aggregate(
            **{f"c{i}": Count("pk", filter=kind.cases) for i, kind in enumerate(kinds.values())}
        )
    )
    return [(kind, counts[f"c{i}"]) for i, kind in enumerate(kinds.values())]


def todo_for(user, *, limit: int = ROWS_PER_KIND, now=None) -> Todo:
    """The to-do list of « Mon espace »: the counts (one query), then at most `limit`
    rows of each kind, the most urgent first (their ids, one query per kind; then the
    rows of every kind together, one query; the actions of the plan, one query per kind
    of action), and why (one query per kind that has a reason). Constant queries
    whatever the number of cases."""
    from soutien.cases.selectors import cases_visible_to  # cycle: selectors imports this module

    now = now or clock.now()
    today = timezone.localdate(now)
    counted = todo_counts(user, now=now)
    if not counted:
        return Todo(groups=[])
    groups = []
    # Each shown kind with the cases it lists: the cases themselves for the actions of
    # the plan, else their ids (their rows are read afterwards, for all kinds at once).
    picked: list[tuple[TodoGroup, list]] = []
    waiting_since = Coalesce("stage_changed_at", "created_at")
    for kind, count in counted:
        group = TodoGroup(kind=kind, count=count)
        groups.append(group)
        if not count:
            continue
        if kind.kind in ACTION_KINDS:
            actions = _open_actions()
            if kind.kind == "my_actions":
                actions = actions.filter(carried_by(user))
            first_due = Subquery(
                actions.exclude(due_date=None).order_by("due_date").values("due_date")[:1]
            )
            picked.append(
                (
                    group,
                    list(
                        cases_visible_to(user)
                        .filter(kind.cases)
                        .select_related("centre", "centre__commune")
                        .annotate(is_new=changed_since_visit(user), first_action_due=first_due)
                        .order_by(F("first_action_due").asc(nulls_last=True), waiting_since, "pk")[
                            :limit
                        ]
                    ),
                )
            )
        else:
            # No clock runs at some stages (no due date): there, the longest waiting first,
            # not ordered by the due date, whose index would be walked to its end for nothing.
            order = [F("due_at").asc(nulls_last=True)] if kind.stages & set(CLOCKS) else []
            # The ids first, from the index of the cases in progress alone (`due_at` is
            # stored on the case: soutien.cases.deadlines).
            ids = list(
                cases_visible_to(user)
                .filter(kind.cases)
                .order_by(*order, waiting_since, "pk")
                .values_list("pk", flat=True)[:limit]
            )
            picked.append((group, ids))
    wanted = {pk for group, found in picked if group.kind.kind not in ACTION_KINDS for pk in found}
    by_pk = {}
    if wanted:
        rows = Case.objects.filter(pk__in=sorted(wanted)).select_related(
            "centre", "centre__commune"
        )
        by_pk = {case.pk: case for case in rows.annotate(is_new=changed_since_visit(user))}
    for group, found in picked:
        kind = group.kind
        if kind.kind in ACTION_KINDS:
            cases = found
        else:
            cases = [by_pk[pk] for pk in found if pk in by_pk]
        reasons = _reasons(kind.kind, cases, user, today)
        for case in cases:
            if kind.kind in ACTION_KINDS:
                due_on = case.first_action_due
            else:
                due_on = timezone.localdate(case.due_at) if case.due_at else None
            group.rows.append(
                TodoRow(
                    kind=kind.kind,
                    case=case,
                    label=kind.label,
                    reason=reasons.get(case.pk, ""),
                    due_on=due_on,
                    today=today,
                    is_new=bool(case.is_new),
                )
            )
    return Todo(groups=groups)


# The kinds whose rows are ordered by the first due date of their open actions.
ACTION_KINDS = ("actions_due", "my_actions")


def _reasons(kind: str, cases: list[Case], user, today) -> dict[int, str]:
    """Why, for the rows of one kind: the Caf's message for a returned fiche, the
    manager's comments for a report to revise, the actions due, the late step."""
    ids = [case.pk for case in cases]
    reasons: dict[int, str] = {}
    if kind == "complete_form":
        events = CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.RETURN_FOR_COMPLETION)
        for case_id, comment in events.order_by("case_id", "-created_at", "-pk").values_list(
            "case_id", "comment"
        ):
            reasons.setdefault(case_id, f"Message de la Caf : {comment}")
    elif kind == "revise_report":
        versions = ReportVersion.objects.filter(
            case_id__in=ids, status=ReportStatus.CHANGES_REQUESTED
        )
        for case_id, number, comment in versions.order_by("case_id", "-number").values_list(
            "case_id", "number", "manager_comment"
        ):
            reasons.setdefault(
                case_id, f"Commentaires du gestionnaire sur la version {number} : {comment}"
            )
    elif kind in ("actions_due", "my_actions", "actions_proposed"):
        actions = Action.objects.filter(case_id__in=ids, status__in=OPEN_ACTIONS)
        if kind == "actions_proposed":
            actions = Action.objects.filter(case_id__in=ids, status=ActionStatus.PROPOSED)
        elif kind == "my_actions":
            actions = actions.filter(carried_by(user))
        else:
            horizon = today + dt.timedelta(days=ACTION_NOTICE_DAYS)
            actions = actions.filter(due_date__lte=horizon)
        titles = defaultdict(list)
        for case_id, title, due_date in actions.order_by(
            "case_id", F("due_date").asc(nulls_last=True), "pk"
        ).values_list("case_id", "title", "due_date"):
            when = f" (échéance le {due_date:%d/%m/%Y})" if due_date else ""
            titles[case_id].append(f"« {title} »{when}")
        reasons = {case_id: " ; ".join(items) for case_id, items in titles.items()}
    elif kind == "overdue":
        reasons = {case.pk: f"Étape : {lower_first(case.get_stage_display())}" for case in cases}
    return reasons
