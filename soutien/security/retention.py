"""Data retention (RGPD): how long the platform keeps what.

- Audit entries: ``SOUTIEN_AUDIT_RETENTION_DAYS`` (365 by default, CNIL guidance on
  logging), purged through ``soutien.audit.services.audit_purge``.
- Closed cases: anonymised ``SOUTIEN_CASE_RETENTION_DAYS`` after closure (5 years by
  default). The cases app provides the work as
  ``soutien.cases.services.anonymise_closed_cases(*, older_than: datetime) -> int``
  (returns the number of cases anonymised); until it exists the retention command
  says so rather than pretending.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from soutien.audit.services import audit_purge

CASE_ANONYMISATION_HOOK = "soutien.cases.services.anonymise_closed_cases"


def case_anonymisation_hook() -> Callable | None:
    """The cases app's ``anonymise_closed_cases`` if it is written yet, else None."""
    try:
        from soutien.cases import services
    except ImportError:
        return None
    return getattr(services, "anonymise_closed_cases", None)


def audit_cutoff(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SOUTIEN_AUDIT_RETENTION_DAYS)


def case_cutoff(now=None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SOUTIEN_CASE_RETENTION_DAYS)


def retention_apply(*, now=None) -> dict:
    """Apply every retention rule once; returns what was done (None: not available)."""
    result = {"audit_entries_deleted": audit_purge(older_than=audit_cutoff(now))}
    hook = case_anonymisation_hook()
    result["cases_anonymised"] = hook(older_than=case_cutoff(now)) if hook else None
    from soutien.accounts.services import refused_requests_purge

    result["refused_requests_deleted"] = refused_requests_purge(now=now)
    return result
