"""Reads of account requests."""

from django.db.models import QuerySet

from soutien.accounts.models import AccountRequest, AccountRequestStatus
from soutien.accounts.policies import can_review_account_requests


def account_requests_visible_to(user) -> QuerySet[AccountRequest]:
    """Every request for the coordination, none for anyone else."""
    if not can_review_account_requests(user):
        return AccountRequest.objects.none()
    return AccountRequest.objects.select_related("decided_by", "organisation", "user")


def pending_first(queryset: QuerySet[AccountRequest]) -> list[AccountRequest]:
    requests = list(queryset.order_by("-created_at"))
    return sorted(requests, key=lambda r: r.status != AccountRequestStatus.PENDING)


def pending_account_requests(user, *, newest: int = 5) -> dict:
    """For « Mon espace »: how many account requests await the coordination, and the
    ``newest`` most recent of them. Two queries, whatever their number."""
    pending = account_requests_visible_to(user).filter(status=AccountRequestStatus.PENDING)
    return {
        "count": pending.count(),
        "newest": list(pending.order_by("-created_at", "-pk")[:newest]),
    }
