"""Database expressions for the evaluation, native on both SQLite and PostgreSQL.

Django's portable datetime arithmetic (``F(end) - F(start)``, ``ExtractYear`` with a time
zone) runs a Python function for every row on SQLite (``django_timestamp_diff``,
``django_datetime_extract``): about 10 µs a row, so seconds on 100,000 cases. These
expressions use each database's own functions instead (``julianday``/``strftime`` on
SQLite, interval arithmetic and ``AT TIME ZONE`` on PostgreSQL), and are deterministic
(immutable on PostgreSQL): the case model stores them as generated columns, computed by
the database when the dates are written rather than at each reading.
"""

import datetime as dt

from django.db.models import F, Func, IntegerField
from django.utils import timezone

from soutien.core import clock


def _days_sql(expression, compiler, connection):
    """SQL for the days from the expression's first source (start) to its second (end)."""
    start, end = expression.get_source_expressions()
    start_sql, start_params = compiler.compile(start)
    end_sql, end_params = compiler.compile(end)
    if connection.vendor == "sqlite":
        sql = f"(julianday({end_sql}) - julianday({start_sql}))"
    else:
        seconds = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))"
        sql = f"CAST({seconds} / 86400.0 AS double precision)"
    return sql, (*start_params, *end_params)


class DurationBucket(Func):
    """The duration from ``start`` to ``end`` in ``1 / per_day`` days, rounded *up*
    (so that a bucket at or under N days holds only durations of at most N days)."""

    output_field = IntegerField()
    # Exactly N days computed in floating point may come out a hair over N.
    EPSILON = 1e-6

    def __init__(self, start: str, end: str, *, per_day: int):
        super().__init__(F(start), F(end))
        self.per_day = per_day

    def as_sql(self, compiler, connection, **extra_context):
        days_sql, params = _days_sql(self, compiler, connection)
        scaled = f"({days_sql} * {int(self.per_day)})"
        if connection.vendor == "sqlite":
            # No CEIL in every SQLite build: ROUND(x + 0.5 - ε) is the ceiling of x (and
            # computes the duration once).
            return f"CAST(ROUND({scaled} + {0.5 - self.EPSILON}) AS INTEGER)", params
        return f"CAST(CEIL({scaled} - {self.EPSILON}) AS INTEGER)", params


class LocalYear(Func):
    """The year of a datetime in the site's time zone (Europe/Paris)."""

    output_field = IntegerField()

    def __init__(self, field: str):
        super().__init__(F(field))

    def as_sql(self, compiler, connection, **extra_context):
        (field,) = self.get_source_expressions()
        field_sql, params = compiler.compile(field)
        zone = timezone.get_current_timezone()
        if connection.vendor == "sqlite":
            # Dates are stored in UTC; a year changes on 1 January, so the zone's offset on
            # that day is the one that matters (no daylight saving time in January).
            offset = dt.datetime(clock.now().year, 1, 1, tzinfo=zone).utcoffset()
            seconds = int(offset.total_seconds())
            sql = f"CAST(strftime(%s, {field_sql}, %s) AS INTEGER)"
            return sql, ("%Y", *params, f"{seconds:+d} seconds")
        sql = f"CAST(EXTRACT(YEAR FROM {field_sql} AT TIME ZONE %s) AS INTEGER)"
        return sql, (*params, str(zone))
