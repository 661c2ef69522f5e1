"""The technical state of the platform, for the technical administration's home: a few
bounded counts (never a walk over a whole table)."""

from dataclasses import dataclass

from soutien.accounts.models import AccountRequest, AccountRequestStatus
from soutien.audit.models import AuditChainState, AuditEntry
from soutien.core.models import OutboxEmail


@dataclass(frozen=True)
class TechnicalStatus:
    outbox_waiting: int
    outbox_failing: int
    oldest_failure: OutboxEmail | None
    last_audit_entry: AuditEntry | None
    audit_chain_updated_at: object
    account_requests: int


def technical_status() -> TechnicalStatus:
    """Emails not sent yet, those whose sending failed at least once (the oldest of them),
    the latest audit entry and chain state, the pending account requests: six queries."""
    unsent = OutboxEmail.objects.filter(sent_at__isnull=True)
    failing = unsent.filter(attempts__gt=0)
    state = AuditChainState.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    return TechnicalStatus(
        outbox_waiting=unsent.count(),
        outbox_failing=failing.count(),
        oldest_failure=failing.order_by("created_at", "pk")
        .only("created_at", "attempts", "last_error", "subject")
        .first(),
        last_audit_entry=AuditEntry.objects.order_by("-id").only("created_at", "action").first(),
        audit_chain_updated_at=state,
        account_requests=AccountRequest.objects.filter(status=AccountRequestStatus.PENDING).count(),
    )
