"""The evaluation's facts summed up per group: what the pages read (issue #15).

A group is the cases sent in one year from one commune (its municipality beside it) to
centres of one kind of manager (and, for a federation-run centre, of one federation). For
each group ``FactsGroup`` keeps every count and sum of the period's figures (``measures``)
and the cases in progress and in support, ``FactsGroupDomain`` the requests per field of
expertise; ``FactsDuration`` the histograms of the steps' lead times at the four levels a
page asks for (the department or one municipality, every manager or one federation, per
year). A few thousand rows instead of one per case: the figures of any whole-year period,
territory, commune and federation are sums of them, read on indexes.

They are kept exact with the facts:

* ``rebuild_live``: summed again from every fact (after ``facts.rebuild``), in the
  database (``INSERT … SELECT … GROUP BY``);
* ``Delta``: the contribution of the facts of a few cases, read before and after
  ``facts.refresh_dirty`` writes them again, and the difference applied to the groups
  (proportional to the cases changed, never to the number of cases);
* ``ensure_published``: the groups of a published grid's copy of the facts, summed once,
  the first time the grid is read (the background task reads it first).
"""

from collections import Counter

from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import (
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from soutien.cases.deadlines import CLOCKS
from soutien.cases.enums import FINAL_STAGES, PROVIDER_STAGES, ClosureOutcome, Situation, Stage
from soutien.cases.models import LEAD_TIMES
from soutien.evaluation.facts import FEDERATION, KEPT, WORSE, evolution_q
from soutien.evaluation.models import (
    GROUP_MEASURES,
    CaseFacts,
    CaseFactsDomain,
    FactsDuration,
    FactsGroup,
    FactsGroupDomain,
    PublishedFacts,
    PublishedFactsDomain,
    PublishedGrid,
)

PREVENTIVE = Q(situation=Situation.PREVENTIVE)
CRISIS = Q(situation=Situation.CRISIS)
# The funders' decision, read from the stage (workflow.py: a validated request goes on to
# the diagnostic and never leaves the provider's stages; a refused one ends "refused").
VALIDATED = Q(stage__in=PROVIDER_STAGES)
REFUSED = Q(stage=Stage.REFUSED)
ACTIVE_STAGES = [s for s in Stage if s not in FINAL_STAGES and s != Stage.DRAFT]
FOLLOWUP_MILESTONES = (6, 12)
SATISFACTION_SCORES = ("usefulness", "listening", "ownership")
# Each step with a target duration and the facts' column of its lead time.
STEP_COLUMNS: dict[str, str] = {step: column for step, (column, *_) in LEAD_TIMES.items()}
# A group: its year, commune, municipality, kind of manager, federation (None otherwise).
DIMENSIONS = ("submitted_year", "commune_id", "municipality_id", "manager_kind", "manager_id")
# The levels of the lead-time histograms: (by municipality, by federation).
LEVELS = ((False, False), (True, False), (False, True), (True, True))
CLOCK_STAGES = list(CLOCKS)


def measures() -> dict:
    """Every count of a group of facts, summable across groups (averages as sum and
    count); the names are ``models.GROUP_MEASURES``."""
    found = {
        "total": Count("pk"),
        "preventive": Count("pk", filter=PREVENTIVE),
        "crisis": Count("pk", filter=CRISIS),
        # Requests started from a self-check's « Demander un soutien préventif ».
        # (Not named after the facts' own field: an aggregate may not shadow it.)
        "selfcheck_requests": Count("pk", filter=Q(from_selfcheck=True)),
        "selfcheck_preventive": Count("pk", filter=PREVENTIVE & Q(from_selfcheck=True)),
        "validated": Count("pk", filter=VALIDATED),
        "refused": Count("pk", filter=REFUSED),
        "without_follow_up": Count("pk", filter=Q(stage=Stage.CLOSED_WITHOUT_FOLLOW_UP)),
        "closed": Count("pk", filter=Q(stage=Stage.CLOSED)),
        "satisfaction_n": Count("pk", filter=Q(answered=True)),
        "recommend": Count("pk", filter=Q(answered=True, recommend=True)),
    }
    for score in SATISFACTION_SCORES:
        found[f"{score}_sum"] = Sum(score)
    for outcome in ClosureOutcome:
        found[f"outcome_{outcome}"] = Count(
            "pk", filter=Q(stage=Stage.CLOSED, closure_outcome=outcome)
        )
    # The impact: cases counted as the measures of soutien.evaluation.grid, and sums of
    # actions.
    found["with_recommendations"] = Count("pk", filter=Q(recommendations_proposed__gt=0))
    found["proposed_sum"] = Sum("recommendations_proposed")
    found["adopted_sum"] = Sum("recommendations_adopted")
    found["by_centre"] = Count("pk", filter=Q(actions_by_centre__gt=0))
    found["by_centre_sum"] = Sum("actions_by_centre")
    for milestone in FOLLOWUP_MILESTONES:
        column = f"followup_{milestone}"
        answered = Q(stage=Stage.CLOSED) & ~Q(**{column: ""})
        found[f"followed_{milestone}"] = Count("pk", filter=answered)
        for kind in (KEPT, WORSE):
            found[f"followed_{milestone}_{kind}"] = Count("pk", filter=evolution_q(column, kind))
    found["asked_again_n"] = Count("pk", filter=Q(stage=Stage.CLOSED, asked_again=True))
    # « À ce jour »: whatever the period.
    found["in_progress"] = Count("pk", filter=Q(stage__in=ACTIVE_STAGES))
    found["support"] = Count("pk", filter=Q(stage=Stage.SUPPORT))
    # A sum over no value is NULL: a group stores 0.
    return {
        name: Coalesce(aggregate, 0) if isinstance(aggregate, Sum) else aggregate
        for name, aggregate in found.items()
    }


def _federation(prefix: str = ""):
    """The group's federation: the manager of a federation-run centre, None otherwise."""
    return When_(
        When(**{f"{prefix}manager_kind": FEDERATION}, then=F(f"{prefix}manager_id")),
        default=Value(None),
        output_field=IntegerField(),
    )


def _dimensions(prefix: str = "") -> dict:
    return {
        "g_submitted_year": F(f"{prefix}submitted_year"),
        "g_commune_id": F(f"{prefix}commune_id"),
        "g_municipality_id": F(f"{prefix}municipality_id"),
        "g_manager_kind": F(f"{prefix}manager_kind"),
        "g_manager_id": _federation(prefix),
    }


def _grid_value(grid_id):
    return Value(grid_id, output_field=IntegerField())


def _insert(model, queryset: QuerySet, columns: list[str]) -> None:
    """``INSERT INTO model (columns) <queryset's SELECT>`` (table and columns from the
    models, values in the SELECT's order)."""
    quote = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)  # noqa: S608


def _insert_groups(facts: QuerySet, grid_id) -> None:
    grouped = (
        facts.annotate(g_grid=_grid_value(grid_id), **_dimensions())
        .values("g_grid", *(f"g_{d}" for d in DIMENSIONS))
        .annotate(**{f"m_{name}": aggregate for name, aggregate in measures().items()})
        .order_by()
    )
    _insert(FactsGroup, grouped, ["grid", *DIMENSIONS, *GROUP_MEASURES])


def _insert_domains(domains: QuerySet, grid_id) -> None:
    grouped = (
        domains.annotate(g_grid=_grid_value(grid_id), **_dimensions("facts__"))
        .values("g_grid", *(f"g_{d}" for d in DIMENSIONS), "domain_id")
        .annotate(m_n=Count("pk"))
        .order_by()
    )
    _insert(FactsGroupDomain, grouped, ["grid", *DIMENSIONS, "domain_id", "n"])


def _insert_durations(facts: QuerySet, grid_id) -> None:
    none = Value(None, output_field=IntegerField())
    for by_municipality, by_federation in LEVELS:
        level = facts.filter(manager_kind=FEDERATION) if by_federation else facts
        for step, column in STEP_COLUMNS.items():
            grouped = (
                level.filter(**{f"{column}__isnull": False})
                .annotate(
                    g_grid=_grid_value(grid_id),
                    g_year=F("submitted_year"),
                    g_municipality=F("municipality_id") if by_municipality else none,
                    g_manager=F("manager_id") if by_federation else none,
                    g_step=Value(step),
                    g_tenths=F(column),
                )
                .values("g_grid", "g_year", "g_municipality", "g_manager", "g_step", "g_tenths")
                .annotate(m_n=Count("pk"))
                .order_by()
            )
            _insert(
                FactsDuration,
                grouped,
                ["grid", "submitted_year", "municipality_id", "manager_id", "step", "tenths", "n"],
            )


def _build(facts: QuerySet, domains: QuerySet, grid_id) -> None:
    _insert_groups(facts, grid_id)
    _insert_domains(domains, grid_id)
    _insert_durations(facts, grid_id)


def rebuild_live() -> None:
    """Sum up every fact as it stands again (after ``facts.rebuild``)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (FactsGroup, FactsGroupDomain, FactsDuration):
            table = quote(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {quote('grid_id')} IS NULL")  # noqa: S608
    _build(CaseFacts.objects.all(), CaseFactsDomain.objects.all(), None)


# The grids whose groups this process has seen built, by token (a token names one grid
# for ever).
_BUILT: set[str] = set()


def ensure_published(grid_id: int, token: str) -> None:
    """The groups of a published grid's copy of the facts, summed up the first time the
    grid is read (one query afterwards, none once this process has seen them)."""
    if token in _BUILT:
        return
    if len(_BUILT) >= 16:
        _BUILT.clear()
    if not PublishedGrid.objects.filter(pk=grid_id, groups_built=False).exists():
        _BUILT.add(token)
        return
    with transaction.atomic():
        stored = PublishedGrid.objects.select_for_update().filter(pk=grid_id).first()
        if stored is None:  # gone since: its readers read nothing more of it
            return
        if not stored.groups_built:
            _build(
                PublishedFacts.objects.filter(grid_id=grid_id),
                PublishedFactsDomain.objects.filter(facts__grid_id=grid_id),
                grid_id,
            )
            PublishedGrid.objects.filter(pk=grid_id).update(groups_built=True)
    _BUILT.add(token)


# --- Keeping the groups of the live facts exact, case by case --------------------------


class Delta:
    """What the facts of some cases add to the groups: read before and after their facts
    are written again, the difference is applied to the groups (``apply``)."""

    def __init__(self, case_ids):
        self.case_ids = list(case_ids)
        self.groups: Counter = Counter()
        self.domains: Counter = Counter()
        self.durations: Counter = Counter()

    def _read(self, sign: int) -> None:
        facts = CaseFacts.objects.filter(case_id__in=self.case_ids)
        rows = (
            facts.annotate(**_dimensions())
            .values(*(f"g_{d}" for d in DIMENSIONS))
            .annotate(**{f"m_{name}": aggregate for name, aggregate in measures().items()})
            .order_by()
        )
        for row in rows:
            group = tuple(row[f"g_{d}"] for d in DIMENSIONS)
            for name in GROUP_MEASURES:
                self.groups[(group, name)] += sign * row[f"m_{name}"]
        links = CaseFactsDomain.objects.filter(facts_id__in=self.case_ids)
        for row in links.annotate(**_dimensions("facts__")).values(
            *(f"g_{d}" for d in DIMENSIONS), "domain_id"
        ):
            group = tuple(row[f"g_{d}"] for d in DIMENSIONS)
            self.domains[(group, row["domain_id"])] += sign
        columns = list(STEP_COLUMNS.values())
        for year, municipality, kind, manager, *tenths in facts.values_list(
            "submitted_year", "municipality_id", "manager_kind", "manager_id", *columns
        ):
            for step, value in zip(STEP_COLUMNS, tenths, strict=True):
                if value is None:
                    continue
                for by_municipality, by_federation in LEVELS:
                    if by_federation and kind != FEDERATION:
                        continue
                    level = (
                        year,
                        municipality if by_municipality else None,
                        manager if by_federation else None,
                    )
                    self.durations[(level, step, value)] += sign

    def before(self) -> None:
        self._read(-1)

    def after(self) -> None:
        self._read(+1)

    def apply(self) -> None:
        """Add the difference to the groups (a group, a field or a bucket left with no
        case goes)."""
        changed: dict[tuple, dict] = {}
        for (group, name), value in self.groups.items():
            if value:
                changed.setdefault(group, {})[name] = value
        for group, values in changed.items():
            where = dict(zip(DIMENSIONS, group, strict=True))
            rows = FactsGroup.objects.filter(grid=None, **_exact(where))
            if not rows.update(**{name: F(name) + value for name, value in values.items()}):
                FactsGroup.objects.create(grid=None, **where, **values)
        if changed:
            FactsGroup.objects.filter(grid=None, total=0).delete()
        for (group, domain_id), value in self.domains.items():
            if not value:
                continue
            where = dict(zip(DIMENSIONS, group, strict=True), domain_id=domain_id)
            rows = FactsGroupDomain.objects.filter(grid=None, **_exact(where))
            if not rows.update(n=F("n") + value):
                FactsGroupDomain.objects.create(grid=None, n=value, **where)
        if any(self.domains.values()):
            FactsGroupDomain.objects.filter(grid=None, n=0).delete()
        for ((year, municipality, manager), step, tenths), value in self.durations.items():
            if not value:
                continue
            where = {
                "submitted_year": year,
                "municipality_id": municipality,
                "manager_id": manager,
                "step": step,
                "tenths": tenths,
            }
            rows = FactsDuration.objects.filter(grid=None, **_exact(where))
            if not rows.update(n=F("n") + value):
                FactsDuration.objects.create(grid=None, n=value, **where)
        if any(self.durations.values()):
            FactsDuration.objects.filter(grid=None, n=0).delete()


def _exact(where: dict) -> dict:
    """Lookups for these values, None as « is null »."""
    return {
        (f"{name}__isnull" if value is None else name): (True if value is None else value)
        for name, value in where.items()
    }
