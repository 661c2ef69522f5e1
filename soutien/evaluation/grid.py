"""The published grid: every figure a non-coordinator may see, masked once for all of them.

Whatever a non-coordinator asks for (a page, a CSV, an XLSX, the PDF report, the map, with
any filter), each figure shown is read from one grid of figures fixed in advance, and it
is shown only if the grid publishes it. The grid is masked once, over all of its figures
at the same time, so that no combination of figures — differences of periods, a filter
against the total, sums of rows — gives back a group of 1 or 2 cases. The method (what is
published, what is suppressed and why) is written out in docs/masquage.md.

A figure of the grid is a set of cases, named by a key (period, commune, manager, measure):

* period: ``None`` (every year) or a year of submission (whole years only);
* commune: ``None`` (the whole department) or a municipality (its arrondissements in it);
* manager: ``None`` (every centre), ``"association"`` or ``"federation"`` (the kind of
  manager), or the id of one federation;
* measure: what the cases have in common (requests, preventive ones, those started from a
  self-check, decisions, closure
  outcomes, completed steps, answers to the questionnaire, fields of expertise, the
  impact: plans drawn from recommendations, actions of the centre's team, follow-up
  answers kept or worse since closure, centres asking again…); the
  figures « à ce jour » (cases in progress, overdue, in support) have no period.

Masking, once over the whole grid (the method and its limits: docs/masquage.md):

1. primary: a figure of 1 or 2 cases is not published;
2. differences: a published figure lying within another published one (a year within
   every year, a commune within the department, the preventive requests within all of
   them, the decisions within the requests…) must not leave out 1 or 2 cases;
3. sums of rows: where children split a published parent (the years of a total, the
   communes, the kinds of manager, the federations, preventive and crisis requests,
   decisions and withdrawals, the closure outcomes, the follow-up answers kept or worse
   since closure), what the published children leave over must be 0 or at least 3
   cases; a single masked child would be the parent minus the others, so a second one is
   masked; and since a masked child holds at least one case (a zero is shown), the
   masked children must hold more cases than there are of them;
4. differences of differences: the groups an adversary computes by steps 2 and 3 (the
   difference of two published figures, what the published rows of a split leave over)
   must not lie within one another, or within a published figure, but for 1 or 2 cases
   (the 2 × 2 tables a commune and a measure make);
5. figures that count exactly the same cases are masked together.

Each step only ever suppresses figures (the more detailed, then the smaller first), so
repeating them until nothing changes ends; the order is fixed, so the same data always
give the same grid (two servers, or two days without change, show the same cells). Rates,
medians and averages are shown only when every count they rest on is published.

The cases are read from the evaluation's facts (soutien.evaluation.models); the grid is
computed once per version of the facts, on a copy of them, and stored with that copy
(soutien.evaluation.publication): masked pages read the copy with its grid.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import BooleanField, Q, Value, When
from django.db.models import Case as When_

from soutien.cases.enums import (
    DEFAULT_SITUATION,
    FINAL_STAGES,
    PROVIDER_STAGES,
    ClosureOutcome,
    Situation,
    Stage,
)
from soutien.cases.models import LEAD_TIMES, TENTHS_PER_DAY, TargetDuration
from soutien.evaluation.facts import (
    ASSOCIATION,
    FEDERATION,
    KEPT,
    WORSE,
    evolution,
    overdue_facts_q,
)
from soutien.evaluation.models import CaseFacts as LiveFacts
from soutien.evaluation.models import CaseFactsDomain as LiveFactsDomain
from soutien.evaluation.policies import SMALL_NUMBER_THRESHOLD

# A key that names no figure of the grid (a free period, several communes at once): what
# it would show is never published.
OFF_GRID = "hors-grille"
# A key for a set that is empty by construction (association-run centres of a federation).
EMPTY = None

ACTIVE_STAGES = [s for s in Stage if s not in FINAL_STAGES and s != Stage.DRAFT]

# Measures with no period: they describe the present (« à ce jour »).
PRESENT_MEASURES = ("in_progress", "overdue", "support")
OUTCOME_MEASURES = tuple(f"outcome_{outcome}" for outcome in ClosureOutcome)
STEP_MEASURES = tuple(
    f"{kind}_{step}" for step in LEAD_TIMES for kind in ("done", "within")
)  # a completed step; completed within its target duration
# The follow-up milestones (months after closure) the impact counts.
FOLLOWUP_MILESTONES = (6, 12)


class Key(NamedTuple):
    period: object  # None | int (year) | OFF_GRID
    commune: object  # None | int (municipality id) | OFF_GRID
    manager: object  # None | "association" | "federation" | int (federation id) | OFF_GRID
    measure: str


def key(measure: str, period=None, commune=None, manager=None) -> Key:
    return Key(period, commune, manager, measure)


def is_on_grid(figure: Key) -> bool:
    """A key the grid has a figure for (it may hold no case)."""
    if OFF_GRID in (figure.period, figure.commune, figure.manager):
        return False
    if figure.measure in PRESENT_MEASURES and figure.period is not None:
        return False
    return True


@dataclass(frozen=True)
class CaseFacts:
    """What the grid needs of one case (no name, no text)."""

    pk: int
    year: int
    municipality: int
    manager: int
    manager_kind: str
    measures: frozenset[str]


def _case_facts(now, facts=None, domains=None) -> list[CaseFacts]:
    """Every case sent to the Caf in the department, read from the evaluation's facts
    (``facts``, ``domains``: querysets of the live facts, the default, or of a published
    copy; three queries: targets, facts, fields)."""
    facts = LiveFacts.objects.all() if facts is None else facts
    domains = LiveFactsDomain.objects.all() if domains is None else domains
    table = TargetDuration.as_table()  # both situations (the overdue rule); one query
    targets = table[DEFAULT_SITUATION]
    within = {
        f"within_{step}": When_(
            When(
                Q(**{f"{column}__lte": targets[str(step)] * TENTHS_PER_DAY}),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
        for step, (column, *_) in LEAD_TIMES.items()
    }
    rows = (
        facts.annotate(
            is_overdue=When_(
                When(overdue_facts_q(table, now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            **within,
        )
        .values(
            "case_id",
            "submitted_year",
            "municipality_id",
            "manager_id",
            "manager_kind",
            "situation",
            "from_selfcheck",
            "stage",
            "closure_outcome",
            "is_overdue",
            "answered",
            "recommend",
            "recommendations_proposed",
            "actions_by_centre",
            "asked_again",
            *(f"followup_{milestone}" for milestone in FOLLOWUP_MILESTONES),
            *within,
            *(column for column, *_ in LEAD_TIMES.values()),
        )
        .order_by("case_id")
    )
    fields = defaultdict(set)
    for case_id, domain_id in domains.values_list("facts__case_id", "domain_id"):
        fields[case_id].add(domain_id)
    found = []
    for row in rows:
        measures = {"total"}
        if row["situation"] == Situation.PREVENTIVE:
            measures.add("preventive")
        elif row["situation"] == Situation.CRISIS:
            measures.add("crisis")
        if row["from_selfcheck"]:
            measures.add("from_selfcheck")
            if row["situation"] == Situation.PREVENTIVE:
                measures.add("preventive_from_selfcheck")
        stage = row["stage"]
        if stage in PROVIDER_STAGES:
            measures |= {"decided", "validated"}
        if stage == Stage.REFUSED:
            measures.add("decided")
        if stage == Stage.CLOSED_WITHOUT_FOLLOW_UP:
            measures.add("without_follow_up")
        if stage == Stage.CLOSED:
            measures.add("closed")
            if row["closure_outcome"]:
                measures.add(f"outcome_{row['closure_outcome']}")
        for step, (column, *_) in LEAD_TIMES.items():
            if row[column] is not None:
                measures.add(f"done_{step}")
                if row[f"within_{step}"]:
                    measures.add(f"within_{step}")
        if row["answered"]:
            measures.add("answered")
            if row["recommend"]:
                measures.add("recommend")
        measures |= {f"domain_{domain}" for domain in fields.get(row["case_id"], ())}
        # The impact: cases whose plan drew on the report's recommendations, whose
        # centre's team completed an action; closed cases followed up at 6 and 12 months
        # (kept or improved, or worse, since closure), whose centre asked again.
        if row["recommendations_proposed"]:
            measures.add("with_recommendations")
        if row["actions_by_centre"]:
            measures.add("by_centre")
        if stage == Stage.CLOSED:
            for milestone in FOLLOWUP_MILESTONES:
                answer = row[f"followup_{milestone}"]
                if answer:
                    measures.add(f"followup_{milestone}")
                    compared = evolution(row["closure_outcome"], answer)
                    if compared:
                        measures.add(f"followup_{milestone}_{compared}")
            if row["asked_again"]:
                measures.add("asked_again")
        if stage in ACTIVE_STAGES:
            measures.add("in_progress")
        if row["is_overdue"]:
            measures.add("overdue")
        if stage == Stage.SUPPORT:
            measures.add("support")
        found.append(
            CaseFacts(
                pk=row["case_id"],
                year=row["submitted_year"],
                municipality=row["municipality_id"],
                manager=row["manager_id"],
                manager_kind=row["manager_kind"],
                measures=frozenset(measures),
            )
        )
    return found


def figures_of(case: CaseFacts) -> list[Key]:
    """Every figure of the grid this case counts in."""
    managers = [None, case.manager_kind]
    if case.manager_kind == FEDERATION:
        managers.append(case.manager)
    keys = []
    for measure in sorted(case.measures):
        periods = [None] if measure in PRESENT_MEASURES else [None, case.year]
        for period in periods:
            for commune in (None, case.municipality):
                for manager in managers:
                    keys.append(Key(period, commune, manager, measure))
    return keys


def index_figures(cases: list[CaseFacts]) -> tuple[list[list[Key]], dict[Key, list[int]]]:
    """The figures of each case, and the cases (their positions) in each figure."""
    case_figures = [figures_of(case) for case in cases]
    members: dict[Key, list[int]] = defaultdict(list)
    for position, figures in enumerate(case_figures):
        for figure in figures:
            members[figure].append(position)
    return case_figures, members


# Measures that split another one (same period, commune and manager): the children are
# disjoint and lie within the parent (what is left over is a group too: requests awaiting
# a decision, decisions that were refusals…).
MEASURE_SPLITS = [
    ("total", ("preventive", "crisis")),
    ("total", ("decided", "without_follow_up")),
    ("closed", OUTCOME_MEASURES),
    *(
        (f"followup_{milestone}", (f"followup_{milestone}_{KEPT}", f"followup_{milestone}_{WORSE}"))
        for milestone in FOLLOWUP_MILESTONES
    ),
]
# Splits whose children always add up to the parent: a single masked child would be the
# parent minus the others. (Counted as exact where a remainder is merely unusual — a
# request with no situation, a closed case with no outcome —, which can only hide more.)
INEXACT_SPLITS = {"decided"}


def partitions_of(figure: Key) -> list[tuple[Key, str]]:
    """The splits this figure is a child of: (parent, name of the split)."""
    parents = []
    if figure.period is not None:
        parents.append((Key(None, figure.commune, figure.manager, figure.measure), "period"))
    if figure.commune is not None:
        parents.append((Key(figure.period, None, figure.manager, figure.measure), "commune"))
    if figure.manager in (ASSOCIATION, FEDERATION):
        parents.append((Key(figure.period, figure.commune, None, figure.measure), "manager"))
    elif figure.manager is not None:  # one federation among the federations
        parents.append(
            (Key(figure.period, figure.commune, FEDERATION, figure.measure), "federation")
        )
    for parent, children in MEASURE_SPLITS:
        if figure.measure in children:
            parents.append(
                (Key(figure.period, figure.commune, figure.manager, parent), children[0])
            )
    return parents


def _importance(figure: Key, count: int) -> tuple:
    """Which of two figures to suppress: the more detailed one (fewer open dimensions),
    then the smaller, then a fixed order."""
    open_dimensions = [figure.period, figure.commune, figure.manager].count(None)
    return (open_dimensions, figure.measure == "total", count, repr(figure))


def mask(cases: list[CaseFacts], index=None) -> set[Key]:
    """The figures of the grid that are not published (the method: docs/masquage.md).
    ``index``: ``index_figures(cases)``, when already computed."""
    threshold = SMALL_NUMBER_THRESHOLD
    case_figures, members = index if index is not None else index_figures(cases)
    keys = sorted(members, key=repr)  # a fixed order, whatever the process
    counts = {figure: len(members[figure]) for figure in keys}
    sets = {figure: frozenset(members[figure]) for figure in keys}
    # 1. Primary suppression: a figure of 1 or 2 cases.
    suppressed = {figure for figure in keys if counts[figure] < threshold}

    children: dict[tuple[Key, str], list[Key]] = defaultdict(list)
    for figure in keys:
        for parent, split in partitions_of(figure):
            children[(parent, split)].append(figure)
    splits = sorted(children.items(), key=repr)

    def least_important(figures) -> Key:
        return min(figures, key=lambda f: _importance(f, counts[f]))

    # Figures that count exactly the same cases (the association-run centres of a commune
    # that has no other) are one figure: masked together, or the twin would tell.
    twins: dict[frozenset, list[Key]] = defaultdict(list)
    for figure in keys:
        twins[sets[figure]].append(figure)

    def hide(figure: Key) -> None:
        suppressed.update(twins[sets[figure]])

    changed = True
    while changed:
        changed = False
        # 2. Differences: a published figure within another one must not leave 1 or 2
        # cases out (80 requests, 79 of them preventive: the crisis one stands out).
        for small in keys:
            if small in suppressed:
                continue
            first = members[small][0]
            for large in case_figures[first]:
                if large in suppressed or large == small:
                    continue
                left_out = counts[large] - counts[small]
                if 0 < left_out < threshold and sets[small] <= sets[large]:
                    hide(least_important([small, large]))
                    changed = True
                    break
        # 3. Sums of rows: where children split a published parent, what the published
        # children leave over (the masked children, and what no child holds) must be 0
        # or at least 3 cases; and since each masked child holds at least one case (a
        # zero is shown), more cases than there are masked children.
        for (parent, split), kids in splits:
            if parent in suppressed or parent not in counts:
                continue
            hidden = [kid for kid in kids if kid in suppressed]
            shown = [kid for kid in kids if kid not in suppressed]
            left_over = counts[parent] - sum(counts[kid] for kid in shown)
            if split not in INEXACT_SPLITS and len(hidden) == 1:
                pass  # the one masked child is the parent minus the others
            elif left_over == 0 or (left_over >= threshold and left_over > len(hidden)):
                continue
            hide(least_important(shown) if shown else parent)
            changed = True
        # 4. Differences of what steps 2 and 3 leave an adversary to compute: a
        # difference of two published figures, or what the published rows of a split
        # leave over, is itself a group of cases; none may lie within another one (or
        # within a published figure) leaving out 1 or 2 cases.
        if not changed:
            changed = _second_order(keys, counts, sets, suppressed, splits, least_important, hide)
    return suppressed


def _lowest(bits: int, n: int) -> list[int]:
    """The first ``n`` cases of a group written as bits."""
    found = []
    while bits and len(found) < n:
        low = bits & -bits
        found.append(low.bit_length() - 1)
        bits ^= low
    return found


def _second_order(keys, counts, sets, suppressed, splits, least_important, hide) -> bool:
    """Step 4 of ``mask``: suppress, for each group of 1 or 2 cases that differences of
    derived groups give away, the least important published figure it comes from.

    Groups are written as integers, one bit per case (set operations on whole words)."""
    threshold = SMALL_NUMBER_THRESHOLD
    published = [figure for figure in keys if figure not in suppressed]
    bits = {figure: sum(1 << position for position in sets[figure]) for figure in published}
    derived: dict[int, tuple[Key, ...]] = {}  # a group → the figures it comes from
    for figure in published:
        derived.setdefault(bits[figure], (figure,))
    containing = defaultdict(list)
    for figure in published:
        for position in sets[figure]:
            containing[position].append(figure)
    for small in published:
        small_bits = bits[small]
        for large in containing[min(sets[small])]:
            if counts[large] > counts[small] and not small_bits & ~bits[large]:
                derived.setdefault(bits[large] & ~small_bits, (large, small))
    for (parent, _split), kids in splits:
        if parent in suppressed or parent not in counts:
            continue
        shown = [kid for kid in kids if kid not in suppressed]
        if shown and len(shown) < len(kids):
            rest = sum(1 << position for position in sets[parent])
            for kid in shown:
                rest &= ~bits[kid]
            if rest:
                derived.setdefault(rest, (parent, *shown))
    # A fixed order: by size, then by the cases themselves.
    groups = sorted(derived, key=lambda group: (group.bit_count(), group))
    # Only a group 1 or 2 cases larger can give one away. A group holding another one
    # but for at most 2 cases has the smaller one's first case among its own first 3: index
    # each group by its size and its first 3 cases.
    by_size: dict[tuple[int, int], list[int]] = defaultdict(list)
    for group in groups:
        size = group.bit_count()
        for position in _lowest(group, threshold):
            by_size[(size, position)].append(group)
    hit: set[Key] = set()
    for group in groups:
        size, first = group.bit_count(), _lowest(group, 1)[0]
        for extra in range(1, threshold):
            larger = next((g for g in by_size[(size + extra, first)] if not group & ~g), None)
            if larger is None:
                continue
            sources = [f for f in derived[group] + derived[larger] if f not in suppressed]
            if sources and not hit.intersection(sources):
                hide(least_important(sources))
                hit.update(sources)
            break
    return bool(hit)


class Grid:
    """The masked grid: what each key shows to a non-coordinator."""

    def __init__(
        self, suppressed: set[Key], as_of=None, current: bool = True, token="", grid_id=None
    ):
        self.suppressed = frozenset(suppressed)
        self.grid_id = grid_id  # the stored grid, whose copy of the facts masked pages read
        self.token = token  # names the grid and its copy of the facts (cache keys)
        self.as_of = as_of  # the moment of the facts it was computed from
        self.current = current  # computed from the facts as the cases stand

    def is_published(self, figure) -> bool:
        if figure is EMPTY:
            return True
        return is_on_grid(figure) and figure not in self.suppressed
