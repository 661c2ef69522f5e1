"""The published grid, computed in the background by the task worker (db_worker).

After a commit that changed a case (soutien.evaluation.facts.mark_dirty), the facts are
refreshed and this task is enqueued: it computes the grid of the new facts, so that the
next reader finds it current. Several changes enqueue several tasks: each one first
checks whether the stored grid is current and then does nothing.
"""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def refresh_published_grid() -> dict:
    from soutien.evaluation.grid import refresh_grid

    stored = refresh_grid()
    return {"version": stored.facts_version, "computed_in_ms": stored.computed_in_ms}


def schedule_grid() -> None:
    """Enqueue the task; a task backend that fails does not break the change."""
    try:
        refresh_published_grid.enqueue()
    except Exception:  # the next reader computes it anyway
        logger.exception("The published grid could not be scheduled")
