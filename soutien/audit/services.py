"""Writes to the audit log. ``audit_record`` is the one way to add an entry."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef

from soutien.audit.actions import AuditAction
from soutien.audit.models import (
    CHAIN_OPEN_ACTION,
    CHAIN_TARGET_TYPE,
    GLOBAL_CHAIN,
    AuditChainState,
    AuditEntry,
    _purge_allowed,
    case_chain,
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


def _locked_state(chain: str = GLOBAL_CHAIN) -> AuditChainState:
    """The state row of one chain, locked until the surrounding transaction ends (created,
    and its opening recorded in the global chain, the first time a case chain is used).

    On PostgreSQL ``select_for_update`` serialises the appends to this chain only (the
    readers of different cases do not wait for one another); on SQLite the project opens
    every transaction with BEGIN IMMEDIATE, which takes the write lock.
    """
    state = AuditChainState.objects.select_for_update().filter(chain=chain).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            AuditChainState.objects.create(chain=chain)
    except IntegrityError:
        opened = False  # created meanwhile by a concurrent append
    else:
        opened = chain != GLOBAL_CHAIN
    state = AuditChainState.objects.select_for_update().get(chain=chain)
    if opened:
        # Chained in the global chain: a case chain removed with its state is detected.
        _append(
            AuditEntry(
                action=CHAIN_OPEN_ACTION,
                target_type=CHAIN_TARGET_TYPE,
                target_id=chain,
                details={},
            )
        )
    return state


def _append(entry: AuditEntry) -> AuditEntry:
    """Chain ``entry`` to the end of its chain and save it (inside a transaction): two
    statements, the chain's state read under its lock, then the insertion, which moves
    the chain's head to the new hash itself (the database trigger of migration
    ``audit.0003_head_moved_by_insert``)."""
    with transaction.atomic():
        state = _locked_state(entry.chain)
        now = clock.now()
        # Milliseconds: what survives a JSON backup and restore, so the hash does too.
        entry.created_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        entry.previous_hash = state.head_hash
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


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
    one of its chain (SHA-256) under that chain's lock: the case's own chain for an entry
    about a case, the global one otherwise. It is written inside the caller's transaction
    if there is one: an entry about a state change that rolls back disappears with it.
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
    if entry.case_id is not None:
        entry.chain = case_chain(entry.case_id)
    return _append(entry)


def audit_denied(request, reason: str, *, target=None, case=None) -> AuditEntry:
    """Record that a request was refused (a 403, or a 404 given for an object outside
    the user's scope). Call it where the refusal is decided; ``reason`` is a short code
    such as ``"case.out_of_scope"``."""
    request._audit_denied_recorded = True
    return audit_record(
        action=AuditAction.PERMISSION_DENIED,
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

    Every chain stays verifiable: in each chain only its oldest run of entries is
    removed (never a hole), and the chain's state keeps the last removed hash as its new
    origin. The purge itself is recorded. Returns the number of entries deleted.
    """
    kept_before = AuditEntry.objects.filter(
        chain=OuterRef("chain"), id__lt=OuterRef("id"), created_at__gte=older_than
    )
    doomed = AuditEntry.objects.filter(created_at__lt=older_than).exclude(Exists(kept_before))
    with transaction.atomic():
        per_chain = doomed.order_by().values("chain").annotate(last=Max("id"))
        last_ids = list(per_chain.values_list("last", flat=True))
        if not last_ids:
            return 0
        origins = {}
        for start in range(0, len(last_ids), 1000):
            rows = AuditEntry.objects.filter(id__in=last_ids[start : start + 1000])
            origins.update(rows.values_list("chain", "entry_hash"))
        token = _purge_allowed.set(True)
        try:
            deleted, _ = doomed.delete()
        finally:
            _purge_allowed.reset(token)
        chains = sorted(origins)
        for start in range(0, len(chains), 1000):
            states = list(
                AuditChainState.objects.select_for_update()
                .filter(chain__in=chains[start : start + 1000])
                .order_by("chain")
            )
            for state in states:
                state.tail_hash = origins[state.chain]
                state.updated_at = clock.now()
            AuditChainState.objects.bulk_update(states, ["tail_hash", "updated_at"])
        audit_record(
            action=AuditAction.AUDIT_PURGE,
            actor=by,
            details={"deleted": deleted, "older_than": older_than.isoformat()},
        )
    return deleted
