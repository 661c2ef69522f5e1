"""The platform's one clock: `frozen_at` sets what the services call « now »."""

import datetime as dt

import pytest
from django.utils import timezone

from soutien.audit.models import AuditEntry
from soutien.cases import services
from soutien.cases.enums import OpinionValue, Stage
from soutien.cases.models import Case, CaseEvent
from soutien.core import clock
from tests.builders import case_at, fill_form, make_cast

MAY = dt.datetime(2023, 5, 4, 8, 30, tzinfo=dt.UTC)
JUNE = dt.datetime(2023, 6, 12, 14, 0, tzinfo=dt.UTC)


def test_frozen_at_nests_and_resets():
    before = clock.now()
    with clock.frozen_at(MAY):
        assert clock.now() == MAY
        with clock.frozen_at(JUNE):
            assert clock.now() == JUNE
        assert clock.now() == MAY
    after = clock.now()
    assert before <= after <= timezone.now()
    assert abs(after - timezone.now()) < dt.timedelta(minutes=1)


def test_frozen_at_resets_when_the_block_fails():
    with pytest.raises(RuntimeError), clock.frozen_at(MAY):
        raise RuntimeError("boom")
    assert clock.now() != MAY
    assert clock.now().year == timezone.now().year


def test_frozen_at_refuses_a_naive_datetime():
    naive = dt.datetime(2023, 5, 4)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"), clock.frozen_at(naive):
        pass


@pytest.mark.django_db
def test_services_record_the_case_history_at_the_frozen_time(reference):
    cast = make_cast()
    with clock.frozen_at(MAY):
        case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
        fill_form(case, cast.board_member)
        services.case_submit(case=case, by=cast.board_member)
    with clock.frozen_at(JUNE):
        services.case_open_referral(case=case, by=cast.coordinator)
        services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE)
    case = Case.objects.get(pk=case.pk)
    assert case.created_at == MAY
    assert case.submitted_at == MAY
    assert case.referral_opened_at == JUNE
    assert case.stage_changed_at == JUNE
    assert case.updated_at == JUNE
    assert case.form.updated_at == MAY
    # The number takes the year of the frozen moment, not of the real day.
    assert case.number == "MSTR-2023-0001"
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [(e.kind, e.created_at) for e in events] == [
        ("create", MAY),
        ("submit", MAY),
        ("open_referral", JUNE),
        ("opinion", JUNE),
    ]
    assert case.opinions.get(partner__funder_level="state").given_at == JUNE
    # The audit log dates its entries by the same clock (to the millisecond).
    dates = set(AuditEntry.objects.filter(case_id=case.pk).values_list("created_at", flat=True))
    assert dates == {MAY, JUNE}


@pytest.mark.django_db
def test_without_a_frozen_clock_rows_take_the_real_time(reference):
    start = timezone.now()
    case, _cast = case_at(Stage.SUBMITTED)
    case = Case.objects.get(pk=case.pk)
    end = timezone.now()
    assert start <= case.created_at <= case.submitted_at <= end
    assert case.number == f"MSTR-{timezone.localdate().year}-0001"
