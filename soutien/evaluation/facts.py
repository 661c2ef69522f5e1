"""Keeping the evaluation's facts (``CaseFacts``) up to date.

A change of a case (its row, an event, its satisfaction answer, the fields of its
request) marks it dirty (``mark_dirty``, called by soutien.evaluation.receivers in the
same transaction); ``refresh_dirty`` computes the facts of the dirty cases again. It runs
right after the commit (``transaction.on_commit``, one case: a few queries) and, so that
no reader ever sees facts older than the cases, at the start of every evaluation read
(one indexed query when nothing is dirty). ``rebuild`` computes every case again (the
``evaluation_refresh`` command: after ``load_demo``, a bench generation, a bulk update
that sends no signal).

Each refresh that changes facts bumps ``EvaluationState.facts_version``: the published
grid (soutien.evaluation.grid) knows from it whether it is current.
"""

import bisect
import datetime as dt
import uuid
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as When_
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce

from soutien.cases.deadlines import CLOCKS
from soutien.cases.enums import DEFAULT_SITUATION, ActionDecision, ClosureOutcome, Situation, Stage
from soutien.cases.models import LEAD_TIMES, Case, InformationForm
from soutien.directory.models import OrganisationKind
from soutien.evaluation import tasks
from soutien.evaluation.models import CaseFacts, CaseFactsDomain, DirtyCase, EvaluationState

ASSOCIATION = "association"
FEDERATION = "federation"
LEAD_COLUMNS = tuple(column for column, *_ in LEAD_TIMES.values())
BATCH = 2000


def in_scope(queryset):
    """The cases the evaluation counts: sent to the Caf (never a draft)."""
    return queryset.filter(submitted_at__isnull=False).exclude(stage=Stage.DRAFT)


def _clock_start():
    """When the clock of the case's current step started (None: no clock runs)."""
    return When_(
        *(When(stage=stage, then=F(field)) for stage, (field, _step) in CLOCKS.items()),
        default=Value(None, output_field=DateTimeField()),
        output_field=DateTimeField(),
    )


def _rows(case_ids=None):
    clock_start = _clock_start()
    queryset = in_scope(Case.objects.all())
    if case_ids is not None:
        queryset = queryset.filter(pk__in=case_ids)
    return (
        queryset.annotate(
            municipality=Coalesce("centre__commune__parent_id", "centre__commune_id"),
            clock=clock_start,
        )
        .values(
            "pk",
            "submitted_at",
            "submitted_year",
            "centre__commune_id",
            "municipality",
            "manager_id",
            "manager__kind",
            "situation",
            "stage",
            "from_selfcheck",
            "closure_outcome",
            "clock",
            "satisfaction__pk",
            "satisfaction__would_recommend",
            "satisfaction__usefulness",
            "satisfaction__listening",
            "satisfaction__ownership",
            *LEAD_COLUMNS,
        )
        .order_by("pk")
    )


def _facts(row) -> CaseFacts:
    kind = FEDERATION if row["manager__kind"] == OrganisationKind.FEDERATION else ASSOCIATION
    answered = row["satisfaction__pk"] is not None
    return CaseFacts(
        case_id=row["pk"],
        submitted_at=row["submitted_at"],
        submitted_year=row["submitted_year"],
        commune_id=row["centre__commune_id"],
        municipality_id=row["municipality"],
        manager_id=row["manager_id"],
        manager_kind=kind,
        situation=row["situation"] or "",
        stage=row["stage"],
        from_selfcheck=row["from_selfcheck"],
        closure_outcome=row["closure_outcome"] or "",
        clock_start=row["clock"],
        answered=answered,
        recommend=bool(answered and row["satisfaction__would_recommend"]),
        usefulness=row["satisfaction__usefulness"],
        listening=row["satisfaction__listening"],
        ownership=row["satisfaction__ownership"],
        **{column: row[column] for column in LEAD_COLUMNS},
    )


# The situations from the best to the worst: a follow-up answer « kept or improved » is
# at least as good as the closure outcome, « worse » below it.
SITUATION_RANKS = {
    ClosureOutcome.IMPROVED: 3,
    ClosureOutcome.STABILISED: 2,
    ClosureOutcome.DETERIORATED: 1,
    ClosureOutcome.CENTRE_CLOSED: 0,
}
KEPT, WORSE = "kept", "worse"
# How long after its closure a new request of the same centre counts as asking again.
ASKED_AGAIN_YEARS = 2


def evolution(closure_outcome: str, followup_situation: str) -> str:
    """How a follow-up answer compares with the closure outcome: KEPT (as good or
    better), WORSE, or "" (no answer, or no outcome to compare with)."""
    before = SITUATION_RANKS.get(closure_outcome)
    after = SITUATION_RANKS.get(followup_situation)
    if before is None or after is None:
        return ""
    return KEPT if after >= before else WORSE


def evolution_q(column: str, kind: str) -> Q:
    """The rule of ``evolution`` on the facts: closed cases whose follow-up answer in
    ``column`` is KEPT or WORSE compared with their closure outcome."""
    found = Q(pk__in=[])
    for before, before_rank in SITUATION_RANKS.items():
        after = [
            situation
            for situation, rank in SITUATION_RANKS.items()
            if (rank >= before_rank) == (kind == KEPT)
        ]
        found |= Q(closure_outcome=before, **{f"{column}__in": after})
    return Q(stage=Stage.CLOSED) & found


def _years_later(moment, years: int):
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def impact_of(case_ids) -> dict[int, dict]:
    """The impact columns of these cases (``Facts``), read through the cases' relations
    (the actions of the plan, the follow-up answers, the centre's other requests): the
    evaluation never imports the packages above it (soutien.followup). Three queries."""
    found = defaultdict(dict)
    adopted = [ActionDecision.ACCEPTED, ActionDecision.ADAPTED]
    from_report = Q(actions__recommendation__isnull=False)
    counts = (
        Case.objects.filter(pk__in=case_ids)
        .annotate(
            proposed=Count("actions", filter=from_report),
            adopted=Count("actions", filter=from_report & Q(actions__decision__in=adopted)),
            by_centre=Count("actions", filter=Q(actions__done_by_centre=True)),
        )
        .values_list("pk", "proposed", "adopted", "by_centre")
        .order_by()
    )
    for pk, proposed, adopted_n, by_centre in counts:
        found[pk].update(
            recommendations_proposed=proposed,
            recommendations_adopted=adopted_n,
            actions_by_centre=by_centre,
        )
    answers = (
        Case.objects.filter(
            pk__in=case_ids, stage=Stage.CLOSED, followups__answered_at__isnull=False
        )
        .values_list("pk", "followups__milestone", "followups__situation")
        .order_by()
    )
    for pk, milestone, situation in answers:
        found[pk][f"followup_{milestone}"] = situation or ""
    closed = list(
        Case.objects.filter(pk__in=case_ids, stage=Stage.CLOSED, closed_at__isnull=False)
        .values_list("pk", "centre_id", "closed_at")
        .order_by()
    )
    requests = defaultdict(list)
    later = in_scope(Case.objects.filter(centre_id__in={centre for _, centre, _ in closed}))
    for pk, centre_id, submitted_at in later.values_list("pk", "centre_id", "submitted_at"):
        requests[centre_id].append((pk, submitted_at))
    for pk, centre_id, closed_at in closed:
        until = _years_later(closed_at, ASKED_AGAIN_YEARS)
        found[pk]["asked_again"] = any(
            other != pk and closed_at < submitted_at <= until
            for other, submitted_at in requests[centre_id]
        )
    return found


def _write(case_ids) -> None:
    """Compute again the facts of these cases (a case out of scope loses its facts)."""
    case_ids = list(case_ids)
    CaseFacts.objects.filter(case_id__in=case_ids).delete()  # their fields go with them
    facts = [_facts(row) for row in _rows(case_ids)]
    impact = impact_of([f.case_id for f in facts])
    for fact in facts:
        for column, value in impact.get(fact.case_id, {}).items():
            setattr(fact, column, value)
    CaseFacts.objects.bulk_create(facts)
    kept = [f.case_id for f in facts]
    links = InformationForm.domains.through.objects.filter(informationform_id__in=kept)
    CaseFactsDomain.objects.bulk_create(
        CaseFactsDomain(facts_id=case_id, domain_id=domain_id)
        for case_id, domain_id in links.values_list("informationform_id", "domain_id")
    )  # a form's key is its case's


def bump_version() -> None:
    state, _ = EvaluationState.objects.get_or_create(pk=1)
    EvaluationState.objects.filter(pk=state.pk).update(
        facts_version=F("facts_version") + 1, token=uuid.uuid4().hex
    )


def facts_version() -> int:
    return EvaluationState.objects.filter(pk=1).values_list("facts_version", flat=True).first() or 0


def facts_token() -> str:
    """What names the facts as they stand in cache keys (one query)."""
    return EvaluationState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def mark_dirty(case_id: int) -> None:
    """The facts of this case are to be computed again (after the commit, and at the
    latest before the next evaluation read)."""
    DirtyCase.objects.bulk_create([DirtyCase(case_id=case_id)], ignore_conflicts=True)
    transaction.on_commit(after_commit)


def after_commit() -> None:
    """The facts of the cases just changed, then the grid in the background."""

    if refresh_dirty():
        tasks.schedule_grid()


def refresh_dirty() -> int:
    """Compute again the facts of the dirty cases; how many there were (one query when
    there is none)."""
    if not DirtyCase.objects.exists():
        return 0
    from soutien.evaluation import groups  # cycle: the groups read this module

    with transaction.atomic():
        dirty = list(
            DirtyCase.objects.select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        if not dirty:
            return 0
        # One refresh at a time changes the groups (each adds its difference to them).
        EvaluationState.objects.get_or_create(pk=1)
        EvaluationState.objects.select_for_update().filter(pk=1).first()
        for start in range(0, len(dirty), BATCH):
            batch = dirty[start : start + BATCH]
            delta = groups.Delta(batch)
            delta.before()
            _write(batch)
            delta.after()
            delta.apply()
        DirtyCase.objects.filter(pk__in=dirty).delete()
        bump_version()
    return len(dirty)


def forget(case_id: int) -> None:
    """A case about to be deleted: its facts go with it (a cascade, no refresh), so the
    groups of facts lose them now, in the same transaction."""
    from soutien.evaluation import groups  # cycle: the groups read this module

    if not CaseFacts.objects.filter(case_id=case_id).exists():
        return  # a draft, or facts not yet computed: nothing counted
    with transaction.atomic():
        EvaluationState.objects.get_or_create(pk=1)
        EvaluationState.objects.select_for_update().filter(pk=1).first()
        delta = groups.Delta([case_id])
        delta.before()
        delta.apply()
        bump_version()


def rebuild() -> int:
    """Compute again the facts of every case (the ``evaluation_refresh`` command, a bench
    generation): the same rows as ``_write``, written by the database itself (one
    ``INSERT … SELECT`` per table, then « asked again », which compares dates per centre,
    computed in one pass over the requests; docs/performance-evaluation.md)."""
    from soutien.evaluation import groups  # cycle: the groups read this module

    quote = connection.ops.quote_name
    with transaction.atomic():
        DirtyCase.objects.all().delete()
        with connection.cursor() as cursor:
            # Everything goes (no row is kept): a plain DELETE, not Django's collector.
            for model in (CaseFactsDomain, CaseFacts):
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
        written = _insert_facts()
        _insert_domains()
        _mark_asked_again()
        groups.rebuild_live()
        bump_version()
    return written


# The facts' columns in the order of their SELECT (``_select``): every concrete field.
FACT_COLUMNS = tuple(f.column for f in CaseFacts._meta.concrete_fields)


def _select() -> QuerySet:
    """Every case's facts as one SELECT, column for column as ``_facts`` and
    ``impact_of`` compute them (but « asked again »: ``_mark_asked_again``)."""
    adopted = [ActionDecision.ACCEPTED, ActionDecision.ADAPTED]

    def action_count(condition: Q):
        counted = Case.objects.filter(pk=OuterRef("pk")).annotate(
            n=Count("actions", filter=condition)
        )
        return Subquery(counted.values("n")[:1], output_field=IntegerField())

    def followup(milestone: int):
        answered = Case.objects.filter(
            pk=OuterRef("pk"),
            stage=Stage.CLOSED,
            followups__milestone=milestone,
            followups__answered_at__isnull=False,
        )
        situation = Subquery(answered.values("followups__situation")[:1])
        return Coalesce(situation, Value(""), output_field=CharField())

    from_report = Q(actions__recommendation__isnull=False)
    answered = Q(satisfaction__pk__isnull=False)
    expressions = {
        "case_id": F("pk"),
        "submitted_at": F("submitted_at"),
        "submitted_year": F("submitted_year"),
        "commune_id": F("centre__commune_id"),
        "municipality_id": Coalesce("centre__commune__parent_id", "centre__commune_id"),
        "manager_id": F("manager_id"),
        "manager_kind": When_(
            When(manager__kind=OrganisationKind.FEDERATION, then=Value(FEDERATION)),
            default=Value(ASSOCIATION),
            output_field=CharField(),
        ),
        "situation": Coalesce("situation", Value(""), output_field=CharField()),
        "stage": F("stage"),
        "from_selfcheck": F("from_selfcheck"),
        "closure_outcome": Coalesce("closure_outcome", Value(""), output_field=CharField()),
        "clock_start": _clock_start(),
        **{column: F(column) for column in LEAD_COLUMNS},
        "answered": ExpressionWrapper(answered, output_field=BooleanField()),
        "recommend": When_(
            When(answered & Q(satisfaction__would_recommend=True), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "usefulness": F("satisfaction__usefulness"),
        "listening": F("satisfaction__listening"),
        "ownership": F("satisfaction__ownership"),
        "recommendations_proposed": action_count(from_report),
        "recommendations_adopted": action_count(from_report & Q(actions__decision__in=adopted)),
        "actions_by_centre": action_count(Q(actions__done_by_centre=True)),
        "followup_6": followup(6),
        "followup_12": followup(12),
        "asked_again": Value(False, output_field=BooleanField()),
    }
    names = {f.column: f"fact_{f.column}" for f in CaseFacts._meta.concrete_fields}
    return (
        in_scope(Case.objects.all())
        .annotate(**{names[column]: expressions[column] for column in FACT_COLUMNS})
        .values(*(names[column] for column in FACT_COLUMNS))
        .order_by()
    )


def _insert_facts() -> int:
    quote = connection.ops.quote_name
    sql, params = _select().query.sql_with_params()
    columns = ", ".join(quote(column) for column in FACT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CaseFacts._meta.db_table)} ({columns}) {sql}",  # noqa: S608
            params,
        )
        return cursor.rowcount


def _insert_domains() -> None:
    """The fields of every request with facts (a form's key is its case's)."""
    quote = connection.ops.quote_name
    links = InformationForm.domains.through.objects.filter(
        informationform_id__in=CaseFacts.objects.values("case_id")
    ).values_list("informationform_id", "domain_id")
    sql, params = links.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CaseFactsDomain._meta.db_table)} "  # noqa: S608
            f"({quote('facts_id')}, {quote('domain_id')}) {sql}",
            params,
        )


def _mark_asked_again() -> None:
    """« Asked again » for every closed case, the rule of ``impact_of``: one pass over the
    requests in scope, centre by centre, then the cases found, in batches."""
    requests = (
        in_scope(Case.objects.all())
        .order_by("centre_id", "submitted_at", "pk")
        .values_list("centre_id", "pk", "submitted_at", "stage", "closed_at")
    )
    found = []

    def scan(centre_requests):
        dates = [submitted_at for _, submitted_at, _, _ in centre_requests]
        for pk, _, stage, closed_at in centre_requests:
            if stage != Stage.CLOSED or closed_at is None:
                continue
            until = _years_later(closed_at, ASKED_AGAIN_YEARS)
            index = bisect.bisect_right(dates, closed_at)
            while index < len(dates) and dates[index] <= until:
                if centre_requests[index][0] != pk:
                    found.append(pk)
                    break
                index += 1

    current, batch = None, []
    for centre_id, pk, submitted_at, stage, closed_at in requests.iterator(chunk_size=BATCH * 5):
        if centre_id != current:
            scan(batch)
            current, batch = centre_id, []
        batch.append((pk, submitted_at, stage, closed_at))
    scan(batch)
    for start in range(0, len(found), BATCH):
        CaseFacts.objects.filter(pk__in=found[start : start + BATCH]).update(asked_again=True)


def overdue_facts_q(table: dict[str, dict[str, int]], now) -> Q:
    """The rule of soutien.cases.deadlines.overdue_q, on the facts: the current step's
    clock started before now minus its target duration (one threshold per stage and
    situation)."""

    late = Q(pk__in=[])
    for stage, (_field, step) in CLOCKS.items():
        for situation in Situation.values:
            threshold = now - dt.timedelta(days=table[situation][str(step)])
            situation_q = Q(situation=situation)
            if situation == DEFAULT_SITUATION:
                situation_q |= Q(situation="")
            late |= Q(stage=stage) & situation_q & Q(clock_start__lt=threshold)
    return late
