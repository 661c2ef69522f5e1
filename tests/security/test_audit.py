"""The audit log: what is recorded, and that it cannot be altered unnoticed."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from soutien.audit.models import AuditChainState, AuditEntry, AuditLogIsAppendOnly
from soutien.audit.selectors import audit_chain_check, audit_entries_for_case, report_readers
from soutien.audit.services import audit_denied, audit_purge, audit_record
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


class FakeCase:
    """Stands for a case: the log stores its id and number, never a foreign key."""

    def __init__(self, pk, number):
        self.pk = pk
        self.number = number


def make_request(user=None, **meta):
    request = RequestFactory().get("/dossiers/1/", **meta)
    if user is not None:
        request.user = user
    return request


def tamper(statement: str, params: list) -> None:
    """Change the table behind the application's back, as an intruder with database
    access would. ``{table}`` is the audit table's quoted name."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)  # noqa: S608 - fixed test SQL


def test_entry_records_who_what_when_where():
    user = UserFactory(email="claire@exemple.test")
    organisation = OrganisationFactory(name="Association des Tilleuls")
    request = make_request(user, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140")
    before = timezone.now()
    entry = audit_record(
        action="case.view",
        request=request,
        target=organisation,
        case=FakeCase(42, "2026-007"),
        details={"tab": "rapport"},
    )
    entry.refresh_from_db()
    assert entry.action == "case.view"
    assert entry.actor_id == user.pk
    assert entry.actor_label == "claire@exemple.test"
    assert before <= entry.created_at <= timezone.now()
    assert entry.ip_address == "203.0.113.7"
    assert entry.user_agent == "Firefox/140"
    assert entry.target_type == "directory.organisation"
    assert entry.target_id == str(organisation.pk)
    assert entry.target_repr == "Association des Tilleuls"
    assert (entry.case_id, entry.case_number) == (42, "2026-007")
    assert entry.details == {"tab": "rapport"}


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(settings):
    request = make_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert audit_record(action="t", request=request).ip_address == "10.0.0.2"
    settings.SOUTIEN_TRUSTED_PROXY_COUNT = 1
    assert audit_record(action="t", request=request).ip_address == "198.51.100.9"


def test_text_the_database_would_refuse_is_cleaned():
    request = make_request(REMOTE_ADDR="not-an-ip", HTTP_USER_AGENT="a\x00b" * 200)
    entry = audit_record(action="t", request=request, details={"x": "nul\x00"})
    entry.refresh_from_db()
    assert entry.ip_address is None
    assert "\x00" not in entry.user_agent and len(entry.user_agent) == 300
    assert entry.details == {"x": "nul"}
    assert audit_chain_check().ok


def test_the_application_cannot_change_or_delete_entries():
    entry = audit_record(action="case.view")
    entry.action = "autre"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="autre")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.bulk_create([AuditEntry(action="x")])
    entry.refresh_from_db()
    assert entry.action == "case.view"


def test_each_entry_is_chained_to_the_previous_one():
    first = audit_record(action="a")
    second = audit_record(action="b")
    assert first.previous_hash == "0" * 64
    assert second.previous_hash == first.entry_hash
    assert second.entry_hash == second.compute_hash()
    assert AuditChainState.objects.get().head_hash == second.entry_hash
    call_command("audit_verify")


def test_verify_names_an_entry_altered_behind_the_application():
    audit_record(action="a")
    altered = audit_record(action="login.success")
    audit_record(action="c")
    tamper("UPDATE {table} SET action = %s WHERE id = %s", ["x", altered.pk])
    with pytest.raises(CommandError, match=f"entrée n° {altered.pk}"):
        call_command("audit_verify")


def test_verify_detects_a_removed_entry():
    audit_record(action="a")
    removed = audit_record(action="b")
    following = audit_record(action="c")
    tamper("DELETE FROM {table} WHERE id = %s", [removed.pk])
    with pytest.raises(CommandError, match=f"entrée n° {following.pk}"):
        call_command("audit_verify")


def test_verify_detects_the_removal_of_the_newest_entries():
    audit_record(action="a")
    last = audit_record(action="b")
    tamper("DELETE FROM {table} WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="fin de journal"):
        call_command("audit_verify")


def test_purge_removes_old_entries_and_keeps_the_chain_verifiable(settings):
    old = [audit_record(action=f"old{i}") for i in range(3)]
    recent = audit_record(action="recent")
    # Age the first entries as a year would have; the database, not the app, can.
    year_ago = timezone.now() - dt.timedelta(days=400)
    tamper("UPDATE {table} SET created_at = %s WHERE id <= %s", [year_ago, old[-1].pk])
    deleted = audit_purge(older_than=timezone.now() - dt.timedelta(days=365))
    assert deleted == 3
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "recent",
        "audit.purge",
    ]
    assert AuditChainState.objects.get().tail_hash == recent.previous_hash
    purge = AuditEntry.objects.get(action="audit.purge")
    assert purge.details["deleted"] == 3
    # The aged rows were altered by SQL above, but they are gone: what is left verifies.
    call_command("audit_verify")


def test_retention_command_purges_after_the_configured_period(settings):
    settings.SOUTIEN_AUDIT_RETENTION_DAYS = 30
    audit_record(action="old")
    tamper("UPDATE {table} SET created_at = %s", [timezone.now() - dt.timedelta(days=31)])
    kept = audit_record(action="kept")
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "1 entrée(s) purgée(s)" in out.getvalue()
    assert AuditEntry.objects.filter(action="old").count() == 0
    assert AuditEntry.objects.filter(pk=kept.pk).exists()


def test_retention_anonymises_cases_with_the_five_year_cutoff(monkeypatch, settings):
    from soutien.cases import services

    calls = []
    monkeypatch.setattr(
        services,
        "anonymise_closed_cases",
        lambda *, older_than: calls.append(older_than) or 2,
    )
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "Dossiers clos anonymisés : 2" in out.getvalue()
    expected = timezone.now() - dt.timedelta(days=5 * 365)
    assert abs((calls[0] - expected).total_seconds()) < 60


def test_case_selectors():
    reader = UserFactory(email="lecteur@exemple.test")
    other = UserFactory(email="autre@exemple.test")
    case = FakeCase(7, "2026-001")
    audit_record(action="report.view", actor=reader, case=case)
    audit_record(action="document.download", actor=reader, case=case)
    audit_record(action="report.view", actor=other, case=case)
    audit_record(action="case.view", actor=other, case=case)
    audit_record(action="report.view", actor=other, case=FakeCase(8, "2026-002"))
    assert audit_entries_for_case(7).count() == 4
    readers = {r.actor_label: r for r in report_readers(7)}
    assert set(readers) == {"lecteur@exemple.test", "autre@exemple.test"}
    assert readers["lecteur@exemple.test"].access_count == 2
    assert readers["autre@exemple.test"].access_count == 1
    lecteur = readers["lecteur@exemple.test"]
    assert lecteur.first_access <= lecteur.last_access


def test_login_logout_and_failures_are_recorded(client):
    user = UserFactory(email="marie@exemple.test")
    url = reverse("accounts:login")
    client.post(
        url, {"username": "marie@exemple.test", "password": "faux"}, REMOTE_ADDR="192.0.2.1"
    )
    failure = AuditEntry.objects.get(action="login.failure")
    assert failure.details == {"username": "marie@exemple.test"}
    assert failure.target_id == str(user.pk)
    assert failure.ip_address == "192.0.2.1"
    assert failure.actor_id is None
    client.post(url, {"username": "marie@exemple.test", "password": "soutien-demo"})
    success = AuditEntry.objects.get(action="login.success")
    assert success.actor_id == user.pk
    client.post(reverse("accounts:logout"))
    assert AuditEntry.objects.get(action="logout").actor_id == user.pk
    # The password typed is never stored.
    assert not AuditEntry.objects.filter(details__icontains="faux").exists()


def test_audit_denied_records_the_refusal():
    user = UserFactory()
    request = make_request(user, REMOTE_ADDR="192.0.2.5")
    entry = audit_denied(request, "case.out_of_scope", case=FakeCase(3, "2026-003"))
    assert entry.action == "permission.denied"
    assert entry.actor_id == user.pk
    assert entry.details == {"reason": "case.out_of_scope", "path": "/dossiers/1/", "method": "GET"}
    assert entry.case_number == "2026-003"


def test_every_403_answer_is_recorded_once(client):
    user = UserFactory(email="curieux@exemple.test")
    client.force_login(user)
    response = client.get(reverse("security:audit_log"))
    assert response.status_code == 403
    denied = AuditEntry.objects.filter(action="permission.denied")
    assert denied.count() == 1
    assert denied.get().details["reason"] == "audit_log"
    assert denied.get().actor_id == user.pk
