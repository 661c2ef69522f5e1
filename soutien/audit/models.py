"""The audit log: who did or saw what, when and from where.

The log is append-only for the application: an entry is never updated, and rows are
deleted only by the retention purge (``soutien.audit.services.audit_purge``). Each entry
carries the SHA-256 of its content chained to the previous entry's hash, so that a
changed, inserted or removed row is detected by ``manage.py audit_verify``.

There is one chain per case (``chain`` = ``"case:<id>"``: who opened, read or
downloaded what of that case) and one for everything else (``chain`` = ``""``: logins,
refusals, exports, settings). Appending locks only the row of its own chain: readers of
different cases never wait for one another. The opening of each case chain is itself
recorded in the global chain (``audit.chain_open``), so that removing a whole case
chain, with its state, is detected too.
"""

import contextvars
import datetime as dt
import hashlib
import json

from django.db import models

from soutien.audit.actions import AuditAction

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = ""
CHAIN_OPEN_ACTION = AuditAction.AUDIT_CHAIN_OPEN
CHAIN_TARGET_TYPE = "audit.chain"


def case_chain(case_id: int) -> str:
    """The key of the chain of a case's entries."""
    return f"case:{case_id}"


# Set only by the retention purge, for the duration of its delete.
_purge_allowed = contextvars.ContextVar("audit_purge_allowed", default=False)


class AuditLogIsAppendOnly(Exception):
    """The audit log may only grow; the retention purge is the one way to delete."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Le journal d'audit ne se modifie pas.")

    def delete(self):
        if not _purge_allowed.get():
            raise AuditLogIsAppendOnly(
                "Le journal d'audit ne se supprime que par la purge de conservation."
            )
        return super().delete()

    delete.queryset_only = True

    def bulk_create(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Chaque entrée du journal passe par audit_record.")

    def bulk_update(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Le journal d'audit ne se modifie pas.")


class AuditEntry(models.Model):
    """One recorded event. Users and cases are stored by id, not by foreign key:
    deleting a user or a case never touches the log."""

    created_at = models.DateTimeField("date", db_index=True)
    action = models.CharField("action", max_length=64, db_index=True)
    actor_id = models.BigIntegerField("identifiant de l'utilisateur", null=True, db_index=True)
    actor_label = models.CharField("utilisateur", max_length=254, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)
    target_type = models.CharField("type d'objet", max_length=100, blank=True)
    target_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    target_repr = models.CharField("objet", max_length=200, blank=True)
    case_id = models.BigIntegerField("identifiant du dossier", null=True, db_index=True)
    case_number = models.CharField("numéro du dossier", max_length=40, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    chain = models.CharField("chaîne", max_length=32, blank=True, default=GLOBAL_CHAIN)
    previous_hash = models.CharField("empreinte précédente", max_length=64)
    entry_hash = models.CharField("empreinte", max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("actor_label", "user_agent", "target_repr")
    OTHER_FIELDS = (
        "action",
        "target_type",
        "target_id",
        "case_number",
        "chain",
        "previous_hash",
        "entry_hash",
    )

    class Meta:
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # audit_verify walks each chain in order.
            models.Index(fields=["chain", "id"], name="audit_chain_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} — {self.action} — {self.actor_label or '-'}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("Une entrée du journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(
            "Le journal d'audit ne se supprime que par la purge de conservation."
        )

    def canonical(self) -> str:
        """The content covered by the hash, as canonical JSON (sorted keys, UTC time to
        the millisecond, the precision of Django's JSON serialisation used by backups).
        The chain is covered when it is a case's (the entries written before there were
        case chains keep their hash)."""
        content = {
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(timespec="milliseconds"),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "case_id": self.case_id,
            "case_number": self.case_number,
            "details": self.details,
            "previous_hash": self.previous_hash,
        }
        if self.chain:
            content["chain"] = self.chain
        return json.dumps(
            content,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()


class AuditChainState(models.Model):
    """One row per chain (``chain``: ``""`` for the global one, ``"case:<id>"`` for a
    case's), locked while an entry is appended to that chain, remembering its ends.

    ``head_hash`` is the hash of the chain's latest entry (so removing the newest rows is
    detected) and ``tail_hash`` the ``previous_hash`` its oldest remaining entry must
    carry (the genesis value, or the last entry removed by the retention purge).
    """

    chain = models.CharField("chaîne", max_length=32, unique=True, default=GLOBAL_CHAIN)
    head_hash = models.CharField("dernière empreinte", max_length=64, default=GENESIS_HASH)
    tail_hash = models.CharField("empreinte d'origine", max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("chain", "head_hash", "tail_hash")

    class Meta:
        verbose_name = "état d'une chaîne d'audit"
        verbose_name_plural = "états des chaînes d'audit"

    def __str__(self):
        return f"Chaîne d'audit {self.chain or 'générale'} ({self.head_hash[:12]}…)"
