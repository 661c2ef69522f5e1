"""The indicators of the continuous evaluation, computed by database aggregation.

Nothing here loops over cases in Python, and nothing reads the case table: every figure is
a grouped aggregate of the evaluation's facts (``soutien.evaluation.models.CaseFacts``,
one row per case kept up to date by the case events, see soutien.evaluation.facts). One
grouped query (year × municipality × kind of manager: the few columns the page shows)
gives the totals and every breakdown but the fields of expertise, one query per step gives
the histogram of its lead times (quantiles are read from the cumulative counts), one
joined query the fields of expertise, so the number of queries is constant whatever the
number of cases.

The cohort of a period is the cases *submitted* in that period. Figures « à ce jour » (cases
overdue, accompaniments in progress) describe the present and ignore the period.

The coordination sees every figure, for any period. For everyone else each figure names
the figures of the published grid it rests on (``soutien.evaluation.grid``) and is shown
only if the grid publishes them: the same cells whatever the page, export or filter.
"""

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from soutien.cases.deadlines import overdue_q
from soutien.cases.enums import (
    DEFAULT_SITUATION,
    ClosureOutcome,
    Stage,
    Step,
)
from soutien.cases.models import (
    LEAD_TIMES,
    TENTHS_PER_DAY,
    Case,
    TargetDuration,
)
from soutien.core import clock
from soutien.directory import selectors as directory_selectors
from soutien.directory.models import Commune
from soutien.evaluation.facts import (
    KEPT,
    WORSE,
    facts_token,
    overdue_facts_q,
    refresh_dirty,
)
from soutien.evaluation.figures import Cell, Shown, as_of_note, count, share
from soutien.evaluation.grid import (
    ASSOCIATION,
    EMPTY,
    FEDERATION,
    FOLLOWUP_MILESTONES,
    OFF_GRID,
    Grid,
    Key,
)
from soutien.evaluation.groups import (
    CLOCK_STAGES,
    SATISFACTION_SCORES,
    ensure_published,
    measures,
)
from soutien.evaluation.models import (
    GROUP_MEASURES,
    CaseFacts,
    FactsDuration,
    FactsGroup,
    FactsGroupDomain,
)
from soutien.evaluation.policies import DEPARTMENT, Territory
from soutien.evaluation.publication import (
    LIVE,
    Source,
    due_window,
    published,
    published_grid,
)

# Each step with a target duration: (start field, end field). Only completed steps count.
STEP_SPANS: dict[str, tuple[str, str]] = {
    step: (start, end) for step, (_column, start, end) in LEAD_TIMES.items()
}
# The column where the database stores each completed step's lead time (tenths of a day).
STEP_LEAD_TIMES: dict[str, str] = {step: column for step, (column, *_) in LEAD_TIMES.items()}
STEP_LABELS = {
    Step.REFERRAL: "Saisine (transmission → décision des financeurs)",
    Step.REPORT: "Rapport (décision → premier rapport transmis)",
    Step.VALIDATION: "Validation du rapport par le gestionnaire",
    Step.RESTITUTION: "Restitution (validation → restitution)",
}
BUCKETS_PER_DAY = TENTHS_PER_DAY


@dataclass(frozen=True)
class Filters:
    """Period (on the date the request was sent, bounds included), commune, federation."""

    start: dt.date | None = None
    end: dt.date | None = None
    commune: object | None = None  # directory.Commune (a municipality)
    federation: object | None = None  # directory.Organisation of kind federation

    def describe(self) -> list[tuple[str, str]]:
        lines = []
        if self.start or self.end:
            start = self.start.strftime("%d/%m/%Y") if self.start else "l'origine"
            end = self.end.strftime("%d/%m/%Y") if self.end else "aujourd'hui"
            lines.append(("Période", f"demandes transmises du {start} au {end}"))
        else:
            lines.append(("Période", "toutes les demandes transmises"))
        if self.commune:
            lines.append(("Commune", str(self.commune)))
        if self.federation:
            lines.append(("Fédération gestionnaire", str(self.federation)))
        return lines


@dataclass(frozen=True)
class Place:
    """Where the figures of a selection sit in the published grid."""

    period: object  # None (every year), a year, or OFF_GRID (a free period)
    commune: object  # None (the department), a municipality, or OFF_GRID
    manager: object  # None or a federation's id
    whole_communes: bool  # the rows by commune are whole municipalities

    def key(self, measure: str, *, period=..., commune=..., manager=...) -> Key:
        return Key(
            self.period if period is ... else period,
            self.commune if commune is ... else commune,
            self.manager if manager is ... else manager,
            measure,
        )

    def present(self, measure: str) -> Key:
        """A figure « à ce jour »: the present, whatever the period."""
        return self.key(measure, period=None)

    def year(self, year: int, measure: str) -> Key:
        return self.key(measure, period=year if self.period in (None, year) else OFF_GRID)

    def municipality(self, municipality: int, measure: str) -> Key:
        whole = self.whole_communes and self.commune in (None, OFF_GRID, municipality)
        return self.key(measure, commune=municipality if whole else OFF_GRID)

    def kind(self, kind: str, measure: str) -> Key | None:
        if self.manager is None:
            return self.key(measure, manager=kind)
        return self.key(measure) if kind == FEDERATION else EMPTY  # a federation's centres


def place_of(territory: Territory, filters: Filters) -> Place:
    """The grid's period, commune and manager for a territory and filters: whole years
    only (a free period is off the grid), one municipality or the whole department."""
    period = OFF_GRID
    if filters.start is None and filters.end is None:
        period = None
    elif (
        filters.start
        and filters.end
        and filters.start.year == filters.end.year
        and (filters.start.month, filters.start.day) == (1, 1)
        and (filters.end.month, filters.end.day) == (12, 31)
    ):
        period = filters.start.year
    whole_communes = True
    if filters.commune is not None:
        whole_communes = filters.commune.parent_id is None
        commune = filters.commune.pk if whole_communes else OFF_GRID
    elif territory.is_department:
        commune = None
    elif len(territory.commune_ids) == 1:
        (commune,) = territory.commune_ids
    else:
        commune = OFF_GRID  # several communes together: shown commune by commune only
    manager = filters.federation.pk if filters.federation is not None else None
    return Place(period, commune, manager, whole_communes)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)  # [label, Shown, Shown, ...]
    caption: str = ""


@dataclass
class Evaluation:
    territory: Territory
    filters: Filters
    masked: bool
    tables: dict[str, Table]
    headline: dict
    department: "Evaluation | None" = None
    as_of: dt.datetime | None = None  # masked: the moment of the published facts
    current: bool = True  # masked: the published facts are the facts as they stand

    def table(self, key: str) -> Table:
        return self.tables[key]

    @property
    def as_of_note(self) -> str:
        """« Chiffres arrêtés le … » or « en préparation » (figures.as_of_note)."""
        return as_of_note(masked=self.masked, current=self.current, as_of=self.as_of)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def scope_queryset(territory: Territory, filters: Filters) -> QuerySet[Case]:
    """Cases sent to the Caf within the territory, commune and federation (any period)."""
    queryset = Case.objects.filter(submitted_at__isnull=False).exclude(stage=Stage.DRAFT)
    queryset = queryset.filter(territory.case_filter("centre__"))
    if filters.commune is not None:
        queryset = queryset.filter(
            Q(centre__commune=filters.commune) | Q(centre__commune__parent=filters.commune)
        )
    if filters.federation is not None:
        queryset = queryset.filter(manager=filters.federation)
    return queryset


def cohort_queryset(territory: Territory, filters: Filters) -> QuerySet[Case]:
    """The cases submitted in the period, within the scope."""
    queryset = scope_queryset(territory, filters)
    if filters.start:
        queryset = queryset.filter(submitted_at__gte=_day_start(filters.start))
    if filters.end:
        queryset = queryset.filter(submitted_at__lt=_day_start(filters.end + dt.timedelta(days=1)))
    return queryset


def facts_q(territory: Territory, filters: Filters, *, prefix: str = "") -> Q:
    """The facts of the cases sent within the territory, commune, federation and period
    (``prefix``: the path to the facts from a related table). The same columns name the
    groups of facts (soutien.evaluation.groups), but for the period."""

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    condition = Q()
    if not territory.is_department:
        ids = territory.commune_ids
        condition &= q(commune_id__in=ids) | q(municipality_id__in=ids)
    if filters.commune is not None:
        condition &= q(commune_id=filters.commune.pk) | q(municipality_id=filters.commune.pk)
    if filters.federation is not None:
        condition &= q(manager_id=filters.federation.pk)
    if filters.start:
        condition &= q(submitted_at__gte=_day_start(filters.start))
    if filters.end:
        condition &= q(submitted_at__lt=_day_start(filters.end + dt.timedelta(days=1)))
    return condition


def facts_cohort(territory: Territory, filters: Filters, source: Source = LIVE) -> QuerySet:
    """The facts of the cases submitted in the period, within the scope."""
    return source.all_facts().filter(facts_q(territory, filters))


def source_for(masked: bool, grid: Grid | None = None) -> Source:
    """Masked figures are read from the copy of the facts their grid was computed from
    (soutien.evaluation.publication); the coordination reads the facts as they stand,
    and so does a masked reader before the first grid (nothing but a zero is published)."""
    return published(grid.grid_id) if masked and grid.ready else LIVE


@dataclass(frozen=True)
class Durations:
    """The durations of one step as a histogram of tenths of a day: {bucket: cases}.

    The database stores each completed step's duration when it ends and counts the cases
    per bucket (a bucket is the duration rounded *up* to the tenth of a day, so "within N
    days" stays exact); quantiles are then read from the cumulative counts (at most a few
    thousand buckets, whatever the number of cases). Precision: a tenth of a day, the
    precision shown.
    """

    buckets: tuple[tuple[int, int], ...]  # sorted (bucket, cases)

    @property
    def n(self) -> int:
        return sum(cases for _, cases in self.buckets)

    def within(self, days: int) -> int:
        limit = days * BUCKETS_PER_DAY
        return sum(cases for bucket, cases in self.buckets if bucket <= limit)

    def _value_at(self, rank: int) -> float:
        seen = 0
        for bucket, cases in self.buckets:
            seen += cases
            if rank < seen:
                return bucket / BUCKETS_PER_DAY
        raise IndexError(rank)

    def quantile(self, q: float) -> float | None:
        """Linear interpolation between ranks, as PostgreSQL's percentile_cont."""
        n = self.n
        if n == 0:
            return None
        position = (n - 1) * q
        low = math.floor(position)
        value = self._value_at(low)
        if position == low:
            return value
        return value + (position - low) * (self._value_at(low + 1) - value)


def _durations(cohort: QuerySet[CaseFacts], step: str) -> tuple:
    """The histogram of a step's lead times (a step is completed once its column is set)."""
    column = STEP_LEAD_TIMES[step]
    rows = (
        cohort.filter(**{f"{column}__isnull": False})
        .values(column)
        .annotate(cases=Count("case_id"))
        .order_by(column)
        .values_list(column, "cases")
    )
    return tuple(rows)


def groups_of(source: Source) -> QuerySet[FactsGroup]:
    """The groups summing up the facts a page reads: live, or a published grid's copy."""
    return FactsGroup.objects.filter(grid_id=source.grid_id)  # None: « is null »


def whole_years(filters: Filters) -> tuple | None:
    """The first and last years of a period made of whole years (None: no bound), or
    None for a free period (which only the facts can count)."""
    if filters.start and (filters.start.month, filters.start.day) != (1, 1):
        return None
    if filters.end and (filters.end.month, filters.end.day) != (12, 31):
        return None
    return (
        filters.start.year if filters.start else None,
        filters.end.year if filters.end else None,
    )


def years_q(years: tuple) -> Q:
    first, last = years
    condition = Q()
    if first is not None:
        condition &= Q(submitted_year__gte=first)
    if last is not None:
        condition &= Q(submitted_year__lte=last)
    return condition


def _duration_level(territory: Territory, filters: Filters) -> tuple | None:
    """The level of the lead-time histograms a selection reads: (municipality or None
    for the department, federation or None for every manager); None when no level holds
    exactly its cases (several communes together, an arrondissement)."""
    federation = filters.federation.pk if filters.federation is not None else None
    if filters.commune is not None:
        if filters.commune.parent_id is not None:
            return None
        if not territory.is_department and filters.commune.pk not in territory.commune_ids:
            return None
        return filters.commune.pk, federation
    if territory.is_department:
        return None, federation
    if len(territory.commune_ids) != 1:
        return None
    (municipality,) = territory.commune_ids
    if not Commune.objects.filter(pk=municipality, parent__isnull=True).exists():
        return None  # a partner of an arrondissement: not a level of the histograms
    return municipality, federation


def _figures_from_groups(
    source: Source, territory: Territory, filters: Filters, years: tuple, summary_only: bool
) -> dict:
    """The period's figures summed from the groups of facts (a few thousand rows at
    most, whatever the number of cases): the same numbers as the facts give."""
    condition = facts_q(territory, replace(filters, start=None, end=None)) & years_q(years)
    rows = groups_of(source).filter(condition)
    sums = {f"s_{name}": Sum(name) for name in GROUP_MEASURES}

    def named(row: dict) -> dict:
        """A row of sums under the measures' names (a sum over no group is NULL)."""
        found = {name: value for name, value in row.items() if not name.startswith("s_")}
        found.update({name: row[f"s_{name}"] or 0 for name in GROUP_MEASURES})
        return found

    if summary_only:
        return {"cube": [named(rows.aggregate(**sums))]}
    cube = [
        named(row)
        for row in rows.values("submitted_year", "manager_kind", municipality=F("municipality_id"))
        .annotate(**sums)
        .order_by()
    ]
    domains = FactsGroupDomain.objects.filter(condition, grid_id=source.grid_id)
    level = _duration_level(territory, filters)
    if level is None:
        cohort = source.all_facts().filter(condition)
        durations = {step: _durations(cohort, step) for step in STEP_SPANS}
    else:
        durations = {step: [] for step in STEP_SPANS}
        municipality, federation = level
        histogram = (
            FactsDuration.objects.filter(
                years_q(years),
                # None: « is null » (the department, every manager)
                grid_id=source.grid_id,
                municipality_id=municipality,
                manager_id=federation,
            )
            .values("step", "tenths")
            .annotate(cases=Sum("n"))
            .order_by("step", "tenths")
            .values_list("step", "tenths", "cases")
        )
        for step, tenths, cases in histogram:
            durations[step].append((tenths, cases))
        durations = {step: tuple(rows) for step, rows in durations.items()}
    return {
        "cube": cube,
        "durations": durations,
        "domains": dict(
            domains.values("domain_id")
            .annotate(cases=Sum("n"))
            .order_by()
            .values_list("domain_id", "cases")
        ),
    }


# The figures of a period are kept this long under the name of their facts (a change of
# the facts changes the name: nothing stale is ever read). The key's prefix names the
# form they are kept in (2: rolled up along each dimension).
FIGURES_TIMEOUT = 24 * 60 * 60
FIGURES_KEY = "soutien:evaluation:figures:2:"


def split_period(filters: Filters) -> tuple[tuple | None, list[Filters]]:
    """A period as its whole years (first, last; None: no bound), summed from the groups,
    and the pieces of years at its ends (``Filters``), counted on the facts: a free
    period reads the facts of at most two partial years, never of every year."""
    start, end = filters.start, filters.end
    starts_a_year = start is None or (start.month, start.day) == (1, 1)
    ends_a_year = end is None or (end.month, end.day) == (12, 31)
    if starts_a_year and ends_a_year:
        return whole_years(filters), []
    if start is not None and end is not None and start.year == end.year:
        return None, [filters]  # within one year
    edges = []
    first = None if start is None else start.year
    last = None if end is None else end.year
    if not starts_a_year:
        edges.append(replace(filters, end=dt.date(start.year, 12, 31)))
        first = start.year + 1
    if not ends_a_year:
        edges.append(replace(filters, start=dt.date(end.year, 1, 1)))
        last = end.year - 1
    if first is not None and last is not None and first > last:
        return None, edges
    return (first, last), edges


def _merged(parts: list[dict], *, summary_only: bool) -> dict:
    """The figures of the pieces of a period, added up (the grouped rows side by side,
    histograms and fields summed)."""
    if len(parts) == 1:
        return parts[0]
    cube = [row for part in parts for row in part["cube"]]
    if summary_only:
        return {"cube": cube}
    durations = {}
    for step in STEP_SPANS:
        total = defaultdict(int)
        for part in parts:
            for bucket, cases in part["durations"][step]:
                total[bucket] += cases
        durations[step] = tuple(sorted(total.items()))
    domains = defaultdict(int)
    for part in parts:
        for domain_id, n in part["domains"].items():
            domains[domain_id] += n
    return {"cube": cube, "durations": durations, "domains": dict(domains)}


def _figures_from_facts(
    source: Source, territory: Territory, pieces: list[Filters], *, summary_only: bool
) -> dict:
    """The figures of the pieces of years of a free period (the coordination's « Du …
    au … »), counted on the facts, all pieces in the same queries."""
    condition = links_condition = Q(pk__in=[])
    for piece in pieces:
        condition |= facts_q(territory, piece)
        links_condition |= facts_q(territory, piece, prefix="facts__")
    cohort = source.all_facts().filter(condition)
    if summary_only:
        return {"cube": [cohort.aggregate(**measures())]}
    # One grouped query gives the totals and the year, commune and manager breakdowns.
    cube = list(
        cohort.values("submitted_year", "municipality", "manager_kind")
        .annotate(**measures())
        .order_by()
    )
    # Counted on the facts' fields, joined to the facts of the cohort (one query).
    links = source.all_domains().filter(links_condition)
    return {
        "cube": cube,
        "durations": {step: _durations(cohort, step) for step in STEP_SPANS},
        "domains": dict(
            links.values("domain_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("domain_id", "n")
        ),
    }


def _figures_key(
    source: Source, token: str, territory: Territory, filters: Filters, summary_only: bool
) -> str:
    """The name of a period's figures in the cache."""
    return (
        FIGURES_KEY
        + hashlib.sha256(
            repr(
                (
                    source.facts._meta.label,
                    token,
                    *_place_parts(territory, filters),
                    filters.start,
                    filters.end,
                    summary_only,
                )
            ).encode()
        ).hexdigest()
    )


def _place_parts(territory: Territory, filters: Filters) -> tuple:
    """What names a territory and the place chosen in its filters (commune, federation)
    in the names of the figures kept in the cache: never shared between territories."""
    return (
        sorted(territory.commune_ids or ()),
        territory.is_department,
        getattr(filters.commune, "pk", None),
        getattr(filters.federation, "pk", None),
    )


def _period_figures(
    source: Source,
    token: str,
    territory: Territory,
    filters: Filters,
    *,
    summary_only: bool,
    kept: dict | None = None,
) -> dict:
    """What the tables of the period are computed from — the grouped counts, the
    lead-time histograms, the counts per field — read from the facts, or from the cache
    where the same facts (``token``: their version, or the published grid's) gave them
    (``kept``: what the page has already read of the cache)."""
    cache_key = _figures_key(source, token, territory, filters, summary_only)
    if token:
        found = kept.get(cache_key) if kept is not None else cache.get(cache_key)
        if found is not None:
            return found
    years, edges = split_period(filters)
    parts = []
    if edges:
        parts.append(_figures_from_facts(source, territory, edges, summary_only=summary_only))
    if years is not None:
        parts.append(_figures_from_groups(source, territory, filters, years, summary_only))
    found = _rolled_up(_merged(parts, summary_only=summary_only))
    if token:
        cache.set(cache_key, found, timeout=FIGURES_TIMEOUT)
    return found


MEASURES = GROUP_MEASURES

# The dimensions the breakdowns by year, commune and kind of manager are read along.
ROLL_UP_KEYS = ("submitted_year", "municipality", "manager_kind")


def _rolled_up(figures: dict) -> dict:
    """The grouped rows summed once along each dimension the tables read (``rolled``:
    None for the period's totals, then each of ``ROLL_UP_KEYS``), kept in the cache
    instead of the rows: a view reads a few hundred sums, never thousands of rows."""
    found = dict(figures)
    cube = found.pop("cube")
    rolled = {None: _roll_up(cube, None, MEASURES).get(None, dict.fromkeys(MEASURES, 0))}
    if "durations" in found:  # not the summary alone
        for key in ROLL_UP_KEYS:
            rolled[key] = _roll_up(cube, key)
    found["rolled"] = rolled
    return found


def _totals(summed: dict) -> dict:
    """The period's totals (``rolled[None]``), with the averages."""
    totals = dict(summed)
    answers = totals["satisfaction_n"]
    for score in SATISFACTION_SCORES:
        totals[score] = totals[f"{score}_sum"] / answers if answers else None
    return totals


def overdue_filter(table: dict[str, dict[str, int]], now) -> Q:
    """Cases whose current step is past its target duration: the rule of
    soutien.cases.deadlines (the one the lists and the reminders apply)."""
    return overdue_q(table, now)


# The figures « à ce jour » are kept under the name of their facts and targets, with the
# moments between which no step falls due (their count « en retard » holds until then).
NOW_KEY = "soutien:evaluation:now:1:"


def _now_key(*parts) -> str:
    return NOW_KEY + hashlib.sha256(repr(parts).encode()).hexdigest()


def _within(window: tuple, now) -> bool:
    """``now`` is after the last step fallen due and no later than the next one."""
    after, until = window
    return (after is None or now > after) and (until is None or now <= until)


def _targets(table: dict[str, dict[str, int]]) -> list:
    return sorted((situation, sorted(steps.items())) for situation, steps in table.items())


def _now_keys(
    source: Source,
    token: str,
    territory: Territory,
    filters: Filters,
    table: dict[str, dict[str, int]],
    now,
) -> tuple[str, str | None]:
    """The names in the cache of the figures « à ce jour » and, for the live facts, of
    the moments between which no step falls due (None for a published copy, always read
    at its own moment: ``now`` is the grid's)."""
    targets = _targets(table)
    scope = (
        source.facts._meta.label,
        source.grid_id,
        token,
        targets,
        *_place_parts(territory, filters),
    )
    if source.grid_id is not None:
        return _now_key(*scope, now), None
    return _now_key(*scope), _now_key(source.facts._meta.label, token, targets)


def _now_aggregate(
    source: Source,
    token: str,
    territory: Territory,
    filters: Filters,
    table: dict[str, dict[str, int]],
    now,
    *,
    kept: dict | None = None,
) -> dict:
    """The figures « à ce jour », from the cache where the same facts (``token``) and
    targets gave them, at a moment no step has fallen due since: a published copy's
    figures are those of its moment (``now`` is the grid's), the live ones hold until the
    next step falls due (``publication.due_window``, one query per version of the facts,
    for every territory). ``kept``: what the page has already read of the cache."""
    if not token:
        return _count_now(source, territory, filters, table, now)
    key, window_key = _now_keys(source, token, territory, filters, table, now)
    if kept is None:
        kept = cache.get_many([name for name in (key, window_key) if name])
    if window_key is None:  # a published copy
        found = kept.get(key)
        if found is None:
            found = _count_now(source, territory, filters, table, now)
            cache.set(key, found, timeout=FIGURES_TIMEOUT)
        return found
    window = kept.get(window_key)
    if window is None or not _within(window, now):
        window = due_window(source, now, table)
        cache.set(window_key, window, timeout=FIGURES_TIMEOUT)
    found = kept.get(key)
    if found is not None and found["window"] == window:
        return found["figures"]
    figures = _count_now(source, territory, filters, table, now)
    cache.set(key, {"window": window, "figures": figures}, timeout=FIGURES_TIMEOUT)
    return figures


def _count_now(
    source: Source, territory: Territory, filters: Filters, table: dict[str, dict[str, int]], now
) -> dict:
    """The figures « à ce jour »: cases in progress and in support summed from the groups
    (any period), cases overdue counted on the facts whose step has a clock (an index on
    the stage and the clock's start; the few cases in progress, never every case)."""
    condition = facts_q(territory, replace(filters, start=None, end=None))
    found = {
        name: value or 0
        for name, value in groups_of(source)
        .filter(condition)
        .aggregate(in_progress=Sum("in_progress"), support=Sum("support"))
        .items()
    }
    running = source.all_facts().filter(condition, stage__in=CLOCK_STAGES)
    found.update(running.aggregate(overdue=Count("pk", filter=overdue_facts_q(table, now))))
    return found


def compute(
    *,
    territory: Territory = DEPARTMENT,
    filters: Filters | None = None,
    masked: bool = True,
    now=None,
    with_department: bool = False,
    summary_only: bool = False,
    grid: Grid | None = None,
    table: dict[str, dict[str, int]] | None = None,
) -> Evaluation:
    """Every indicator for a territory and filters; figures masked when ``masked``.

    ``summary_only``: the summary table alone (the department totals shown beside a
    commune's figures). ``grid``: the published grid, ``table`` the target durations
    (``TargetDuration.as_table``), when already loaded.

    Masked figures are those of the published copy of the facts, « à ce jour » meaning
    the moment it was taken (``grid.as_of``); the others those of the cases as they
    stand."""
    filters = filters or Filters()
    now = now or clock.now()
    table = table if table is not None else TargetDuration.as_table()
    if masked:
        if grid is None:
            grid = published_grid(now, table=table)
        now = grid.as_of or now
        token = grid.token
    else:
        refresh_dirty()  # the facts as the cases stand
        token = facts_token()
    source = source_for(masked, grid)
    shown_key = None
    if masked and grid.ready and token:  # what a masked reader is shown, kept whole
        shown_key = _shown_key(grid, territory, filters, table, summary_only, with_department)
        found = cache.get(shown_key)
        if found is not None:
            return _as_read_now(found, territory, filters, grid, summary_only)
    if masked:
        ensure_published(grid.grid_id, grid.token)  # the groups of its copy of the facts
    place = place_of(territory, filters)
    k = place.key
    targets = table[DEFAULT_SITUATION]
    kept = None
    if token:  # what the page reads of the cache, in one read
        now_keys = _now_keys(source, token, territory, filters, table, now)
        figures_key = _figures_key(source, token, territory, filters, summary_only)
        kept = cache.get_many([figures_key, *(name for name in now_keys if name)])
    figures = _period_figures(
        source, token, territory, filters, summary_only=summary_only, kept=kept
    )
    rolled = figures["rolled"]
    main = _totals(rolled[None])
    current = _now_aggregate(source, token, territory, filters, table, now, kept=kept)

    tables: dict[str, Table] = {}

    decided = main["validated"] + main["refused"]
    summary = Table(
        "summary",
        "Synthèse",
        ["Indicateur", "Valeur"],
        caption="Les demandes de la période ; « à ce jour » : la situation actuelle.",
    )
    summary_cells = [
        ("Demandes reçues", count(main["total"], k("total"))),
        ("dont démarche préventive", count(main["preventive"], k("preventive"))),
        ("dont crise avérée", count(main["crisis"], k("crisis"))),
        (
            "Part des démarches préventives",
            share(main["preventive"], main["total"], [k("preventive"), k("total")]),
        ),
        (
            "Demandes issues d'un auto-diagnostic",
            count(main["selfcheck_requests"], k("from_selfcheck")),
        ),
        (
            "Part des démarches préventives issues d'un auto-diagnostic",
            share(
                main["selfcheck_preventive"],
                main["preventive"],
                [k("preventive_from_selfcheck"), k("preventive")],
            ),
        ),
        ("Décisions des financeurs (validées ou refusées)", count(decided, k("decided"))),
        (
            "Taux d'acceptation",
            share(main["validated"], decided, [k("validated"), k("decided")]),
        ),
        (
            "Demandes classées sans suite ou retirées",
            count(main["without_follow_up"], k("without_follow_up")),
        ),
        ("Dossiers clôturés", count(main["closed"], k("closed"))),
        (
            "Dossiers en cours, à ce jour",
            count(current["in_progress"], place.present("in_progress")),
        ),
        (
            "Dossiers en retard sur le délai cible, à ce jour",
            count(current["overdue"], place.present("overdue")),
        ),
        (
            "Accompagnements en cours, à ce jour",
            count(current["support"], place.present("support")),
        ),
    ]
    summary.rows = [[label, cell] for label, cell in summary_cells]
    _finish(summary, masked, grid)
    tables["summary"] = summary
    if summary_only:
        return Evaluation(
            territory=territory,
            filters=filters,
            masked=masked,
            tables=tables,
            headline={"share": summary.rows[3][1]},
        )

    years = rolled["submitted_year"]
    by_year = Table(
        "by_year",
        "Demandes par année",
        [
            "Année",
            "Demandes",
            "Démarche préventive",
            "Crise avérée",
            "Part préventive",
            "Taux d'acceptation",
        ],
    )
    year_rows = [years[year] | {"year": year} for year in sorted(years)]
    for row in year_rows:
        row_decided = row["validated"] + row["refused"]

        def y(measure, year=row["year"]):
            return place.year(year, measure)

        by_year.rows.append(
            [
                str(row["year"]),
                count(row["total"], y("total")),
                count(row["preventive"], y("preventive")),
                count(row["crisis"], y("crisis")),
                share(row["preventive"], row["total"], [y("preventive"), y("total")]),
                share(row["validated"], row_decided, [y("validated"), y("decided")]),
            ]
        )
    _finish(by_year, masked, grid)
    tables["by_year"] = by_year

    # Lead times of each step, over completed steps only.
    lead_times = Table(
        "lead_times",
        "Délais de chaque étape (étapes achevées)",
        [
            "Étape",
            "Étapes achevées",
            "Médiane",
            "90e centile",
            "Délai cible",
            "Dans le délai cible",
        ],
    )
    for step in STEP_SPANS:
        durations = Durations(figures["durations"][step])
        n = durations.n
        median = durations.quantile(0.5)
        p90 = durations.quantile(0.9)
        done = k(f"done_{step}")
        lead_times.rows.append(
            [
                STEP_LABELS[step],
                count(n, done),
                Cell(median, n, unit="j", decimals=1, keys=(done,)),
                Cell(p90, n, unit="j", decimals=1, keys=(done,)),
                Shown(f"{targets[str(step)]}\u00a0j", targets[str(step)], unit="j"),
                share(durations.within(targets[str(step)]), n, [k(f"within_{step}"), done]),
            ]
        )
    _finish(lead_times, masked, grid)
    tables["lead_times"] = lead_times

    # Fields of expertise (a request may concern several).
    domain_counts = figures["domains"]
    by_domain = Table(
        "by_domain",
        "Demandes par champ de fonctionnement",
        ["Champ de fonctionnement", "Demandes"],
        caption="Une demande peut concerner plusieurs champs.",
    )
    for domain in directory_selectors.domains.get():  # kept in the process, no query
        by_domain.rows.append(
            [domain.name, count(domain_counts.get(domain.pk, 0), k(f"domain_{domain.pk}"))]
        )
    _finish(by_domain, masked, grid)
    tables["by_domain"] = by_domain

    # Communes (Marseille's arrondissements count for Marseille).
    communes = rolled["municipality"]
    names = _commune_names(communes)
    by_commune = Table(
        "by_commune",
        "Demandes par commune",
        ["Commune", "Demandes", "Démarche préventive", "Crise avérée"],
    )
    for municipality, row in sorted(communes.items(), key=lambda item: names[item[0]]):
        by_commune.rows.append(
            [names[municipality]]
            + [
                count(row[measure], place.municipality(municipality, measure))
                for measure in ("total", "preventive", "crisis")
            ]
        )
    _finish(by_commune, masked, grid)
    tables["by_commune"] = by_commune

    # Association-run or federation-run centres.
    managers = rolled["manager_kind"]
    by_manager = Table(
        "by_manager",
        "Demandes par type de gestionnaire",
        ["Gestionnaire", "Demandes", "Part préventive", "Taux d'acceptation"],
    )
    for grid_kind, label in (
        (ASSOCIATION, "Centres associatifs"),
        (FEDERATION, "Centres gérés par une fédération"),
    ):
        row = managers.get(grid_kind, {"total": 0, "preventive": 0, "validated": 0, "refused": 0})

        def m(measure, grid_kind=grid_kind):
            return place.kind(grid_kind, measure)

        by_manager.rows.append(
            [
                label,
                count(row["total"], m("total")),
                share(row["preventive"], row["total"], [m("preventive"), m("total")]),
                share(
                    row["validated"],
                    row["validated"] + row["refused"],
                    [m("validated"), m("decided")],
                ),
            ]
        )
    _finish(by_manager, masked, grid)
    tables["by_manager"] = by_manager

    outcomes = Table(
        "outcomes",
        "Issue des dossiers clôturés",
        ["Issue", "Dossiers", "Part des dossiers clôturés"],
    )
    for outcome in ClosureOutcome:
        n = main[f"outcome_{outcome}"]
        outcome_key = k(f"outcome_{outcome}")
        outcomes.rows.append(
            [
                outcome.label,
                count(n, outcome_key),
                share(n, main["closed"], [outcome_key, k("closed")]),
            ]
        )
    _finish(outcomes, masked, grid)
    tables["outcomes"] = outcomes

    answers = main["satisfaction_n"]
    satisfaction = Table(
        "satisfaction",
        "Satisfaction des gestionnaires (questionnaire après clôture)",
        ["Question", "Réponses", "Résultat"],
    )
    for key, label in (
        ("usefulness", "Utilité de la mission pour le centre (moyenne sur 5)"),
        ("listening", "Écoute et respect de l'intervenant (moyenne sur 5)"),
        ("ownership", "Appropriation des outils par les équipes (moyenne sur 5)"),
    ):
        satisfaction.rows.append(
            [
                label,
                count(answers, k("answered")),
                Cell(main[key], answers, unit="/ 5", decimals=1, keys=(k("answered"),)),
            ]
        )
    satisfaction.rows.append(
        [
            "Recommanderaient la mission à un autre centre",
            count(answers, k("answered")),
            share(main["recommend"], answers, [k("recommend"), k("answered")]),
        ]
    )
    _finish(satisfaction, masked, grid)
    tables["satisfaction"] = satisfaction

    tables["impact"] = _impact(main, k, masked, grid)

    headline = _headline(summary, by_year)
    evaluation = Evaluation(
        territory=territory,
        filters=filters,
        masked=masked,
        tables=tables,
        headline=headline,
        as_of=grid.as_of if masked else None,
        current=grid.current if masked else True,
    )
    if with_department and not territory.is_department:
        department_filters = Filters(
            start=filters.start, end=filters.end, federation=filters.federation
        )
        evaluation.department = compute(
            territory=DEPARTMENT,
            filters=department_filters,
            masked=masked,
            now=now,
            summary_only=True,
            grid=grid,
            table=table,
        )
    if shown_key is not None:
        cache.set(shown_key, evaluation, timeout=FIGURES_TIMEOUT)
    return evaluation


# A masked evaluation is kept whole, as shown (every figure masked or not by its grid),
# under the name of its grid and of everything else it is computed from.
SHOWN_KEY = "soutien:evaluation:shown:1:"


def _shown_key(
    grid: Grid,
    territory: Territory,
    filters: Filters,
    table: dict[str, dict[str, int]],
    summary_only: bool,
    with_department: bool,
) -> str:
    """The grid (its token names its copy of the facts, its moment and its suppressed
    figures), the territory, the filters, the targets, the names of the fields and
    communes shown (kept in the process), and what is computed."""
    names = (
        [(domain.pk, domain.name) for domain in directory_selectors.domains.get()],
        [(commune.pk, commune.name) for commune in directory_selectors.evaluated_communes.get()],
    )
    return (
        SHOWN_KEY
        + hashlib.sha256(
            repr(
                (
                    grid.grid_id,
                    grid.token,
                    *_place_parts(territory, filters),
                    filters.start,
                    filters.end,
                    _targets(table),
                    names,
                    summary_only,
                    with_department,
                )
            ).encode()
        ).hexdigest()
    )


def _as_read_now(
    kept: Evaluation, territory: Territory, filters: Filters, grid: Grid, summary_only: bool
) -> Evaluation:
    """A kept masked evaluation, for this reader's territory and filters (the same ones
    as the key's), saying whether its grid is still the facts as they stand (as the
    evaluation computed now would; the summary alone does not say)."""
    if summary_only:
        return replace(kept, territory=territory, filters=filters)
    return replace(kept, territory=territory, filters=filters, current=grid.current)


def _commune_names(ids) -> dict[int, str]:
    """The names of the municipalities counted: those the evaluation is filtered by, kept
    in the process (soutien.directory.selectors), any other one read."""
    names = {
        commune.pk: commune.name
        for commune in directory_selectors.evaluated_communes.get()
        if commune.pk in ids
    }
    missing = [pk for pk in ids if pk not in names]
    if missing:
        names.update(Commune.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


# What the breakdowns by year, commune and manager show.
BREAKDOWN_MEASURES = ("total", "preventive", "crisis", "validated", "refused")


def _roll_up(cube: list[dict], key: str | None, measures=BREAKDOWN_MEASURES) -> dict:
    """Sum the grouped rows along one dimension, or all of them when ``key`` is None
    (the groups, never the cases)."""
    totals: dict = {}
    for row in cube:
        target = totals.setdefault(row[key] if key else None, dict.fromkeys(measures, 0))
        for measure in measures:
            target[measure] += row[measure] or 0  # a sum over no answer is NULL
    return totals


def _headline(summary: Table, by_year: Table) -> dict:
    """The share of preventive requests over the period, and its change since last year,
    as shown in the tables (never a figure the tables hide)."""
    overall = summary.rows[3][1]
    trend = None
    if len(by_year.rows) >= 2:
        last, previous = by_year.rows[-1], by_year.rows[-2]
        shown_now, shown_before = last[4], previous[4]
        if shown_now.number is not None and shown_before.number is not None:
            points = shown_now.number - shown_before.number
            trend = {
                "year": int(last[0]),
                "previous_year": int(previous[0]),
                "points": points,
                "text": f"{points:+.0f} points".replace("-", "−"),
            }
    return {"share": overall, "trend": trend}


MILESTONE_LABELS = {6: "Suivi à 6 mois", 12: "Suivi à 12 mois"}


def _impact(main: dict, k, masked: bool, grid: Grid | None) -> Table:
    """What the mission changed: recommendations adopted, actions of the centre's own
    team, the situation at 6 and 12 months compared with the closure outcome, centres
    asking again within two years. Each result rests on the cases it is counted over."""
    impact = Table(
        "impact",
        "Impact de la mission",
        ["Indicateur", "Dossiers", "Résultat"],
        caption=(
            "Dossiers de la période. Suivis : situation décrite par le gestionnaire, "
            "comparée à l'issue de la clôture. Nouvelle demande : demande du même centre "
            "transmise dans les deux ans suivant la clôture (les clôtures récentes n'ont "
            "pas encore deux ans de recul)."
        ),
    )
    with_recommendations = k("with_recommendations")
    by_centre = k("by_centre")
    rows = [
        (
            "Préconisations du rapport adoptées par le centre (acceptées ou adaptées)",
            count(main["with_recommendations"], with_recommendations),
            share(main["adopted_sum"], main["proposed_sum"], [with_recommendations]),
        ),
        (
            "Actions réalisées par l'équipe du centre",
            count(main["by_centre"], by_centre),
            Cell(main["by_centre_sum"], main["by_centre"], count=True, keys=(by_centre,)),
        ),
    ]
    for milestone in FOLLOWUP_MILESTONES:
        answered = k(f"followup_{milestone}")
        label = MILESTONE_LABELS[milestone]
        for kind, words in (
            (KEPT, "situation maintenue ou améliorée depuis la clôture"),
            (WORSE, "situation dégradée depuis la clôture"),
        ):
            followed = main[f"followed_{milestone}"]
            rows.append(
                (
                    f"{label} : {words}",
                    count(followed, answered),
                    share(
                        main[f"followed_{milestone}_{kind}"],
                        followed,
                        [k(f"followup_{milestone}_{kind}"), answered],
                    ),
                )
            )
    rows.append(
        (
            "Dossiers clôturés dont le centre a fait une nouvelle demande dans les deux ans",
            count(main["closed"], k("closed")),
            share(main["asked_again_n"], main["closed"], [k("asked_again"), k("closed")]),
        )
    )
    impact.rows = [list(row) for row in rows]
    _finish(impact, masked, grid)
    return impact


def _finish(table: Table, masked: bool, grid: Grid | None) -> None:
    """Turn the table's figures into what is shown: for the evaluation body and the
    partners, « masqué » unless the published grid publishes every figure it rests on."""
    table.rows = [
        [cell.show(masked, grid) if isinstance(cell, Cell) else cell for cell in row]
        for row in table.rows
    ]
