"""Issue #15, point 1: the counts of « Mon espace » and the case list are plain counts
(no DISTINCT, no subquery over every visible case) and stay right."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from soutien.cases.deadlines import refresh_due_at
from soutien.cases.enums import OpinionValue, Stage
from soutien.cases.models import Case, Opinion
from soutien.cases.selectors import awaiting, case_list
from soutien.directory.models import Domain, Organisation, Role
from tests.builders import case_at, make_cast
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def counts_of(user) -> dict[str, int]:
    return {item["label"]: item["count"] for item in awaiting(user)}


def test_coordinator_overdue_count_is_a_plain_condition_and_right(reference):
    cast = make_cast()
    late, _ = case_at(Stage.SUBMITTED, cast)
    on_time, _ = case_at(Stage.SUBMITTED, cast)
    late_diagnostic, _ = case_at(Stage.DIAGNOSTIC, cast)
    now = timezone.now()
    # Referral target: 30 days from submission; report target: 45 days from the decision.
    Case.objects.filter(pk=late.pk).update(submitted_at=now - dt.timedelta(days=31))
    Case.objects.filter(pk=on_time.pk).update(submitted_at=now - dt.timedelta(days=29))
    Case.objects.filter(pk=late_diagnostic.pk).update(decided_at=now - dt.timedelta(days=46))
    refresh_due_at()  # the dates were set behind the services
    with CaptureQueriesContext(connection) as queries:
        counts = counts_of(cast.coordinator)
    assert counts["Dossiers en retard"] == 2
    assert counts["Fiches transmises à vérifier"] == 2
    aggregate = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(aggregate) == 1
    assert "DISTINCT" not in aggregate[0].upper()


def test_pending_opinions_count_each_case_once_without_distinct(reference):
    """A partner's member who belongs to two concerned partners sees a case once."""
    cast = make_cast()
    case, _ = case_at(Stage.REFERRAL, cast)
    case_at(Stage.REFERRAL, cast)
    state = Organisation.objects.get(funder_level="state")
    city = Organisation.objects.get(funder_level="commune", commune=cast.centre.commune)
    assert Opinion.objects.filter(case=case, partner__in=[state, city]).count() == 2
    both = MembershipFactory(organisation=state, role=Role.PARTNER).user
    MembershipFactory(user=both, organisation=city, role=Role.PARTNER)
    assert counts_of(both)["Avis à donner"] == 2
    Opinion.objects.filter(case=case).update(value=OpinionValue.FAVOURABLE, given_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert counts_of(both)["Avis à donner"] == 1
    assert not any("DISTINCT" in q["sql"].upper() for q in queries)


def test_case_list_has_no_distinct_and_the_field_filter_lists_a_case_once(reference):
    cast = make_cast()
    case, _ = case_at(Stage.SUBMITTED, cast)
    finance, other = Domain.objects.order_by("pk")[:2]
    case.form.domains.set([finance, other])
    queryset = case_list(cast.coordinator, filters={"domain": finance})
    assert list(queryset.values_list("pk", flat=True)) == [case.pk]
    assert "DISTINCT" not in str(queryset.query).upper()
    assert list(case_list(cast.coordinator, filters={"domain": other})) == [case]
    assert "DISTINCT" not in str(case_list(cast.coordinator).query).upper()
