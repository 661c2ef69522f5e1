"""Two people posting the same transition at the same moment: one state change.

On PostgreSQL (run by CI) the posts really race in two threads, each with its own
connection, and the row lock (select_for_update) serialises them. SQLite's
in-memory test database is a single shared connection, so there the two posts run
one after the other through the same code path.
"""

import threading

import pytest
from django.db import connection

from soutien.cases import services
from soutien.cases.enums import Stage
from soutien.cases.models import Case, CaseEvent, Opinion
from tests.builders import case_at

pytestmark = pytest.mark.django_db(transaction=True)


def race(func, times=2):
    """Run func() in `times` threads started together; return results or exceptions."""
    if connection.vendor == "sqlite":
        outcomes = []
        for _ in range(times):
            try:
                outcomes.append(func())
            except Exception as exc:  # collected for the assertions
                outcomes.append(exc)
        return outcomes
    barrier = threading.Barrier(times)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(func())
        except Exception as exc:  # collected for the assertions
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_opening_the_referral_twice_at_once_opens_it_once(reference):
    case, cast = case_at(Stage.SUBMITTED)
    outcomes = race(
        lambda: services.case_open_referral(case=Case.objects.get(pk=case.pk), by=cast.coordinator)
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) == 2
    assert len(errors) == 1 and isinstance(errors[0], services.AlreadyDone)
    assert CaseEvent.objects.filter(case=case, kind="open_referral").count() == 1
    assert Opinion.objects.filter(case=case).count() == 5
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_validating_the_report_twice_at_once_validates_once(reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    outcomes = race(
        lambda: services.report_validate(case=Case.objects.get(pk=case.pk), by=cast.board_member)
    )
    assert sum(isinstance(o, services.AlreadyDone) for o in outcomes) == 1
    assert CaseEvent.objects.filter(case=case, kind="validate_report").count() == 1
    assert case.report_versions.filter(status="validated").count() == 1
