"""Reads of the audit log."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet

from soutien.audit.models import (
    CHAIN_OPEN_ACTION,
    CHAIN_TARGET_TYPE,
    GENESIS_HASH,
    GLOBAL_CHAIN,
    AuditChainState,
    AuditEntry,
)

# What counts as reading a case's report (shown to the centre's manager).
REPORT_READ_ACTIONS = ("report.view", "document.download")


def audit_entries_for_case(case_id: int) -> QuerySet[AuditEntry]:
    """Every entry about a case, newest first."""
    return AuditEntry.objects.filter(case_id=case_id).order_by("-created_at", "-id")


@dataclass(frozen=True)
class ReportReader:
    actor_id: int | None
    actor_label: str
    first_access: dt.datetime
    last_access: dt.datetime
    access_count: int


def report_readers(case_id: int) -> list[ReportReader]:
    """Who read the report or downloaded a document of a case, and when (first and
    last time, number of times), most recent reader first."""
    rows = (
        AuditEntry.objects.filter(case_id=case_id, action__in=REPORT_READ_ACTIONS)
        .values("actor_id", "actor_label")
        .annotate(
            first_access=Min("created_at"),
            last_access=Max("created_at"),
            access_count=Count("id"),
        )
        .order_by("-last_access", "actor_label")
    )
    return [ReportReader(**row) for row in rows]


def audit_entries_about_user(user) -> QuerySet[AuditEntry]:
    """Entries where the user acted or was the object (e.g. a failed login on their
    account), oldest first."""
    return AuditEntry.objects.filter(
        Q(actor_id=user.pk) | Q(target_type=user._meta.label_lower, target_id=str(user.pk))
    ).order_by("id")


def audit_entries_filtered(
    *,
    action: str = "",
    actor: str = "",
    case_number: str = "",
    ip_address: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The coordinator's view of the log: newest first, narrowed by the given filters
    (action prefix, part of the user's address, case number, IP address, dates)."""
    entries = AuditEntry.objects.order_by("-created_at", "-id")
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if case_number:
        entries = entries.filter(case_number__iexact=case_number.strip())
    if ip_address:
        entries = entries.filter(ip_address=ip_address)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


def audit_actions() -> list[str]:
    """The action codes present in the log, for the filter's choices."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_entry_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def _chain_name(chain: str) -> str:
    return f"de la chaîne « {chain} »" if chain else "de la chaîne générale"


def audit_chain_check(batch: int = 2000) -> ChainReport:
    """Walk every chain in order (the global one and each case's) and report the first
    entry whose hash or link to the previous entry does not match, the loss of a chain's
    newest entries, or a whole case chain gone. Memory stays constant: the entries are
    read by pages of ``batch`` in (chain, id) order, with the states of their chains."""
    checked = 0
    chain, expected_previous, state = None, GENESIS_HASH, None
    last_chain, last_id = None, 0
    while True:
        page = AuditEntry.objects.order_by("chain", "id")
        if last_chain is not None:
            page = page.filter(Q(chain__gt=last_chain) | Q(chain=last_chain, id__gt=last_id))
        entries = list(page[:batch])
        if not entries:
            break
        states = AuditChainState.objects.in_bulk(
            {entry.chain for entry in entries}, field_name="chain"
        )
        for entry in entries:
            if entry.chain != chain:
                if chain is not None and (
                    report := _end_of_chain(chain, state, expected_previous, checked)
                ):
                    return report
                chain, state = entry.chain, states.get(entry.chain)
                if state is None and chain != GLOBAL_CHAIN:
                    return ChainReport(checked, entry.id, f"l'état {_chain_name(chain)} a disparu")
                expected_previous = state.tail_hash if state else GENESIS_HASH
            if entry.previous_hash != expected_previous:
                return ChainReport(
                    checked, entry.id, "son empreinte précédente ne suit pas l'entrée d'avant"
                )
            if entry.compute_hash() != entry.entry_hash:
                return ChainReport(
                    checked, entry.id, "son contenu ne correspond plus à son empreinte"
                )
            expected_previous = entry.entry_hash
            checked += 1
        last_chain, last_id = entries[-1].chain, entries[-1].id
    if chain is not None and (report := _end_of_chain(chain, state, expected_previous, checked)):
        return report
    # A chain whose entries are all gone must have been emptied by the purge.
    entries_of = AuditEntry.objects.filter(chain=OuterRef("chain"))
    emptied = (
        AuditChainState.objects.exclude(Exists(entries_of))
        .exclude(head_hash=F("tail_hash"))
        .order_by("chain")
        .first()
    )
    if emptied is not None:
        return ChainReport(
            checked, None, f"les entrées les plus récentes {_chain_name(emptied.chain)} ont disparu"
        )
    # Every case chain opened (recorded in the global chain) still has its state.
    state_of = AuditChainState.objects.filter(chain=OuterRef("target_id"))
    lost = (
        AuditEntry.objects.filter(action=CHAIN_OPEN_ACTION, target_type=CHAIN_TARGET_TYPE)
        .exclude(Exists(state_of))
        .order_by("id")
        .first()
    )
    if lost is not None:
        return ChainReport(
            checked, lost.id, f"la chaîne « {lost.target_id} » qu'elle ouvre a disparu"
        )
    return ChainReport(checked)


def _end_of_chain(chain, state, expected_previous, checked) -> ChainReport | None:
    """The chain's last entry must be the head its state remembers."""
    if state is not None and state.head_hash != expected_previous:
        if chain == GLOBAL_CHAIN:
            return ChainReport(checked, None, "les entrées les plus récentes ont disparu")
        return ChainReport(
            checked, None, f"les entrées les plus récentes {_chain_name(chain)} ont disparu"
        )
    return None
