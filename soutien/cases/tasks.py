"""The daily run of reminders and digests, as a task of the task worker (db_worker).

`daily_notifications` runs the reminders (soutien.cases.reminders) then the digests
(soutien.cases.digest), and schedules its own next run, the next day at
``SOUTIEN_DAILY_RUN_HOUR`` (7:00, site time zone) with `run_after`. `schedule_daily`
starts the chain: `manage.py send_reminders --schedule`, run by `make run` and
`make serve` before the worker starts: it plans today's run at once if 7:00 has passed
(nothing is sent twice in a day), and writes nothing when a run is already planned.
Both runs are idempotent by date: a chain started twice, or a run caught up after the
worker was stopped, sends nothing twice (unique Reminder and NotificationDigest rows).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from soutien.cases.digest import send_digests
from soutien.cases.reminders import run_reminders
from soutien.core import clock

logger = logging.getLogger(__name__)


def next_run_at(now=None) -> dt.datetime:
    """The next daily run: today at the run hour if still to come, else tomorrow."""
    now = timezone.localtime(now or clock.now())
    hour = settings.SOUTIEN_DAILY_RUN_HOUR
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= now:
        at = timezone.make_aware(
            dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(hour))
        )
    return at


def first_run_at(now=None) -> dt.datetime:
    """When a chain started now runs first: at once if today's run hour has passed (the
    day's reminders are then caught up, once), else at the run hour today."""
    now = timezone.localtime(now or clock.now())
    hour = settings.SOUTIEN_DAILY_RUN_HOUR
    return max(now.replace(hour=hour, minute=0, second=0, microsecond=0), now)


def run_daily(now=None) -> dict:
    """Reminders then digests, now (the command and the task)."""

    result = run_reminders(now=now)
    digests = send_digests(now=now)
    done = {
        "day": result.day.isoformat(),
        "reminders": result.reminders,
        "escalations": result.escalations,
        "emails": result.emails,
        "digests": digests,
    }
    # Daily jobs of higher packages (named in the settings, so that cases imports none of
    # them): the self-check's yearly invitation.
    for path in settings.SOUTIEN_DAILY_JOBS:
        done[path.rsplit(".", 1)[-1]] = import_string(path)(now=now)
    return done


def _planned() -> bool:
    """A run of the daily task is already waiting (now or later) in the database backend
    (the running one, which plans the next, does not count)."""

    return DBTaskResult.objects.filter(
        task_path=daily_notifications.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_daily(now=None, *, catch_up: bool = False) -> dt.datetime | None:
    """Plan the next daily run unless one is planned (needs a backend that can defer:
    django-tasks-db). ``catch_up`` (starting the chain): today's run if not done yet.
    Returns its time, or None when nothing was written."""
    if not daily_notifications.get_backend().supports_defer:
        return None
    with transaction.atomic():
        if _planned():
            return None
        at = first_run_at(now) if catch_up else next_run_at(now)
        daily_notifications.using(run_after=at).enqueue()
    return at


@task
def daily_notifications() -> dict:
    """Today's reminders and digests, then the next run planned for tomorrow."""
    try:
        return run_daily()
    finally:
        schedule_daily()
