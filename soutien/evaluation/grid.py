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

import functools
import hashlib
import itertools
import math
import operator
from array import array
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


# Groups of cases are named by a signature: their size, the sum, modulo the prime P, of a
# number drawn for each case (from its key), and the sums of the cases' positions and of
# their squares. The signature of a difference is the difference of the signatures. When
# a group lies within another one but for 1 or 2 cases, the differences of the sums of
# positions give those cases back (one position; or two, by a square root), and the drawn
# numbers confirm it: that is how containment is checked without holding any group as a
# set. Two different groups could only be taken for one another by a coincidence of
# 61-bit numbers; it would mask one figure more, never publish one.
LOOK = 6  # how many lowest cases, with its size, name a group when looking for others
P = (1 << 61) - 1  # a prime


def _draw(pk: int) -> int:
    """The number drawn for a case: fixed by its key, whatever the other cases."""
    digest = hashlib.blake2b(str(pk).encode(), digest_size=8, person=b"soutien-grid").digest()
    return int.from_bytes(digest) % P or 1


class _Index:
    """The figures of the grid over the cases, compactly: each figure is an integer
    (its position in a fixed order), its cases an array of positions (cases in the
    order of their drawn numbers, so that « the lowest cases » of a group are cases
    drawn at random), with its size and signature."""

    def __init__(self, cases: list[CaseFacts]):
        self.cases = sorted(cases, key=lambda case: (_draw(case.pk), case.pk))
        self.drawn = [_draw(case.pk) for case in self.cases]
        grouped: dict[Key, list[int]] = defaultdict(list)
        case_figures = []
        for position, case in enumerate(self.cases):
            figures = figures_of(case)
            case_figures.append(figures)
            for figure in figures:
                grouped[figure].append(position)
        self.keys = sorted(grouped, key=repr)  # a fixed order, whatever the process
        self.id_of = id_of = {figure: number for number, figure in enumerate(self.keys)}
        # The figures of each case, as numbers, in the order of figures_of.
        self.figures = [array("i", [id_of[f] for f in figures]) for figures in case_figures]
        del case_figures
        self.members = [array("i", grouped.pop(figure)) for figure in self.keys]
        self.counts = [len(members) for members in self.members]
        drawn = self.drawn
        self.sums = [
            (sum(drawn[p] for p in members) % P, sum(members), sum(p * p for p in members))
            for members in self.members
        ]
        # Measures every case of which has another one (a crisis request is a request,
        # an outcome a closure…): a figure of the first lies within the same figure of
        # the second, with no need to look at its cases.
        implied: dict[str, set[str]] = {}
        for case in self.cases:
            for measure in case.measures:
                found = implied.get(measure)
                implied[measure] = set(case.measures) if found is None else found & case.measures
        self.implied = implied

    def signature(self, number: int) -> tuple[int, int, int, int]:
        return (self.counts[number], *self.sums[number])

    def holds(self, position: int, figure: Key) -> bool:
        """Whether the case at this position counts in this figure."""
        case = self.cases[position]
        if figure.period is not None and case.year != figure.period:
            return False
        if figure.commune is not None and case.municipality != figure.commune:
            return False
        manager = figure.manager
        if manager is not None and manager != case.manager_kind:
            if case.manager_kind != FEDERATION or manager != case.manager:
                return False
        return figure.measure in case.measures

    def within(self, small: int, large: int) -> bool:
        """Whether every case of ``small`` counts in ``large``."""
        inner, outer = self.keys[small], self.keys[large]
        if (
            outer.period in (None, inner.period)
            and outer.commune in (None, inner.commune)
            and (
                outer.manager in (None, inner.manager)
                or (outer.manager == FEDERATION and inner.manager not in (None, ASSOCIATION))
            )
            and outer.measure in self.implied.get(inner.measure, ())
        ):
            return True
        holds = self.holds
        return all(holds(position, outer) for position in self.members[small])

    def lowest(self, number: int, excluded, n: int) -> tuple[int, ...]:
        """The ``n`` lowest cases of the figure for which ``excluded`` (a function of a
        case's position, or None) is false."""
        if excluded is None:
            return tuple(self.members[number][:n])
        found = []
        for position in self.members[number]:
            if not excluded(position):
                found.append(position)
                if len(found) == n:
                    break
        return tuple(found)

    def excluder(self, split: str | None, shown: list[Key]):
        """Whether a case of a figure counts in one of ``shown``: a figure within it
        (``split`` None) or the published children of one of its splits (which differ
        from it in one dimension only)."""
        cases, holds = self.cases, self.holds
        if split is None:
            (figure,) = shown
            return lambda position: holds(position, figure)
        if split == "period":
            years = {kid.period for kid in shown}
            return lambda position: cases[position].year in years
        if split == "commune":
            communes = {kid.commune for kid in shown}
            return lambda position: cases[position].municipality in communes
        if split == "manager":
            kinds = {kid.manager for kid in shown}
            return lambda position: cases[position].manager_kind in kinds
        if split == "federation":
            federations = {kid.manager for kid in shown}
            return lambda position: (
                cases[position].manager_kind == FEDERATION
                and cases[position].manager in federations
            )
        measures = {kid.measure for kid in shown}
        return lambda position: not measures.isdisjoint(cases[position].measures)

    def gives_away(self, inner: tuple, outer: tuple) -> bool:
        """Whether the group signed ``inner`` lies within the group signed ``outer`` but
        for 1 or 2 cases (their sizes differ by 1 or 2)."""
        extra = outer[0] - inner[0]
        drawn = (outer[1] - inner[1]) % P
        first, second = outer[2] - inner[2], outer[3] - inner[3]
        if extra == 1:
            return (
                0 <= first < len(self.drawn)
                and first * first == second
                and (self.drawn[first] == drawn)
            )
        if extra != 2:
            return False
        # x + y = first and x² + y² = second: x and y are (first ± r) / 2, r² = 2·second − first².
        square = 2 * second - first * first
        if square <= 0:
            return False
        root = math.isqrt(square)
        if root * root != square or (first + root) % 2:
            return False
        x, y = (first + root) // 2, (first - root) // 2
        return 0 <= y and x < len(self.drawn) and (self.drawn[x] + self.drawn[y]) % P == drawn


def index_figures(cases: list[CaseFacts]) -> tuple[list[list[Key]], dict[Key, list[int]]]:
    """The figures of each case, and the cases (their positions) in each figure (for
    tests and small sets: ``mask`` keeps them compactly)."""
    case_figures = [figures_of(case) for case in cases]
    members: dict[Key, list[int]] = defaultdict(list)
    for position, figures in enumerate(case_figures):
        for figure in figures:
            members[figure].append(position)
    return case_figures, members


def mask(cases: list[CaseFacts]) -> set[Key]:
    """The figures of the grid that are not published (the method: docs/masquage.md)."""
    threshold = SMALL_NUMBER_THRESHOLD
    index = _Index(cases)
    keys, counts = index.keys, index.counts
    # 1. Primary suppression: a figure of 1 or 2 cases.
    suppressed = {figure for figure, count in zip(keys, counts, strict=True) if count < threshold}

    count_of = dict(zip(keys, counts, strict=True))
    children: dict[tuple[Key, str], list[Key]] = defaultdict(list)
    for figure in keys:
        for parent, split in partitions_of(figure):
            children[(parent, split)].append(figure)
    splits = sorted(children.items(), key=repr)

    def least_important(figures) -> Key:
        return min(figures, key=lambda f: _importance(f, count_of[f]))

    # Figures that count exactly the same cases (the association-run centres of a commune
    # that has no other) are one figure: masked together, or the twin would tell.
    twins: dict[tuple, list[Key]] = defaultdict(list)
    for number, figure in enumerate(keys):
        twins[index.signature(number)].append(figure)

    def hide(figure: Key) -> None:
        suppressed.update(twins[index.signature(index.id_of[figure])])

    # The pairs a published figure within another one but for 1 or 2 cases would give
    # away (what the data hold, whatever is published): the larger ones of each figure,
    # in the order of the figures of its lowest case.
    near: dict[int, list[Key]] = {}
    for number, count in enumerate(counts):
        members, small = index.members[number], keys[number]
        found = []
        for other in index.figures[members[0]]:
            large = keys[other]
            extra = counts[other] - count
            if 0 < extra < threshold and index.gives_away(
                index.signature(number), index.signature(other)
            ):
                found.append(large)
        if found:
            near[number] = found

    second_order = _SecondOrder(index, splits)
    changed = True
    while changed:
        changed = False
        # 2. Differences: a published figure within another one must not leave 1 or 2
        # cases out (80 requests, 79 of them preventive: the crisis one stands out).
        for number, larger in near.items():
            small = keys[number]
            if small in suppressed:
                continue
            for large in larger:
                if large not in suppressed:
                    hide(least_important([small, large]))
                    changed = True
                    break
        # 3. Sums of rows: where children split a published parent, what the published
        # children leave over (the masked children, and what no child holds) must be 0
        # or at least 3 cases; and since each masked child holds at least one case (a
        # zero is shown), more cases than there are masked children.
        for (parent, split), kids in splits:
            if parent in suppressed or parent not in count_of:
                continue
            hidden = [kid for kid in kids if kid in suppressed]
            shown = [kid for kid in kids if kid not in suppressed]
            left_over = count_of[parent] - sum(count_of[kid] for kid in shown)
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
            changed = second_order(suppressed, least_important, hide)
    return suppressed


@functools.cache
def _picks(length: int, extra: int) -> list:
    """For a group's ``length`` lowest cases, the ways to pick the first ``LOOK`` of them
    once 0 to ``extra`` of them are left out (each a function of the tuple of cases)."""
    picks = []
    for left_out in range(extra + 1):
        for removed in itertools.combinations(range(length), left_out):
            kept = [i for i in range(length) if i not in removed][:LOOK]
            if len(kept) > 1:
                picks.append(operator.itemgetter(*kept))
            else:
                picks.append(lambda low, kept=tuple(kept): tuple(low[i] for i in kept))
    return picks


def _minus(outer: tuple, inner: tuple) -> tuple:
    """The signature of the cases of one group not in another one within it."""
    return (
        outer[0] - inner[0],
        (outer[1] - inner[1]) % P,
        outer[2] - inner[2],
        outer[3] - inner[3],
    )


class _SecondOrder:
    """Step 4 of ``mask``: suppress, for each group of 1 or 2 cases that differences of
    derived groups give away, the least important published figure it comes from.

    Each group is held by its signature and its lowest cases (a group within another one
    but for at most 2 cases has its own 6 lowest cases among the other's 8 lowest). Step
    4 runs again after each change; what the data alone decide is kept from one run to
    the next: which figures lie within which, each group's lowest cases, which groups
    lie within which (looked up again only for the groups new in a run)."""

    def __init__(self, index: _Index, splits):
        self.index, self.splits = index, splits
        self.nested = None  # (small, large): figures within another one, of more cases
        self.lows: dict[tuple, tuple] = {}
        self.relations: dict[tuple, list[tuple]] = defaultdict(list)  # larger → (smaller, extra)
        self.seen: set[tuple] = set()

    def _nested(self, published, suppressed) -> list[tuple[int, int]]:
        index, counts, keys = self.index, self.index.counts, self.index.keys
        pairs = []
        for small in published:
            count = counts[small]
            for large in index.figures[index.members[small][0]]:
                if keys[large] in suppressed or counts[large] <= count:
                    continue
                if index.within(small, large):
                    pairs.append((small, large))
        return pairs

    def _derived(self, suppressed) -> dict[tuple, tuple]:
        """Every group an adversary computes from the published figures → (the figure it
        is taken from, what is taken out of it: a split and its shown children, or a
        figure; the published figures it comes from). The first source found wins."""
        index = self.index
        keys, id_of = index.keys, index.id_of
        published = [number for number, figure in enumerate(keys) if figure not in suppressed]
        if self.nested is None:  # figures only ever get suppressed: computed once
            self.nested = self._nested(published, suppressed)
        derived: dict[tuple, tuple] = {}
        for number in published:
            derived.setdefault(index.signature(number), (number, None, (), (keys[number],)))
        for small, large in self.nested:
            small_key, large_key = keys[small], keys[large]
            if small_key in suppressed or large_key in suppressed:
                continue
            group = _minus(index.signature(large), index.signature(small))
            if group not in derived:
                derived[group] = (large, None, (small_key,), (large_key, small_key))
        for (parent, split), kids in self.splits:
            if parent in suppressed or parent not in id_of:
                continue
            shown = [kid for kid in kids if kid not in suppressed]
            if shown and len(shown) < len(kids):
                group = index.signature(id_of[parent])
                for kid in shown:
                    group = _minus(group, index.signature(id_of[kid]))
                if group[0] > 0 and group not in derived:
                    derived[group] = (id_of[parent], split, tuple(shown), (parent, *shown))
        return derived

    def __call__(self, suppressed, least_important, hide) -> bool:
        threshold = SMALL_NUMBER_THRESHOLD
        index, lows = self.index, self.lows
        derived = self._derived(suppressed)
        for group, (number, split, shown, _sources) in derived.items():
            if group not in lows:
                excluded = index.excluder(split, shown) if shown else None
                lows[group] = index.lowest(number, excluded, LOOK + threshold - 1)
        # The groups by their size and their 6 lowest cases (all of them, the new ones),
        # then by the figure they were taken from: two groups taken from one figure never
        # give each other away here (the figures taken out would, at step 2).
        every: dict[tuple, list] = defaultdict(list)
        new: dict[tuple, list] = defaultdict(list) if self.seen else every
        for group, (number, split, shown, _sources) in derived.items():
            entry = (number if shown and split is None else None, group)
            name = (group[0], lows[group][:LOOK])
            every[name].append(entry)
            if self.seen and group not in self.seen:
                new[name].append(entry)
        every_sizes = {size for size, _low in every}
        new_sizes = {size for size, _low in new}
        # The groups each group gives away (lies within but for 1 or 2 cases): a group 1
        # or 2 cases smaller has for its 6 lowest cases the first 6 of these 8, less 1 or
        # 2 of them. A group looked up before is looked up among the new groups only.
        for group, (number, split, shown, _sources) in derived.items():
            table, sizes = (new, new_sizes) if group in self.seen else (every, every_sizes)
            low, own = lows[group], (number if shown and split is None else None)
            for extra in range(1, threshold):
                if group[0] - extra not in sizes:
                    continue
                for rest in {pick(low) for pick in _picks(len(low), extra)}:
                    for taken_from, smaller in table.get((group[0] - extra, rest), ()):
                        if taken_from is not None and taken_from == own:
                            continue
                        if index.gives_away(smaller, group):
                            self.relations[group].append((smaller, extra))
        self.seen.update(derived)
        within: dict[tuple, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
        for larger, found in self.relations.items():
            if larger in derived:
                for smaller, extra in found:
                    if smaller in derived:
                        within[smaller][extra].append(larger)
        # A fixed order: by size, then by the cases themselves.
        order = {group: (group[0], lows[group], group[1:]) for group in derived}
        hit: set[Key] = set()
        for group in sorted(within, key=order.__getitem__):
            for extra in range(1, threshold):
                found = within[group].get(extra)
                if not found:
                    continue
                larger = min(found, key=order.__getitem__)
                sources = [f for f in derived[group][3] + derived[larger][3] if f not in suppressed]
                if sources and not hit.intersection(sources):
                    hide(least_important(sources))
                    hit.update(sources)
                break
        return bool(hit)


class Grid:
    """The masked grid: what each key shows to a non-coordinator."""

    def __init__(
        self,
        suppressed: set[Key],
        as_of=None,
        current: bool = True,
        token="",
        grid_id=None,
        ready: bool = True,
    ):
        self.ready = ready  # False before the first grid is computed: nothing is published
        self.suppressed = frozenset(suppressed)
        self.grid_id = grid_id  # the stored grid, whose copy of the facts masked pages read
        self.token = token  # names the grid and its copy of the facts (cache keys)
        self.as_of = as_of  # the moment of the facts it was computed from
        self.current = current  # computed from the facts as the cases stand

    def is_published(self, figure) -> bool:
        if figure is EMPTY:
            return True
        return self.ready and is_on_grid(figure) and figure not in self.suppressed
