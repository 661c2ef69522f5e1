"""The year and lead times the database stores on each case (generated columns).

The evaluation groups by these columns; they must follow the dates whenever they change,
whatever writes them (a service, ``save()``, ``update()``), and round as the indicators
expect: a lead time is rounded *up* to the tenth of a day, so "within N days" stays exact.
"""

import datetime as dt

import pytest

from soutien.cases.enums import Stage
from soutien.cases.models import Case
from tests.builders import case_at

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def stored(case, *columns):
    return Case.objects.filter(pk=case.pk).values_list(*columns).get()


def test_a_real_workflow_fills_the_year_and_the_referral_lead_time(reference):
    case, _cast = case_at(Stage.DIAGNOSTIC)
    case.refresh_from_db()
    year, referral, report = stored(case, "submitted_year", "referral_tenths", "report_tenths")
    assert year == case.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=1))).year
    elapsed = (case.decided_at - case.submitted_at).total_seconds() / 86400
    assert referral is not None and (referral - 1) / 10 < elapsed <= referral / 10
    assert report is None  # the diagnostic is not over: no lead time yet


@pytest.mark.parametrize(
    ("duration", "tenths"),
    [
        (dt.timedelta(days=30), 300),  # exactly 30 days stays within 30 days
        (dt.timedelta(days=30, seconds=1), 301),  # a second more is over
        (dt.timedelta(days=2, hours=12), 25),
        (dt.timedelta(0), 0),
    ],
)
def test_lead_times_are_rounded_up_to_the_tenth_of_a_day(reference, duration, tenths):
    case, _cast = case_at(Stage.SUBMITTED)
    start = dt.datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
    Case.objects.filter(pk=case.pk).update(submitted_at=start, decided_at=start + duration)
    assert stored(case, "referral_tenths") == (tenths,)


def test_columns_follow_the_dates_when_saved_or_cleared(reference):
    case, _cast = case_at(Stage.SUBMITTED)
    case.submitted_at = dt.datetime(2022, 5, 1, 8, 0, tzinfo=UTC)
    case.decided_at = dt.datetime(2022, 5, 11, 8, 0, tzinfo=UTC)
    case.save()
    assert stored(case, "submitted_year", "referral_tenths") == (2022, 100)
    case.decided_at = None
    case.save()
    assert stored(case, "referral_tenths") == (None,)


def test_the_year_is_the_one_of_marseille_not_utc(reference):
    case, _cast = case_at(Stage.SUBMITTED)
    # 31 December 2023 at 23:30 UTC is already 1 January 2024 in Marseille.
    Case.objects.filter(pk=case.pk).update(
        submitted_at=dt.datetime(2023, 12, 31, 23, 30, tzinfo=UTC)
    )
    assert stored(case, "submitted_year") == (2024,)
    Case.objects.filter(pk=case.pk).update(
        submitted_at=dt.datetime(2023, 12, 31, 22, 30, tzinfo=UTC)
    )
    assert stored(case, "submitted_year") == (2023,)


def test_every_step_has_its_column(reference):
    case, _cast = case_at(Stage.SUBMITTED)
    day = dt.datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
    Case.objects.filter(pk=case.pk).update(
        submitted_at=day,
        decided_at=day + dt.timedelta(days=1),
        first_report_at=day + dt.timedelta(days=3),
        report_submitted_at=day + dt.timedelta(days=4),
        report_validated_at=day + dt.timedelta(days=8),
        restitution_at=day + dt.timedelta(days=16),
    )
    assert stored(
        case, "referral_tenths", "report_tenths", "validation_tenths", "restitution_tenths"
    ) == (10, 20, 40, 80)
