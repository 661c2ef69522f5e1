"""The email outbox: a row first, then a background task sends it.

`outbox_enqueue` is called inside the service's transaction; the send task is
scheduled with `transaction.on_commit`, so nothing is sent when the change rolls
back. A failed send is kept with its error and retried later (`send_outbox`
command, run periodically, or the next enqueue), with an increasing delay.

An email carrying a single-use link is stored only until it leaves: its text is erased
once sent. Sent emails are deleted after ``SOUTIEN_OUTBOX_RETENTION_DAYS`` (`outbox_purge`,
run by the retention command).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from soutien.core.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_DELAY = dt.timedelta(hours=6)
ERASED_BODY = "[Texte effacé après l'envoi : il contenait un lien à usage unique.]"


def outbox_enqueue(
    *,
    to: list[str],
    subject: str,
    body: str,
    attachments: list[dict] | None = None,
    erase_after_sending: bool = False,
) -> OutboxEmail | None:
    """Store an email and send it once the surrounding transaction commits.

    `attachments`: text attachments, each {"filename", "mimetype", "content"}.
    `erase_after_sending`: the body holds a secret (a single-use link), erased once sent.
    """
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    email = OutboxEmail.objects.create(
        to=", ".join(recipients),
        subject=subject[:255],
        body=body,
        attachments=attachments or [],
        erase_after_sending=erase_after_sending,
    )
    transaction.on_commit(lambda: send_outbox_email.enqueue(email.pk))
    return email


def retry_delay(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2**attempts), MAX_DELAY)


def outbox_send(email: OutboxEmail) -> bool:
    """Try to send one stored email; record the outcome. Returns True once sent."""
    if email.sent_at:
        return True
    try:
        message = EmailMessage(subject=email.subject, body=email.body, to=email.recipients)
        for attachment in email.attachments:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        message.send()
    except Exception as exc:  # any transport failure is retried later, never lost
        email.attempts += 1
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
        email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        logger.warning("Outbox email %s not sent: %s", email.pk, email.last_error)
        return False
    email.attempts += 1
    email.sent_at = timezone.now()
    email.last_error = ""
    fields = ["attempts", "sent_at", "last_error"]
    if email.erase_after_sending:
        email.body, email.attachments = ERASED_BODY, []
        fields += ["body", "attachments"]
    email.save(update_fields=fields)
    return True


@task
def send_outbox_email(email_id: int) -> bool:
    email = OutboxEmail.objects.filter(pk=email_id, sent_at__isnull=True).first()
    return outbox_send(email) if email else True


def outbox_flush(now=None) -> tuple[int, int]:
    """Send every pending email whose retry time has come. Returns (sent, failed)."""
    now = now or timezone.now()
    pending = OutboxEmail.objects.filter(sent_at__isnull=True).exclude(next_attempt_at__gt=now)
    sent = failed = 0
    for email in pending.order_by("created_at").iterator():
        if outbox_send(email):
            sent += 1
        else:
            failed += 1
    return sent, failed


def outbox_purge(*, now=None) -> int:
    """Delete the emails sent more than ``SOUTIEN_OUTBOX_RETENTION_DAYS`` ago (they hold
    names and addresses; unsent ones are kept until they go out). Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.SOUTIEN_OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEmail.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
