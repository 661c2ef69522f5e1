"""The outbox: one email per recipient, claimed before it is sent (never twice at once),
retried by the task worker alone (no cron), the password-reset email included."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from soutien.cases import services
from soutien.cases.enums import Stage
from soutien.core import outbox
from soutien.core.models import OutboxEmail
from soutien.core.outbox import (
    ERASED_BODY,
    outbox_claim,
    outbox_enqueue,
    outbox_flush,
    outbox_send,
    retry_delay,
)
from tests.builders import case_at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DOWN = {"default": {"BACKEND": "tests.cases.failing_mailer.FailingBackend"}}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_each_recipient_gets_an_email_of_their_own(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emails = outbox_enqueue(
            to=["B@exemple.test", "a@exemple.test", "b@exemple.test ", "", "c@exemple.test"],
            subject="Essai",
            body="Texte",
        )
    assert [email.to for email in emails] == ["a@exemple.test", "b@exemple.test", "c@exemple.test"]
    assert sorted(m.to for m in mailoutbox) == [
        ["a@exemple.test"],
        ["b@exemple.test"],
        ["c@exemple.test"],
    ]
    for message in mailoutbox:
        assert message.cc == [] and message.bcc == []
        headers = str(message.message())
        others = {"a@exemple.test", "b@exemple.test", "c@exemple.test"} - set(message.to)
        assert not any(address in headers for address in others)


def test_partner_institutions_never_see_each_others_address(
    reference, mailoutbox, django_capture_on_commit_callbacks
):
    case, cast = case_at(Stage.SUBMITTED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_open_referral(case=case, by=cast.coordinator)
    to_partners = [m for m in mailoutbox if "votre avis est attendu" in m.subject]
    partner_addresses = {cast.partner_state.email, cast.partner_commune.email}
    assert partner_addresses <= {m.to[0] for m in to_partners}
    for message in to_partners:
        assert len(message.to) == 1 and message.cc == [] and message.bcc == []
        for other in partner_addresses - set(message.to):
            assert other not in str(message.message())


def test_an_address_that_cannot_be_delivered_is_left_out():
    emails = outbox_enqueue(
        to=["a@exemple.test\r\nBcc: espion@exemple.test", "pas une adresse", "ok@exemple.test"],
        subject="Essai",
        body="Texte",
    )
    assert [email.to for email in emails] == ["ok@exemple.test"]
    assert outbox_enqueue(to=["pas une adresse"], subject="Essai", body="Texte") == []


def test_the_retry_delay_grows_from_five_minutes_to_six_hours():
    minutes = [retry_delay(n) / dt.timedelta(minutes=1) for n in (1, 2, 3, 4, 5, 8, 9, 20)]
    assert minutes == [5, 5, 8, 16, 32, 256, 360, 360]


def test_a_silent_mail_server_is_given_up_on_long_before_the_claim_lapses():
    from config.settings import base

    timeout = dt.timedelta(seconds=base.MAILERS["default"]["OPTIONS"]["timeout"])
    assert timeout == dt.timedelta(seconds=30)
    assert retry_delay(1) == dt.timedelta(minutes=5) > 5 * timeout


def test_a_claimed_email_cannot_be_claimed_nor_sent_by_another_worker(mailoutbox):
    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    claimed = outbox_claim(email.pk)
    assert claimed is not None and len(claimed.claim_token) == 32
    assert claimed.attempts == 1
    assert claimed.next_attempt_at > timezone.now() + dt.timedelta(minutes=4)
    # A second worker, now: the email is taken.
    assert outbox_claim(email.pk) is None
    assert outbox_claim() is None
    assert outbox_send(email) is False
    assert outbox_flush() == (0, 0)
    assert mailoutbox == []


def test_a_claim_left_by_a_worker_that_died_lapses_and_the_email_goes_out_once(mailoutbox):
    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    assert outbox_claim(email.pk) is not None  # then the worker dies
    assert outbox_flush(now=later(4)) == (0, 0)
    assert outbox_flush(now=later(6)) == (1, 0)
    assert outbox_flush(now=later(60 * 24)) == (0, 0)
    assert [m.to for m in mailoutbox] == [["a@exemple.test"]]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2 and email.claim_token == ""


def test_a_worker_whose_claim_lapsed_cannot_overwrite_the_attempt_that_took_over(
    settings, mailoutbox
):
    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    slow = outbox_claim(email.pk)
    taken_over = outbox_claim(email.pk, now=later(6))
    assert taken_over is not None and taken_over.claim_token != slow.claim_token
    settings.MAILERS = DOWN
    assert outbox._deliver(slow) is False  # its failure is not recorded over the new claim
    email.refresh_from_db()
    assert (email.claim_token, email.last_error) == (taken_over.claim_token, "")
    settings.MAILERS = LOCMEM
    assert outbox._deliver(taken_over) is True
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2 and email.claim_token == ""
    assert [m.to for m in mailoutbox] == [["a@exemple.test"]]


def test_every_attempt_of_an_email_carries_the_same_message_id(settings, mailoutbox):
    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    settings.MAILERS = DOWN
    assert outbox_send(email) is False
    settings.MAILERS = LOCMEM
    assert outbox_flush(now=later(6)) == (1, 0)
    expected = f"<outbox.{email.pk}.{int(email.created_at.timestamp())}@soutien.example>"
    assert mailoutbox[0].message()["Message-ID"] == expected


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_alone_retries_a_failed_email(settings):
    """Only `db_worker` runs (no cron, no send_outbox): the failed email goes out once the
    mail server is back, and only once."""
    settings.TASKS = DB_TASKS
    settings.MAILERS = DOWN

    def worker():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval=0", verbosity=0)

    def time_passes(minutes):
        shift = dt.timedelta(minutes=minutes)
        OutboxEmail.objects.update(next_attempt_at=F("next_attempt_at") - shift)
        DBTaskResult.objects.filter(run_after__lt=get_date_max()).update(
            run_after=F("run_after") - shift
        )

    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    assert DBTaskResult.objects.ready().count() == 1  # written when the enqueue committed
    worker()
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and "Panne" in email.last_error
    # The retry is already scheduled, for when the email is due again.
    assert not DBTaskResult.objects.ready().exists()
    waiting = DBTaskResult.objects.filter(status="READY").values_list("run_after", flat=True)
    assert list(waiting) == [email.next_attempt_at]

    time_passes(6)  # still down: a second failure, and a third attempt scheduled
    worker()
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 2

    settings.MAILERS = LOCMEM
    mail.outbox = []
    time_passes(6)
    worker()
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3
    time_passes(60 * 24)  # the task scheduled by the last claim finds it sent
    worker()
    assert [m.to for m in mail.outbox] == [["a@exemple.test"]]
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_send_outbox_sends_what_is_due(settings, mailoutbox):
    settings.MAILERS = DOWN
    [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue() == "0 courriel(s) envoyé(s), 1 en échec (seront retentés).\n"
    settings.MAILERS = LOCMEM
    OutboxEmail.objects.update(next_attempt_at=None)
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue() == "1 courriel(s) envoyé(s), 0 en échec (seront retentés).\n"
    assert [m.to for m in mailoutbox] == [["a@exemple.test"]]


def test_the_password_reset_email_waits_in_the_outbox_while_the_mail_server_is_down(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="marie@exemple.test")
    settings.MAILERS = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"), {"email": "marie@exemple.test"}, follow=True
        )
    # The same neutral page as always.
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    [email] = OutboxEmail.objects.filter(to="marie@exemple.test")
    assert email.sent_at is None and "Panne" in email.last_error
    assert "/compte/mot-de-passe/nouveau/" in email.body and email.erase_after_sending

    settings.MAILERS = LOCMEM
    assert outbox_flush(now=later(6)) == (1, 0)
    [message] = mailoutbox
    assert message.to == ["marie@exemple.test"]
    link = re.search(r"/compte/mot-de-passe/nouveau/\S+", message.body).group(0)
    email.refresh_from_db()
    assert email.body == ERASED_BODY
    assert not OutboxEmail.objects.filter(body__contains=link).exists()
    assert "Choisir un nouveau mot de passe" in client.get(link, follow=True).content.decode()


def test_the_migration_splits_waiting_emails_written_for_several_recipients():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("soutien.core.migrations.0003_outbox_claims")
    waiting = OutboxEmail.objects.create(
        to="a@exemple.test, b@exemple.test,c@exemple.test", subject="Essai", body="Texte"
    )
    sent = OutboxEmail.objects.create(
        to="d@exemple.test, e@exemple.test", subject="Parti", body="x", sent_at=timezone.now()
    )
    migration.one_row_per_recipient(apps, None)
    rows = OutboxEmail.objects.filter(subject="Essai").order_by("pk")
    assert [(row.to, row.body, row.sent_at) for row in rows] == [
        ("a@exemple.test", "Texte", None),
        ("b@exemple.test", "Texte", None),
        ("c@exemple.test", "Texte", None),
    ]
    assert rows[0].pk == waiting.pk
    sent.refresh_from_db()
    assert sent.to == "d@exemple.test, e@exemple.test"  # already gone: left as it was
