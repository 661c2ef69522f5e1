"""The mail server is down while the platform writes 50 and more emails of every kind
(case notifications, account emails, meeting invitations with their .ics, password
resets); it comes back and two workers send the outbox at once: each email is delivered
exactly once, to one recipient.

On PostgreSQL (run by CI) the two workers really race in two threads, each with its own
connection: the row claims (select_for_update with skip_locked, then a conditional update)
keep them apart. SQLite's in-memory test database is one connection shared by threads, so
there the two workers run one after the other through the same claiming code.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from soutien.accounts.services import account_request_approve, account_request_create
from soutien.cases.enums import MeetingKind, Stage
from soutien.core.models import OutboxEmail
from soutien.core.outbox import message_id, outbox_flush, send_outbox_email
from soutien.directory.models import Organisation, OrganisationKind, Role
from soutien.meetings import services as meeting_services
from tests.builders import case_at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DOWN = {"default": {"BACKEND": "tests.cases.failing_mailer.FailingBackend"}}


def run_together(*workers):
    """Run each worker in its own thread, started together; return their results."""
    if connection.vendor == "sqlite":
        return [worker() for worker in workers]
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, worker):
        try:
            barrier.wait(timeout=10)
            results[index] = worker()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def queue_every_kind_while_the_mail_server_is_down(client, coordinator):
    case_at(Stage.REPORT_REVIEW)  # case notifications, step by step
    case, cast = case_at(Stage.REFERRAL)
    starts = timezone.now() + dt.timedelta(days=10)
    meeting_services.meeting_plan(  # one invitation with its .ics per attendee
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        attendees=[cast.partner_state, cast.partner_commune, cast.board_member],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        external_emails="invite@exterieur.test",
    )
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    for number in range(12):  # acknowledgements, coordination alerts, invitations
        account_request = account_request_create(
            first_name="Camille",
            last_name=f"Martin {number}",
            email=f"camille.{number}@exemple.test",
            organisation_name="Centre social Les Amandiers",
            role=Role.BOARD_MEMBER,
        )
        if number % 2:
            account_request_approve(
                account_request=account_request,
                organisation=caf,
                role=Role.BOARD_MEMBER,
                by=coordinator,
            )
    for number in range(3):  # password resets
        UserFactory(email=f"oubli.{number}@exemple.test")
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": f"oubli.{number}@exemple.test"},
            REMOTE_ADDR=f"192.0.2.{number + 1}",
        )
        assert response.status_code == 302


@pytest.fixture
def queued(reference, client, coordinator, settings):
    """Every kind of email, written while the mail server refuses them all."""
    settings.MAILERS = DOWN
    queue_every_kind_while_the_mail_server_is_down(client, coordinator)
    emails = list(OutboxEmail.objects.order_by("pk"))
    assert len(emails) >= 50
    assert all(e.sent_at is None and "Panne" in e.last_error for e in emails)
    subjects = " ".join(e.subject for e in emails)
    assert "Invitation : " in subjects  # with the .ics
    assert "choisir un nouveau mot de passe" in subjects
    assert "Nouvelle demande de compte" in subjects
    assert "Votre compte est prêt" in subjects
    assert "Rapport de diagnostic à relire" in subjects
    # The mail server is back, and the retry time has come.
    settings.MAILERS = LOCMEM
    mail.outbox = []
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=1))
    return emails


def assert_each_delivered_exactly_once(emails):
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    delivered = Counter(m.message()["Message-ID"] for m in mail.outbox)
    assert delivered == Counter(message_id(email) for email in emails)  # each one, once
    assert len(mail.outbox) == len(emails)
    for message in mail.outbox:
        assert len(message.to) == 1 and message.cc == [] and message.bcc == []
    expected = Counter((email.to, email.subject) for email in emails)
    assert Counter((m.to[0], m.subject) for m in mail.outbox) == expected
    with_ics = [m for m in mail.outbox if m.attachments]
    assert len(with_ics) == 4
    assert all(a.mimetype.startswith("text/calendar") for m in with_ics for a in m.attachments)


def test_two_workers_flushing_at_once_deliver_every_email_exactly_once(queued):
    results = run_together(outbox_flush, outbox_flush)
    assert all(isinstance(result, tuple) for result in results), results
    assert sum(sent for sent, _ in results) == len(queued)
    assert sum(failed for _, failed in results) == 0
    assert_each_delivered_exactly_once(queued)


def test_a_retry_task_and_a_flush_at_once_deliver_every_email_exactly_once(queued):
    """One worker runs the retry tasks (db_worker), another runs send_outbox by hand."""

    def run_the_tasks():
        return sum(bool(send_outbox_email.call(email.pk)) for email in queued)

    results = run_together(run_the_tasks, outbox_flush)
    assert not any(isinstance(result, Exception) for result in results), results
    assert results[0] + results[1][0] == len(queued)
    assert_each_delivered_exactly_once(queued)
