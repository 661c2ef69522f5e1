"""Every action the audit log records, as one enumeration.

The platform's code names its actions only through this enumeration (a test reads the
code and refuses a bare string), so a misspelt action can never slip into the log, where
the readers of "who read the report" or the right-of-access export look for exact values.
The events of a case are recorded as ``case.<kind>``, the kind being one of
`soutien.cases.enums.EventKind` (checked by `soutien.cases.services.record_event`).
"""

from enum import StrEnum

CASE_EVENT_PREFIX = "case."


class AuditAction(StrEnum):
    # Sign-in and sessions
    LOGIN_SUCCESS = "login.success"
    LOGIN_FAILURE = "login.failure"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session.expired"
    TWO_FACTOR_EMAIL_CODE_SENT = "two_factor.email_code_sent"
    TWO_FACTOR_ENROLLED = "two_factor.enrolled"
    TWO_FACTOR_FAILURE = "two_factor.failure"
    TWO_FACTOR_RECOVERY_CODES = "two_factor.recovery_codes"
    TWO_FACTOR_VERIFIED = "two_factor.verified"
    PERMISSION_DENIED = "permission.denied"
    # Reads and exports
    CASE_VIEW = "case.view"
    CASE_VIEW_STAGE = "case.view_stage"
    CASES_EXPORT = "cases.export"
    REPORT_VIEW = "report.view"
    DOCUMENT_DOWNLOAD = "document.download"
    EVALUATION_EXPORT = "evaluation.export"
    DATA_EXPORT = "data.export"
    SELFCHECK_READ = "selfcheck.read"
    # The self-check's questionnaire and the saved self-checks
    SELFCHECK_QUESTION_UPDATE = "selfcheck.question_update"
    SELFCHECK_THRESHOLD_UPDATE = "selfcheck.threshold_update"
    SELFCHECK_SAVED = "selfcheck.saved"
    # The log itself
    AUDIT_PURGE = "audit.purge"
    AUDIT_CHAIN_OPEN = "audit.chain_open"
