"""Meeting services: times checked, a planned meeting is in the future."""

import datetime as dt

import pytest
from django.utils import timezone

from soutien.cases.enums import Stage
from soutien.cases.services import CaseError
from soutien.meetings.services import meeting_plan, meeting_record
from tests.builders import case_at


def test_a_meeting_ends_after_it_starts_and_a_planned_one_is_in_the_future(reference):
    case, cast = case_at(Stage.REFERRAL)
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(CaseError) as excinfo:
        meeting_record(
            case=case,
            by=cast.coordinator,
            kind="referral",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
        )
    assert excinfo.value.field == "ends_at"
    with pytest.raises(CaseError) as excinfo:
        meeting_plan(
            case=case,
            by=cast.coordinator,
            kind="referral",
            starts_at=timezone.now() - dt.timedelta(days=1),
        )
    assert excinfo.value.field == "starts_at"
    assert not case.meetings.exists()
