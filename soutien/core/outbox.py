"""The email outbox: one row per recipient first, then a background task sends it.

Writing. `outbox_enqueue` is called inside the service's transaction. It writes one row
per recipient (nobody sees another recipient's address in ``To:``) and schedules the send
task with `transaction.on_commit`, so nothing is sent when the change rolls back.

Sending. Whoever sends a row (the task `send_outbox_email`, or `outbox_flush`, which the
`send_outbox` command runs) first claims it, in one transaction: the row is locked
(`select_for_update(skip_locked=True)`, which PostgreSQL honours) and updated only if it
is still due (a conditional UPDATE, which alone serialises claims on SQLite), with a new
claim token, one more attempt, and its next attempt time pushed to the retry delay. Two
workers therefore never send the same row. The same transaction schedules the task of
that next attempt (`run_after`) when the task backend can defer (django-tasks-db, that is
`db_worker` in production); then:

- sent: the row is marked sent under its claim token; the scheduled task finds it sent;
- refused by the mail server: the error is recorded and the scheduled task retries it,
  after 5 minutes, then a delay that doubles up to 6 hours. Only `db_worker` needs to
  run: no cron;
- the worker died while sending: the claim lapses at that same time and the scheduled
  task retries it.

Residual risk: delivery is at least once, not exactly once, in one case. If the process
dies after the mail server accepted a message and before the row is marked sent, the
lapsed claim sends it again. Every attempt of a row carries the same Message-ID, so mail
clients that deduplicate by Message-ID show it once. With the immediate task backend
(development, tests) nothing can be deferred: `send_outbox` retries what failed; it also
catches a row whose task could not be written after the commit.

An email carrying a single-use link is stored only until it leaves: its text is erased
once sent. Sent emails are deleted after ``SOUTIEN_OUTBOX_RETENTION_DAYS`` (`outbox_purge`,
run by the retention command).

Loading demo data. Inside ``with outbox_suppressed():`` nothing is queued: the services
run as usual (their notifications are worked out) but no row is written and no task
scheduled, so loading the demo or a test dataset through the services sends no email.
"""

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task

from soutien.core import clock
from soutien.core.models import OutboxEmail
from soutien.core.text import one_line

logger = logging.getLogger(__name__)

MIN_DELAY = dt.timedelta(minutes=5)
MAX_DELAY = dt.timedelta(hours=6)
RESERVED_HEADERS = {"message-id", "to", "cc", "bcc", "from", "reply-to", "subject", "sender"}
ERASED_BODY = "[Texte effacé après l'envoi : il contenait un lien à usage unique.]"

# Set by `outbox_suppressed` for the code running inside its block (this thread or task).
_suppressed: ContextVar[bool] = ContextVar("soutien_outbox_suppressed", default=False)


@contextlib.contextmanager
def outbox_suppressed() -> Iterator[None]:
    """Queue no email inside the block (nestable): for loading demo data and test
    datasets through the real services, whose dates lie in the past."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    """True inside `outbox_suppressed`: what would only lead to an email (a letter
    announced to the manager) is not started either."""
    return _suppressed.get()


def _address(value: str) -> str | None:
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def outbox_enqueue(
    *,
    to: list[str],
    subject: str,
    body: str,
    attachments: list[dict] | None = None,
    erase_after_sending: bool = False,
    headers: dict[str, str] | None = None,
) -> list[OutboxEmail]:
    """Store one email per recipient; each is sent once the surrounding transaction commits.
    Returns the rows written (none when no address is valid, or inside
    `outbox_suppressed`).

    `subject` is put on one line: a line break typed in a name can add no header.
    `attachments`: text attachments, each {"filename", "mimetype", "content"}.
    `erase_after_sending`: the body holds a secret (a single-use link), erased once sent.
    `headers`: extra headers of the message (e.g. List-Unsubscribe), each value put on one
    line; Message-ID and the address headers cannot be replaced.
    """
    if _suppressed.get():
        return []
    extra = {
        one_line(name): one_line(value)
        for name, value in (headers or {}).items()
        if one_line(name).lower() not in RESERVED_HEADERS
    }
    recipients = set()
    for value in to:
        address = _address(value)
        if address:
            recipients.add(address)
        elif value and value.strip():
            # Cannot be delivered (and could forge a header): left out, said in the log
            # (without the address itself: the log keeps no personal data).
            logger.warning("Outbox: an invalid address was left out.")
    emails = [
        OutboxEmail.objects.create(
            to=address,
            subject=one_line(subject)[:255],
            body=body,
            attachments=attachments or [],
            erase_after_sending=erase_after_sending,
            headers=extra,
        )
        for address in sorted(recipients)
    ]
    for email in emails:
        transaction.on_commit(lambda pk=email.pk: send_outbox_email.enqueue(pk))
    return emails


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a row stays claimed after its `attempts`-th attempt, and so when it is
    retried if that attempt fails: 5 minutes, then doubling, at most 6 hours."""
    return min(max(dt.timedelta(minutes=2**attempts), MIN_DELAY), MAX_DELAY)


def _due(now) -> Q:
    return Q(sent_at__isnull=True) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _schedule_attempt(email_id: int, at: dt.datetime) -> None:
    """The task of the next attempt, when the task backend can run it later (db_worker)."""
    if send_outbox_email.get_backend().supports_defer:
        send_outbox_email.using(run_after=at).enqueue(email_id)


def outbox_claim(email_id: int | None = None, *, now=None) -> OutboxEmail | None:
    """Claim the given email, or the oldest due one, for one attempt. Returns it (with its
    ``claim_token``), or None when it is sent, not due, or claimed by another worker."""
    now = now or clock.now()
    with transaction.atomic():
        due = OutboxEmail.objects.filter(_due(now))
        if email_id is not None:
            due = due.filter(pk=email_id)
        email = due.select_for_update(skip_locked=True).order_by("created_at", "pk").first()
        if email is None:
            return None
        token = secrets.token_hex(16)
        retry_at = now + retry_delay(email.attempts + 1)
        claimed = OutboxEmail.objects.filter(_due(now), pk=email.pk).update(
            claim_token=token, attempts=F("attempts") + 1, next_attempt_at=retry_at
        )
        if not claimed:  # taken by another worker between the read and the update
            return None
        _schedule_attempt(email.pk, retry_at)
    email.refresh_from_db(fields=["claim_token", "attempts", "next_attempt_at"])
    return email


def message_id(email: OutboxEmail) -> str:
    """The same Message-ID for every attempt of a row (a resend can be recognised)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "soutien.local"
    return f"<outbox.{email.pk}.{int(email.created_at.timestamp())}@{domain}>"


def _deliver(email: OutboxEmail) -> bool:
    """Send a claimed email to its one recipient and record the outcome under its claim."""
    mine = OutboxEmail.objects.filter(pk=email.pk, claim_token=email.claim_token)
    try:
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            to=[email.to],
            headers={**email.headers, "Message-ID": message_id(email)},
        )
        for attachment in email.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        message.send()
    except Exception as exc:  # any transport failure is retried later, never lost
        error = f"{type(exc).__name__}: {exc}"[:2000]
        mine.update(claim_token="", last_error=error)
        email.claim_token, email.last_error = "", error
        logger.warning("Outbox email %s not sent (attempt %s): %s", email.pk, email.attempts, error)
        return False
    done = {"sent_at": clock.now(), "claim_token": "", "last_error": "", "next_attempt_at": None}
    if email.erase_after_sending:
        done.update(body=ERASED_BODY, attachments=[])
    if not mine.filter(sent_at__isnull=True).update(**done):
        # The claim lapsed and another worker took the row over: it may go out twice.
        logger.error("Outbox email %s sent after its claim lapsed: it may arrive twice.", email.pk)
    for name, value in done.items():
        setattr(email, name, value)
    return True


def outbox_send(email: OutboxEmail) -> bool:
    """Claim and send one stored email. Returns True once it is sent (now or before)."""
    claimed = outbox_claim(email.pk)
    if claimed is None:
        return OutboxEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists()
    return _deliver(claimed)


@task
def send_outbox_email(email_id: int) -> bool:
    """Send one email of the outbox if it is due (its first attempt, or a retry)."""
    claimed = outbox_claim(email_id)
    return _deliver(claimed) if claimed else False


def outbox_flush(now=None) -> tuple[int, int]:
    """Claim and send, one by one, every email that is due. Several may run at once: each
    email goes out once. Returns (sent, failed) for this run."""
    now = now or clock.now()
    sent = failed = 0
    while (email := outbox_claim(now=now)) is not None:
        if _deliver(email):
            sent += 1
        else:
            failed += 1
    return sent, failed


def outbox_purge(*, now=None) -> int:
    """Delete the emails sent more than ``SOUTIEN_OUTBOX_RETENTION_DAYS`` ago (they hold
    names and addresses; unsent ones are kept until they go out). Returns how many."""
    cutoff = (now or clock.now()) - dt.timedelta(days=settings.SOUTIEN_OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEmail.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
