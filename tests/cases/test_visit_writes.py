"""« Nouveau depuis votre dernière visite »: the case page writes the visit only when the
case changed since the last one (issue #15: no write on a page read that changes
nothing), and the mark stays right."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import EventKind, Stage
from soutien.cases.models import Case, CaseVisit
from soutien.cases.visits import changed_since_visit
from soutien.core import clock
from tests.builders import case_at

pytestmark = pytest.mark.django_db

NOTE = EventKind.ACTION_UPDATE
START = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)


def at(hours: int) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


def is_new(user, case) -> bool:
    return Case.objects.annotate(new=changed_since_visit(user)).get(pk=case.pk).new


def seen_at(user, case) -> dt.datetime:
    return CaseVisit.objects.get(user=user, case=case).seen_at


def visit_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries if q["sql"].startswith('INSERT INTO "cases_casevisit"'))


def test_the_visit_is_written_only_when_the_case_changed_since(client):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    url = reverse("cases:detail", args=[case.pk])
    with clock.frozen_at(at(1)):
        assert visit_writes(client, url) == 1  # first visit
    with clock.frozen_at(at(2)):
        assert visit_writes(client, url) == 0  # nothing happened since: no write
    assert seen_at(cast.consultant, case) == at(1)
    assert not is_new(cast.consultant, case)

    with clock.frozen_at(at(3)):
        services.record_event(case=case, kind=NOTE, label="Point d'étape", by=cast.coordinator)
    assert is_new(cast.consultant, case)
    with clock.frozen_at(at(4)):
        assert visit_writes(client, url) == 1  # changed since: the date moves
    assert seen_at(cast.consultant, case) == at(4)
    assert not is_new(cast.consultant, case)
    with clock.frozen_at(at(5)):
        assert visit_writes(client, url) == 0


def test_an_event_after_a_skipped_write_is_still_news(client):
    """The date kept by a skipped write is older than the page read: what comes after the
    read is after it too."""
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)
    url = reverse("cases:detail", args=[case.pk])
    with clock.frozen_at(at(1)):
        client.get(url)
    with clock.frozen_at(at(2)):
        client.get(url)  # skipped
    with clock.frozen_at(at(3)):
        services.record_event(case=case, kind=NOTE, label="Point d'étape", by=cast.coordinator)
    assert is_new(cast.board_member, case)
