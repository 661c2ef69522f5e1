"""The published grid, stored, and the facts it was computed from.

Computing the grid (soutien.evaluation.grid.mask) reads every case: it is done once per
version of the facts, in the background, never while a page waits (but the very first
time). ``compute_grid`` copies the facts as they stand into ``PublishedFacts`` (one
``INSERT … SELECT`` in the database), masks that copy and stores the suppressed figures
with the facts' version and the moment (``PublishedGrid``), in one transaction: readers
see the old copy and its grid, or the new ones, never a mix.

Everyone who sees masked figures reads the copy with its grid (``published_source``): a
figure is masked by the grid of the very data it is counted from, so a change made since
(a new case in one commune, a case gone) can never be subtracted from a figure the grid
published before it. When the copy is not current (a case changed, a step fell due since),
the page says « Chiffres arrêtés le … à … » and a task (soutien.evaluation.tasks) computes
the new grid; with the immediate task backend (development, tests) it is done at once.

No page ever computes a grid: computing it reads every case (minutes for a hundred
thousand of them). If no grid was ever computed, the first reader asks the task worker for
one and sees every figure masked, with « Les chiffres publiés sont en préparation » (with
the immediate task backend of development and tests, the grid is there at once).
"""

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min, Q, Subquery

from soutien.cases.deadlines import CLOCKS
from soutien.cases.enums import DEFAULT_SITUATION, Situation
from soutien.cases.models import TargetDuration
from soutien.core import clock
from soutien.evaluation import groups, tasks
from soutien.evaluation.facts import refresh_dirty
from soutien.evaluation.grid import Grid, Key, _case_facts, mask
from soutien.evaluation.models import (
    CaseFacts,
    CaseFactsDomain,
    EvaluationState,
    PublishedFacts,
    PublishedFactsDomain,
    PublishedGrid,
)

# A new grid is asked of the task worker at most this often (one task at a time).
REQUEST_INTERVAL = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Source:
    """Where a page reads its facts: the live ones (coordination) or the copy of one
    published grid (``grid_id``)."""

    facts: type
    domains: type
    grid_id: int | None = None

    def all_facts(self):
        queryset = self.facts.objects.all()
        return queryset if self.grid_id is None else queryset.filter(grid_id=self.grid_id)

    def all_domains(self):
        queryset = self.domains.objects.all()
        return queryset if self.grid_id is None else queryset.filter(facts__grid_id=self.grid_id)


LIVE = Source(CaseFacts, CaseFactsDomain)


def published(grid_id: int) -> Source:
    return Source(PublishedFacts, PublishedFactsDomain, grid_id)


# How many grids (and their copies) are kept: the last one, and the one before for the
# pages still reading it while the last one was written.
KEPT_GRIDS = 2


def _copy_facts(grid_id: int) -> None:
    """Copy the facts and their fields as they stand into the grid's copy (two
    ``INSERT … SELECT`` in the database; table and column names from the models)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in CaseFacts._meta.concrete_fields)
    facts, copy = quote(CaseFacts._meta.db_table), quote(PublishedFacts._meta.db_table)
    domains = quote(CaseFactsDomain._meta.db_table)
    copy_domains = quote(PublishedFactsDomain._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {copy} (grid_id, {columns}) SELECT %s, {columns} FROM {facts}",  # noqa: S608
            [grid_id],
        )
        cursor.execute(
            f"INSERT INTO {copy_domains} (facts_id, domain_id) "  # noqa: S608
            f"SELECT p.id, d.domain_id FROM {domains} d "
            f"JOIN {copy} p ON p.case_id = d.facts_id AND p.grid_id = %s",
            [grid_id],
        )
        if connection.vendor == "postgresql":  # the planner's statistics of the new rows
            cursor.execute(f"ANALYZE {copy}, {copy_domains}")


def compute_grid(now=None) -> PublishedGrid:
    """Copy the facts as they stand, mask the copy and store the grid (one transaction;
    a second computation waits for the first, then finds its grid current)."""
    now = now or clock.now()
    refresh_dirty()
    with transaction.atomic():
        state, _ = EvaluationState.objects.get_or_create(pk=1)
        state = EvaluationState.objects.select_for_update().get(pk=state.pk)
        latest = PublishedGrid.objects.order_by("-pk").first()
        if latest is not None and _is_current(latest, state.facts_version, now):
            return latest
        table = TargetDuration.as_table()
        started = time.monotonic()
        stored = PublishedGrid.objects.create(
            facts_version=state.facts_version, token=uuid.uuid4().hex, as_of=now, suppressed=[]
        )
        _copy_facts(stored.pk)
        # The copy's groups, summed up here by the worker rather than by the first reader.
        groups.ensure_published(stored.pk, stored.token)
        source = published(stored.pk)
        suppressed = mask(_case_facts(now, source.all_facts(), source.all_domains()))
        stored.valid_after, stored.valid_until = due_window(source, now, table)
        stored.suppressed = sorted([list(figure) for figure in suppressed], key=repr)
        stored.computed_in_ms = int((time.monotonic() - started) * 1000)
        stored.save(update_fields=["valid_after", "valid_until", "suppressed", "computed_in_ms"])
        kept = PublishedGrid.objects.order_by("-pk").values_list("pk", flat=True)[:KEPT_GRIDS]
        PublishedGrid.objects.filter(pk__lt=min(kept)).delete()  # with their copies
        EvaluationState.objects.filter(pk=state.pk).update(grid_requested_at=None)
    return stored


def due_window(source: Source, as_of, table) -> tuple:
    """The last moment a step of the copy fell due before ``as_of``, and the next one
    after (one aggregate query, over the cases whose step has a clock): until then the
    figures « en retard » do not change, whatever the territory."""
    bounds = {}
    for stage, (_field, step) in CLOCKS.items():
        for situation in Situation.values:
            days = dt.timedelta(days=table[situation][str(step)])
            situation_q = Q(situation=situation)
            if situation == DEFAULT_SITUATION:
                situation_q |= Q(situation="")
            same = Q(stage=stage) & situation_q
            name = f"{stage}_{situation}"
            bounds[f"before_{name}"] = (
                Max("clock_start", filter=same & Q(clock_start__lt=as_of - days)),
                days,
            )
            bounds[f"after_{name}"] = (
                Min("clock_start", filter=same & Q(clock_start__gte=as_of - days)),
                days,
            )
    running = source.all_facts().filter(stage__in=list(CLOCKS))
    found = running.aggregate(**{name: agg for name, (agg, _) in bounds.items()})
    before = [found[n] + days for n, (_, days) in bounds.items() if n[0] == "b" and found[n]]
    after = [found[n] + days for n, (_, days) in bounds.items() if n[0] == "a" and found[n]]
    return (max(before) if before else None, min(after) if after else None)


def _is_current(stored: PublishedGrid, version: int, now) -> bool:
    """The grid of the facts as they stand at ``now``: same version, and no step fallen
    due between its moment and now (no query)."""
    if stored.facts_version != version:
        return False
    if stored.valid_after is not None and now <= stored.valid_after:
        return False
    return stored.valid_until is None or now <= stored.valid_until


def _latest():
    """The last grid, with the facts' current version (one query)."""
    version = EvaluationState.objects.filter(pk=1).values("facts_version")[:1]
    latest = PublishedGrid.objects.defer("suppressed").annotate(version_now=Subquery(version))
    return latest.order_by("-pk").first()


def _request(now) -> None:
    """Ask the task worker for a new grid, unless asked within REQUEST_INTERVAL."""

    EvaluationState.objects.get_or_create(pk=1)
    asked = EvaluationState.objects.filter(
        Q(grid_requested_at__isnull=True) | Q(grid_requested_at__lt=now - REQUEST_INTERVAL),
        pk=1,
    ).update(grid_requested_at=now)
    if asked:  # the task row is written with the request (django-tasks-db)
        tasks.schedule_grid(now)


def published_grid(now=None, table=None) -> Grid:  # noqa: ARG001 (callers pass their table)
    """The stored grid, and whether it is current. Never a figure without masking, never
    a grid computed while a page waits: before the first grid, nothing is published; a
    grid out of date is still the right one for its copy of the facts (what masked pages
    read), and a new one is asked for."""
    now = now or clock.now()
    refresh_dirty()
    stored = _latest()
    if stored is None:
        _request(now)
        stored = _latest()  # the immediate task backend has computed it already
        if stored is None:
            return Grid(frozenset(), current=False, ready=False)
        current = True
    else:
        current = _is_current(stored, stored.version_now or 0, now)
        if not current:
            _request(now)
            refreshed = _latest()  # the immediate task backend has computed it already
            if refreshed.pk != stored.pk:
                stored, current = refreshed, True
    return Grid(
        _suppressed(stored),
        as_of=stored.as_of,
        current=current,
        token=stored.token,
        grid_id=stored.pk,
    )


# The suppressed figures of the last grids read by this process, by token (a token names
# one grid for ever: nothing stale can be read).
_SUPPRESSED: dict[str, frozenset] = {}


def _suppressed(stored: PublishedGrid) -> frozenset:
    """The grid's suppressed figures, read (and parsed) once per process and grid."""
    found = _SUPPRESSED.get(stored.token) if stored.token else None
    if found is None:
        found = frozenset(Key(*figure) for figure in stored.suppressed)  # loaded if deferred
        if stored.token:
            if len(_SUPPRESSED) >= 4:
                _SUPPRESSED.clear()
            _SUPPRESSED[stored.token] = found
    return found
