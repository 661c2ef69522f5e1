"""The published grid, computed in the background by the task worker (db_worker).

After a commit that changed a case (soutien.evaluation.facts.after_commit), or when a
reader finds the stored grid out of date (soutien.evaluation.publication), this task is
enqueued: it copies the facts and computes their grid, so that the next reader finds it
current. A task finding the grid already current does nothing.
"""

import datetime as dt
import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def refresh_published_grid(as_of: str | None = None) -> dict:
    """The grid of the facts as they stand, then the department's figures of every
    period, exact and masked, put in the cache (the page most often opened)."""
    # cycle: facts and publication import this module to schedule the task
    from soutien.evaluation.indicators import compute
    from soutien.evaluation.publication import compute_grid

    stored = compute_grid(dt.datetime.fromisoformat(as_of) if as_of else None)
    for masked in (False, True):
        compute(masked=masked)
    return {"version": stored.facts_version, "computed_in_ms": stored.computed_in_ms}


def schedule_grid(now=None) -> None:
    """Enqueue the task; a task backend that fails does not break the change (the next
    reader asks again)."""
    try:
        refresh_published_grid.enqueue(now.isoformat() if now else None)
    except Exception:
        logger.exception("The published grid could not be scheduled")
