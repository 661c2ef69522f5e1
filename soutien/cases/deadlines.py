"""When the current step of a case is due: the one definition.

A step's clock starts at a date of the case and runs for the step's target duration,
which depends on the case's situation (a crisis is shorter than a preventive request).
The lists (`selectors.with_deadline`), the evaluation (`overdue_q`) and the reminders
(`due_at`) all read `CLOCKS`.

The due date of the current step is also stored on the case (`Case.due_at`, indexed) so
that the case list orders and filters by a plain column: `store_due_at` sets it whenever
a case moves (`services._move`) or is created, `refresh_due_at` recomputes it in one
UPDATE when the target durations change (and after bulk writes: demo data, benches).
"""

import datetime as dt

from django.db.models import Case as When_
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value, When

from soutien.cases.enums import DEFAULT_SITUATION, Situation, Stage, Step

# Stage -> (the date its clock starts from, the step whose target duration applies).
CLOCKS: dict[str, tuple[str, str]] = {
    Stage.SUBMITTED: ("submitted_at", Step.REFERRAL),
    Stage.REFERRAL: ("submitted_at", Step.REFERRAL),
    Stage.DIAGNOSTIC: ("decided_at", Step.REPORT),
    Stage.REPORT_REVIEW: ("report_submitted_at", Step.VALIDATION),
    Stage.RESTITUTION: ("report_validated_at", Step.RESTITUTION),
}


def _situation_q(situation: str) -> Q:
    q = Q(situation=situation)
    if situation == DEFAULT_SITUATION:  # a case without a situation takes the default's
        q |= Q(situation="")
    return q


def deadline_expression(table: dict[str, dict[str, int]]):
    """`due_at` as a database expression (NULL when no clock runs at the stage).
    ``table``: TargetDuration.as_table()."""
    whens = []
    for stage, (field, step) in CLOCKS.items():
        for situation in Situation.values:
            days = table[situation][str(step)]
            whens.append(
                When(
                    Q(stage=stage) & _situation_q(situation),
                    then=ExpressionWrapper(
                        F(field) + dt.timedelta(days=days), output_field=DateTimeField()
                    ),
                )
            )
    return When_(*whens, default=Value(None, output_field=DateTimeField()))


def store_due_at(case, table: dict[str, dict[str, int]] | None = None) -> str:
    """Set ``case.due_at`` from its stage, situation and dates (no query at a stage
    without a clock) and return the field's name, for ``update_fields``."""
    if case.stage not in CLOCKS:
        case.due_at = None
    else:
        if table is None:
            from soutien.cases.models import TargetDuration  # cycle: the models import this module

            table = TargetDuration.as_table()
        case.due_at = due_at(case, table)
    return "due_at"


def refresh_due_at(queryset=None, table: dict[str, dict[str, int]] | None = None) -> int:
    """Recompute the stored due date of these cases (all by default) in one UPDATE;
    returns the number of cases updated."""
    from soutien.cases.models import Case, TargetDuration  # cycle: the models import this module

    queryset = Case.objects.all() if queryset is None else queryset
    table = TargetDuration.as_table() if table is None else table
    return queryset.update(due_at=deadline_expression(table))


def overdue_q(table: dict[str, dict[str, int]], now) -> Q:
    """Cases whose current step is past its due date, as plain column comparisons (each
    date is compared with a threshold computed once)."""
    late = Q(pk__in=[])
    for stage, (field, step) in CLOCKS.items():
        for situation in Situation.values:
            threshold = now - dt.timedelta(days=table[situation][str(step)])
            late |= Q(stage=stage) & _situation_q(situation) & Q(**{f"{field}__lt": threshold})
    return late


def past_due_q(now) -> Q:
    """Cases whose current step is past its stored due date (`Case.due_at`): the cases of
    `overdue_q`, read from one indexed column (the case list's « En retard », the
    coordination's « Dossiers en retard »)."""
    return Q(due_at__lt=now)


def due_at(case, table: dict[str, dict[str, int]]) -> dt.datetime | None:
    """The due date of the case's current step, computed from a loaded case."""
    clock = CLOCKS.get(case.stage)
    if clock is None:
        return None
    field, step = clock
    start = getattr(case, field)
    if start is None:
        return None
    situation = case.situation or DEFAULT_SITUATION
    return start + dt.timedelta(days=table[situation][str(step)])
