"""Event kinds and audit actions are enumerations: nothing else enters the history, and
the code names audit actions only through theirs; versioned writes go through one helper."""

import ast
from pathlib import Path

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

ROOT = Path(__file__).resolve().parents[2]
AUDIT_CALLS = {"audit_record", "_audit"}


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


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


def test_the_code_names_audit_actions_through_the_enumeration_only():
    """Every ``action=`` given to the audit log in soutien/ and web/ is an AuditAction
    member, never a bare string; every member is one the code records."""
    offenders, used = [], set()
    for folder in ("soutien", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and _name(node.func) in AUDIT_CALLS):
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "action":
                        continue
                    value = keyword.value
                    if isinstance(value, ast.Constant):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                    elif isinstance(value, ast.Attribute) and _name(value.value) == "AuditAction":
                        used.add(value.attr)
    assert offenders == []
    # The chain opening is recorded through its constant (CHAIN_OPEN_ACTION).
    assert {member.name for member in AuditAction} - used == {"AUDIT_CHAIN_OPEN"}
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
