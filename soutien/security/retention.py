"""Data retention (RGPD): how long the platform keeps what.

- Audit entries: ``SOUTIEN_AUDIT_RETENTION_DAYS`` (365 by default, CNIL guidance on
  logging), purged through ``soutien.audit.services.audit_purge``.
- Closed cases: anonymised ``SOUTIEN_CASE_RETENTION_DAYS`` after closure (5 years by
  default), through ``soutien.cases.services.anonymise_closed_cases``.
- Refused account requests: deleted after six months
  (``soutien.accounts.services.refused_requests_purge``).
- Sent emails: deleted ``SOUTIEN_OUTBOX_RETENTION_DAYS`` after sending (30 by default),
  through ``soutien.core.outbox.outbox_purge``.
- Stored files no attachment refers to any more: deleted after a day
  (``soutien.documents.services.orphan_files_purge``).
- Rate-limit counters (they hold client addresses): deleted once their window ended
  (``soutien.security.throttle.throttle_counters_purge``).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from soutien.audit.services import audit_purge
from soutien.security.throttle import throttle_counters_purge


def audit_cutoff(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SOUTIEN_AUDIT_RETENTION_DAYS)


def case_cutoff(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SOUTIEN_CASE_RETENTION_DAYS)


def retention_apply(*, now=None) -> dict:
    """Apply every retention rule once; returns what was done."""
    from soutien.accounts.services import refused_requests_purge
    from soutien.cases.services import anonymise_closed_cases
    from soutien.core.outbox import outbox_purge
    from soutien.documents.services import orphan_files_purge

    return {
        "audit_entries_deleted": audit_purge(older_than=audit_cutoff(now)),
        "cases_anonymised": anonymise_closed_cases(older_than=case_cutoff(now)),
        "refused_requests_deleted": refused_requests_purge(now=now),
        "sent_emails_deleted": outbox_purge(now=now),
        "orphan_files_deleted": orphan_files_purge(now=now),
        "throttle_counters_deleted": throttle_counters_purge(now=now),
    }
