"""The case list puts late cases first, the latest of them at the top."""

import datetime as dt

import pytest
from django.utils import timezone

from soutien.cases.deadlines import refresh_due_at
from soutien.cases.enums import Stage
from soutien.cases.models import Case, TargetDuration
from soutien.cases.selectors import case_list
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db


def test_late_cases_come_first_the_latest_at_the_top(reference):
    cast = make_cast()
    target = TargetDuration.as_dict()["referral"]
    now = timezone.now()
    submitted = {
        "a bit late": now - dt.timedelta(days=target + 2),
        "very late": now - dt.timedelta(days=target + 40),
        "on time": now - dt.timedelta(days=1),
        "late": now - dt.timedelta(days=target + 10),
    }
    cases = {}
    for label, when in submitted.items():
        case, _ = case_at(Stage.SUBMITTED, cast)
        # The case on time moved last: it would lead a list sorted by activity only.
        Case.objects.filter(pk=case.pk).update(submitted_at=when, stage_changed_at=now)
        refresh_due_at(Case.objects.filter(pk=case.pk))  # dates set behind the services
        cases[case.pk] = label
    listed = [cases[pk] for pk in case_list(cast.coordinator).values_list("pk", flat=True)]
    assert listed == ["very late", "late", "a bit late", "on time"]
