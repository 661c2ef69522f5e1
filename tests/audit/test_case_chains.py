"""Issue #15, point 2: one audit chain per case. Recording who read a case locks only
that case's chain (readers of different cases never queue behind one row), and
``audit_verify`` still detects every change, removal or move made behind the
application, in any chain."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from soutien.audit.models import AuditChainState, AuditEntry
from soutien.audit.selectors import audit_chain_check
from soutien.audit.services import audit_purge, audit_record

pytestmark = pytest.mark.django_db

GENESIS = "0" * 64


class FakeCase:
    """Stands for a case: the log stores its id and number, never a foreign key."""

    def __init__(self, pk, number):
        self.pk = pk
        self.number = number


CASE_A = FakeCase(101, "MSTR-2026-0101")
CASE_B = FakeCase(202, "MSTR-2026-0202")


def tamper(statement: str, params: list, model=AuditEntry) -> None:
    """Change a table behind the application's back, as an intruder with database access
    would. ``{table}`` is the table's quoted name."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)  # noqa: S608 - fixed test SQL


@pytest.fixture
def log():
    """A global entry, then reads of two cases, interleaved."""
    return {
        "login": audit_record(action="login.success"),
        "a1": audit_record(action="case.view", case=CASE_A),
        "b1": audit_record(action="case.view", case=CASE_B),
        "a2": audit_record(action="document.download", case=CASE_A),
        "b2": audit_record(action="case.view", case=CASE_B),
        "a3": audit_record(action="report.view", case=CASE_A),
        "logout": audit_record(action="logout"),
    }


def test_each_case_has_its_own_chain_opened_in_the_global_one(log):
    assert [log[k].chain for k in ("a1", "a2", "a3")] == ["case:101"] * 3
    assert [log[k].chain for k in ("b1", "b2")] == ["case:202"] * 2
    assert log["login"].chain == log["logout"].chain == ""
    assert log["a1"].previous_hash == GENESIS
    assert log["a2"].previous_hash == log["a1"].entry_hash
    assert log["a3"].previous_hash == log["a2"].entry_hash
    assert log["b2"].previous_hash == log["b1"].entry_hash
    states = dict(AuditChainState.objects.values_list("chain", "head_hash"))
    assert states == {
        "": log["logout"].entry_hash,
        "case:101": log["a3"].entry_hash,
        "case:202": log["b2"].entry_hash,
    }
    # The global chain: the login, the opening of each case chain (once), the logout.
    global_chain = AuditEntry.objects.filter(chain="").order_by("id")
    assert [(e.action, e.target_id) for e in global_chain] == [
        ("login.success", ""),
        ("audit.chain_open", "case:101"),
        ("audit.chain_open", "case:202"),
        ("logout", ""),
    ]
    report = audit_chain_check()
    assert report.ok
    assert report.checked == 9
    call_command("audit_verify")


def test_recording_a_read_touches_only_the_chain_of_its_case(log):
    global_head = AuditChainState.objects.get(chain="").head_hash
    other_head = AuditChainState.objects.get(chain="case:101").head_hash
    with CaptureQueriesContext(connection) as queries:
        entry = audit_record(action="case.view", case=CASE_B)
    state_table = AuditChainState._meta.db_table
    on_states = [q["sql"] for q in queries if state_table in q["sql"]]
    selects = [sql for sql in on_states if sql.startswith("SELECT")]
    assert len(selects) == 1
    assert "'case:202'" in selects[0]  # the lock: the row of this case's chain only
    # The insertion moved the head of this chain only (migration audit.0003).
    assert AuditChainState.objects.get(chain="case:202").head_hash == entry.entry_hash
    assert AuditChainState.objects.get(chain="case:101").head_hash == other_head
    assert AuditChainState.objects.get(chain="").head_hash == global_head
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2  # lock and read the case's chain, insert the entry


def test_verify_names_an_altered_entry_of_a_case_chain(log):
    tamper("UPDATE {table} SET actor_label = %s WHERE id = %s", ["x@y.fr", log["a2"].pk])
    report = audit_chain_check()
    assert (report.broken_entry_id, report.reason) == (
        log["a2"].pk,
        "son contenu ne correspond plus à son empreinte",
    )
    with pytest.raises(CommandError, match=f"entrée n° {log['a2'].pk}"):
        call_command("audit_verify")


def test_verify_detects_an_entry_removed_from_the_middle_of_a_case_chain(log):
    tamper("DELETE FROM {table} WHERE id = %s", [log["a2"].pk])
    report = audit_chain_check()
    assert (report.broken_entry_id, report.reason) == (
        log["a3"].pk,
        "son empreinte précédente ne suit pas l'entrée d'avant",
    )


def test_verify_detects_the_removal_of_a_case_chain_newest_entry(log):
    tamper("DELETE FROM {table} WHERE id = %s", [log["b2"].pk])
    report = audit_chain_check()
    assert report.reason == "les entrées les plus récentes de la chaîne « case:202 » ont disparu"
    with pytest.raises(CommandError, match="fin de journal"):
        call_command("audit_verify")


def test_verify_detects_an_entry_moved_to_another_chain(log):
    tamper("UPDATE {table} SET chain = %s WHERE id = %s", ["", log["a3"].pk])
    assert audit_chain_check().broken_entry_id is not None


def test_verify_detects_a_whole_case_chain_removed_with_its_state(log):
    tamper("DELETE FROM {table} WHERE chain = %s", ["case:101"])
    tamper("DELETE FROM {table} WHERE chain = %s", ["case:101"], model=AuditChainState)
    opening = AuditEntry.objects.get(action="audit.chain_open", target_id="case:101")
    report = audit_chain_check()
    assert (report.broken_entry_id, report.reason) == (
        opening.pk,
        "la chaîne « case:101 » qu'elle ouvre a disparu",
    )


def test_verify_detects_a_case_chain_whose_state_was_removed(log):
    tamper("DELETE FROM {table} WHERE chain = %s", ["case:202"], model=AuditChainState)
    report = audit_chain_check()
    assert (report.broken_entry_id, report.reason) == (
        log["b1"].pk,
        "l'état de la chaîne « case:202 » a disparu",
    )


def test_verify_reads_by_pages_across_chains(log):
    """Pages of two entries: the boundaries fall inside and between chains."""
    assert audit_chain_check(batch=2).checked == 9
    tamper("UPDATE {table} SET action = %s WHERE id = %s", ["x", log["b2"].pk])
    assert audit_chain_check(batch=2).broken_entry_id == log["b2"].pk


def test_the_purge_cuts_each_chain_at_its_oldest_run_and_stays_verifiable(log):
    year_ago = timezone.now() - dt.timedelta(days=400)
    old = [log[k].pk for k in ("login", "a1", "a2", "b1", "b2")]
    old += list(AuditEntry.objects.filter(action="audit.chain_open").values_list("pk", flat=True))
    tamper(
        "UPDATE {table} SET created_at = %s WHERE id IN ({ids})".replace(
            "{ids}", ", ".join(["%s"] * len(old))
        ),
        [year_ago, *old],
    )
    deleted = audit_purge(older_than=timezone.now() - dt.timedelta(days=365))
    assert deleted == 7
    left = list(AuditEntry.objects.order_by("id").values_list("action", "chain"))
    assert left == [("report.view", "case:101"), ("logout", ""), ("audit.purge", "")]
    states = {s.chain: s for s in AuditChainState.objects.all()}
    assert states["case:101"].tail_hash == log["a2"].entry_hash
    assert states["case:202"].tail_hash == states["case:202"].head_hash == log["b2"].entry_hash
    assert states[""].tail_hash == AuditEntry.objects.get(action="logout").previous_hash
    assert audit_chain_check().ok
    # A case chain emptied by the purge, then given new entries, goes on from its tail.
    again = audit_record(action="case.view", case=CASE_B)
    assert again.previous_hash == log["b2"].entry_hash
    assert audit_chain_check().ok
    call_command("audit_verify")


def test_an_emptied_chain_whose_head_was_moved_is_detected(log):
    tamper("DELETE FROM {table} WHERE chain = %s", ["case:202"])
    report = audit_chain_check()
    assert report.reason == "les entrées les plus récentes de la chaîne « case:202 » ont disparu"
