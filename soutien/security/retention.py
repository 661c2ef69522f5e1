"""Data retention (RGPD): how long the platform keeps what.

- Closed cases: anonymised ``SOUTIEN_CASE_RETENTION_DAYS`` after closure (5 years by
  default), through ``soutien.cases.services.anonymise_closed_cases``.
- Download log: kept as long as the audit log (``documents.services.download_logs_purge``).
- Audit entries: ``SOUTIEN_AUDIT_RETENTION_DAYS`` (365 by default, CNIL guidance on
  logging), purged through ``soutien.audit.services.audit_purge``.
- Refused account requests: deleted after six months
  (``soutien.accounts.services.refused_requests_purge``).
- Sent emails: deleted ``SOUTIEN_OUTBOX_RETENTION_DAYS`` after sending (30 by default),
  through ``soutien.core.outbox.outbox_purge``.
- Expired sessions: deleted (``expired_sessions_purge``).
- Stored files no attachment refers to any more: deleted after a day
  (``soutien.documents.services.orphan_files_purge``).
- Rate-limit counters (they hold client addresses): deleted once their window ended
  (``soutien.security.throttle.throttle_counters_purge``).

Each step runs on its own: a step that fails is rolled back and logged, and the next
steps still run (``retention_run`` reports every step; the command exits with an error
naming the failed steps). Cases are anonymised one transaction per case, so that one
faulty case neither blocks nor undoes the others.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction

from soutien.accounts import services as accounts
from soutien.audit import services as audit
from soutien.cases import services as cases
from soutien.core import clock, outbox
from soutien.documents import services as documents
from soutien.security.throttle import throttle_counters_purge

logger = logging.getLogger(__name__)


def audit_cutoff(now=None) -> dt.datetime:
    return (now or clock.now()) - dt.timedelta(days=settings.SOUTIEN_AUDIT_RETENTION_DAYS)


def case_cutoff(now=None) -> dt.datetime:
    return (now or clock.now()) - dt.timedelta(days=settings.SOUTIEN_CASE_RETENTION_DAYS)


def expired_sessions_purge(*, now=None) -> int:
    """Delete the sessions past their expiry date (they hold who was signed in, from
    where). Returns how many; engines without a table expire their sessions themselves."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        store.clear_expired()
        return 0
    deleted, _ = store.get_model_class().objects.filter(expire_date__lt=now or clock.now()).delete()
    return deleted


# Each step: run(now) -> how many rows or files it removed.
def _anonymise_cases(now):
    return cases.anonymise_closed_cases(older_than=case_cutoff(now))


def _purge_download_logs(now):
    return documents.download_logs_purge(older_than=audit_cutoff(now))


def _purge_audit(now):
    return audit.audit_purge(older_than=audit_cutoff(now))


def _purge_refused_requests(now):
    return accounts.refused_requests_purge(now=now)


def _purge_outbox(now):
    return outbox.outbox_purge(now=now)


def _purge_sessions(now):
    return expired_sessions_purge(now=now)


def _purge_orphan_files(now):
    return documents.orphan_files_purge(now=now)


@dataclass(frozen=True)
class Step:
    code: str
    name: str  # French: names the step in the command's output and errors
    done: str  # French: what was done, with {count}
    run: Callable[[dt.datetime | None], int]
    # False when the step commits piece by piece itself (one case at a time).
    atomic: bool = True


STEPS: list[Step] = [
    Step(
        "cases_anonymised",
        "anonymisation des dossiers clos",
        "Dossiers clos anonymisés : {count}.",
        _anonymise_cases,
        atomic=False,
    ),
    Step(
        "download_logs_deleted",
        "purge du journal des téléchargements",
        "Journal des téléchargements : {count} ligne(s) purgée(s).",
        _purge_download_logs,
    ),
    Step(
        "audit_entries_deleted",
        "purge du journal d'audit",
        "Journal d'audit : {count} entrée(s) purgée(s).",
        _purge_audit,
    ),
    Step(
        "refused_requests_deleted",
        "suppression des demandes de compte refusées",
        "Demandes de compte refusées supprimées : {count}.",
        _purge_refused_requests,
    ),
    Step(
        "sent_emails_deleted",
        "suppression des courriels envoyés",
        "Courriels envoyés supprimés : {count}.",
        _purge_outbox,
    ),
    Step(
        "expired_sessions_deleted",
        "suppression des sessions expirées",
        "Sessions expirées supprimées : {count}.",
        _purge_sessions,
    ),
    Step(
        "throttle_counters_deleted",
        "suppression des compteurs de limites échus",
        "Compteurs de limites échus supprimés : {count}.",
        lambda now: throttle_counters_purge(now=now),
    ),
    Step(
        "orphan_files_deleted",
        "suppression des fichiers sans pièce jointe",
        "Fichiers sans pièce jointe supprimés : {count}.",
        _purge_orphan_files,
    ),
]


@dataclass(frozen=True)
class StepResult:
    step: Step
    count: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def message(self) -> str:
        """What the step did, or why it stopped, in French."""
        if self.ok:
            return self.step.done.format(count=self.count)
        return (
            f"Échec de l'étape « {self.step.name} » : rien n'a été changé par cette étape "
            f"({self.error}). Les autres étapes ont été menées."
        )


def _run_step(step: Step, now) -> StepResult:
    try:
        if step.atomic:
            with transaction.atomic():
                count = step.run(now)
        else:
            count = step.run(now)
    except Exception as exc:  # one step's failure must not stop the others
        logger.exception("Retention step %s failed", step.code)
        return StepResult(step, error=f"{type(exc).__name__} : {exc}"[:500])
    logger.info("Retention step %s: %s", step.code, count)
    return StepResult(step, count=count)


def retention_run(*, now=None) -> list[StepResult]:
    """Apply every retention rule once, each step on its own; returns each step's result."""
    return [_run_step(step, now) for step in STEPS]


def retention_apply(*, now=None) -> dict[str, int | None]:
    """Apply every retention rule once; returns what each step did (None if it failed)."""
    return {result.step.code: result.count for result in retention_run(now=now)}
