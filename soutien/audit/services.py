"""Writes to the audit log. ``audit_record`` is the one way to add an entry."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from soutien.audit.models import (
    AuditChainState,
    AuditEntry,
    _purge_allowed,
)
from soutien.core import clock
from soutien.core.network import client_ip


def _clean(value: str | None, length: int) -> str:
    """Text the database accepts (PostgreSQL refuses NUL), cut to the column size."""
    return (value or "").replace("\x00", "")[:length]


def _clean_details(details: dict | None) -> dict:
    """Details as stored after a JSON round trip, so that the hash survives reloading."""
    text = json.dumps(details or {}, cls=DjangoJSONEncoder, ensure_ascii=False)
    return json.loads(text.replace("\\u0000", ""))


def _locked_state() -> AuditChainState:
    """The chain state row, locked until the surrounding transaction ends.

    On PostgreSQL ``select_for_update`` serialises concurrent appends; on SQLite the
    project opens every transaction with BEGIN IMMEDIATE, which takes the write lock.
    """
    state = AuditChainState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        try:
            with transaction.atomic():
                AuditChainState.objects.create(pk=1)
        except IntegrityError:
            pass  # created meanwhile by a concurrent append
        state = AuditChainState.objects.select_for_update().get(pk=1)
    return state


def _user_label(user) -> str:
    return _clean(getattr(user, "email", "") or str(user), 254)


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    target=None,
    case=None,
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log: who (actor), when, what (action, target,
    case) and from where (IP address, browser).

    ``actor`` defaults to the signed-in user of ``request``. ``target`` is any model
    instance; ``case`` a case instance or its id. The entry is chained to the previous
    one (SHA-256) under a lock, inside the caller's transaction if there is one: an
    entry about a state change that rolls back disappears with it.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    entry = AuditEntry(
        action=_clean(action, 64),
        actor_id=getattr(actor, "pk", None),
        actor_label=_user_label(actor) if actor is not None else "",
        details=_clean_details(details),
    )
    if request is not None:
        entry.ip_address = client_ip(request)
        entry.user_agent = _clean(getattr(request, "META", {}).get("HTTP_USER_AGENT", ""), 300)
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = _clean(str(target.pk), 64)
        entry.target_repr = _clean(str(target), 200)
    if case is not None:
        if isinstance(case, int):
            entry.case_id = case
        else:
            entry.case_id = case.pk
            entry.case_number = _clean(getattr(case, "number", None) or "", 40)
    with transaction.atomic():
        state = _locked_state()
        now = clock.now()
        # Milliseconds: what survives a JSON backup and restore, so the hash does too.
        entry.created_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        entry.previous_hash = state.head_hash
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        state.head_hash = entry.entry_hash
        state.save(update_fields=["head_hash", "updated_at"])
    return entry


def audit_denied(request, reason: str, *, target=None, case=None) -> AuditEntry:
    """Record that a request was refused (a 403, or a 404 given for an object outside
    the user's scope). Call it where the refusal is decided; ``reason`` is a short code
    such as ``"case.out_of_scope"``."""
    request._audit_denied_recorded = True
    return audit_record(
        action="permission.denied",
        request=request,
        target=target,
        case=case,
        details={
            "reason": reason,
            "path": _clean(request.path, 500),
            "method": request.method,
        },
    )


def audit_purge(*, older_than, by=None) -> int:
    """Delete the entries recorded before ``older_than`` (retention, CNIL guidance).

    The chain stays verifiable: the deleted prefix is replaced by its last hash, kept
    in the chain state as the new origin. Only the oldest run of entries is removed,
    so the chain never gets a hole. The purge itself is recorded. Returns the number
    of entries deleted.
    """
    with transaction.atomic():
        state = _locked_state()
        first_kept = AuditEntry.objects.filter(created_at__gte=older_than).order_by("id").first()
        doomed = AuditEntry.objects.all()
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept.id)
        last_doomed = doomed.order_by("-id").first()
        if last_doomed is None:
            return 0
        token = _purge_allowed.set(True)
        try:
            deleted, _ = doomed.delete()
        finally:
            _purge_allowed.reset(token)
        state.tail_hash = last_doomed.entry_hash
        state.save(update_fields=["tail_hash", "updated_at"])
        audit_record(
            action="audit.purge",
            actor=by,
            details={"deleted": deleted, "older_than": older_than.isoformat()},
        )
    return deleted
