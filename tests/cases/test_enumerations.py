"""Event kinds and audit actions are enumerations: nothing else enters the history or
the audit log; versioned writes go through one helper."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soutien.audit.actions import AuditAction
from soutien.audit.models import AuditEntry
from soutien.audit.services import audit_record
from soutien.cases import services
from soutien.cases.enums import EventKind, MeetingKind, Stage
from soutien.cases.models import Case, CaseEvent
from soutien.cases.workflow import TRANSITIONS
from soutien.core.versioning import save_versioned
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_every_transition_and_every_meeting_kind_is_an_event_kind():
    assert set(TRANSITIONS) <= set(EventKind)
    assert {EventKind.meeting(kind) for kind in MeetingKind} <= set(EventKind)


def test_an_unknown_event_kind_is_refused_and_writes_nothing(reference):
    case, cast = case_at(Stage.DRAFT)
    before = (CaseEvent.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValueError):
        services.record_event(case=case, kind="submitt", label="Faute de frappe")
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == before
    event = services.record_event(case=case, kind=EventKind.HAND_OVER, label="Confié")
    assert event.kind == "hand_over"
    assert AuditEntry.objects.filter(action="case.hand_over").count() == 1


def test_an_unknown_audit_action_is_refused(reference):
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError):
        audit_record(action="report.veiw")
    assert AuditEntry.objects.count() == before
    audit_record(action=AuditAction.DATA_EXPORT)
    assert AuditEntry.objects.latest("pk").action == "data.export"


def test_a_versioned_write_bumps_the_version_in_the_database_and_reads_it_back(reference):
    case, _ = case_at(Stage.DRAFT)
    start = case.version
    # Another writer saved meanwhile: the bump is made in the database, not from memory.
    Case.objects.filter(pk=case.pk).update(version=start + 5)
    with CaptureQueriesContext(connection) as queries:
        save_versioned(case, ["situation"])
    assert case.version == start + 6
    update = next(q["sql"] for q in queries if q["sql"].upper().startswith("UPDATE"))
    assert '"version" = (' in update or "`version` = (" in update
    assert "situation" in update and "updated_at" in update
