"""The daily run: the command, and the task that the worker runs each morning and that
plans its own next run (django-tasks-db, `run_after`)."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from soutien.cases.enums import Stage
from soutien.cases.models import Case, Reminder
from soutien.cases.tasks import (
    daily_notifications,
    first_run_at,
    next_run_at,
    schedule_daily,
)
from tests.builders import case_at

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_next_run_is_at_seven_in_paris():
    before = dt.datetime(2026, 3, 10, 6, 30, tzinfo=PARIS)
    after = dt.datetime(2026, 3, 10, 7, 0, tzinfo=PARIS)
    assert next_run_at(before) == dt.datetime(2026, 3, 10, 7, 0, tzinfo=PARIS)
    assert next_run_at(after) == dt.datetime(2026, 3, 11, 7, 0, tzinfo=PARIS)
    # Across the change to summer time, still 7:00 on the clock.
    assert next_run_at(dt.datetime(2026, 3, 28, 8, 0, tzinfo=PARIS)) == dt.datetime(
        2026, 3, 29, 7, 0, tzinfo=PARIS
    )


def test_the_run_is_planned_once_and_plans_the_next(settings):
    settings.TASKS = DB_TASKS
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)
    # Started at noon: today's run is caught up at once.
    assert schedule_daily(now, catch_up=True) == now
    assert schedule_daily(now) is None  # already planned: nothing written
    [planned] = DBTaskResult.objects.filter(task_path=daily_notifications.module_path)
    assert planned.status == TaskResultStatus.READY
    assert planned.run_after == now
    # The worker runs it: once it is running, it plans the next one.
    planned.status = TaskResultStatus.RUNNING
    planned.save(update_fields=["status"])
    daily_notifications.call()
    ready = DBTaskResult.objects.filter(
        task_path=daily_notifications.module_path, status=TaskResultStatus.READY
    )
    assert ready.count() == 1


def test_a_chain_started_before_seven_waits_for_seven():
    early = dt.datetime(2026, 3, 10, 5, 30, tzinfo=PARIS)
    assert first_run_at(early) == dt.datetime(2026, 3, 10, 7, 0, tzinfo=PARIS)
    late = dt.datetime(2026, 3, 10, 9, 15, tzinfo=PARIS)
    assert first_run_at(late) == late


def test_with_the_immediate_backend_nothing_is_planned():
    assert schedule_daily() is None


def test_the_command_sends_todays_reminders_once(reference):
    case, _ = case_at(Stage.REFERRAL)
    # Due today: submitted 30 days ago.
    Case.objects.filter(pk=case.pk).update(
        submitted_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30)
    )
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    # The State's, the commune's and the Caf's opinions (the Caf's: the coordination), the
    # decision.
    assert out.getvalue().startswith("4 rappel(s), 0 alerte(s) à la coordination")
    assert Reminder.objects.filter(case=case, slot="due").count() == 4
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("0 rappel(s)")
