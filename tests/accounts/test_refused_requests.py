import datetime as dt

import pytest
from django.utils import timezone

from soutien.accounts.models import AccountRequest, AccountRequestStatus
from soutien.security.retention import retention_apply

pytestmark = pytest.mark.django_db


def make_request(status, decided_days_ago):
    return AccountRequest.objects.create(
        first_name="Léa",
        last_name="Martin",
        email=f"lea{decided_days_ago}{status}@exemple.test",
        organisation_name="Centre social fictif",
        role="board_member",
        status=status,
        decided_at=timezone.now() - dt.timedelta(days=decided_days_ago),
    )


def test_refused_requests_are_deleted_after_six_months():
    old_refusal = make_request(AccountRequestStatus.REFUSED, 200)
    recent_refusal = make_request(AccountRequestStatus.REFUSED, 30)
    old_pending = make_request(AccountRequestStatus.PENDING, 400)
    result = retention_apply()
    assert result["refused_requests_deleted"] == 1
    remaining = set(AccountRequest.objects.values_list("pk", flat=True))
    assert remaining == {recent_refusal.pk, old_pending.pk}
    assert old_refusal.pk not in remaining
