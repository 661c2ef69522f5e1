"""Account emails go through the outbox: written with the change, sent once it commits,
retried when the mail server fails, and an invitation's single-use link does not stay in
the database once sent. Sent emails are deleted after the retention period."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from soutien.accounts.models import AccountRequest
from soutien.accounts.services import account_request_approve, account_request_create
from soutien.core.models import OutboxEmail
from soutien.core.outbox import ERASED_BODY, outbox_enqueue, outbox_flush, outbox_purge
from soutien.directory.models import Organisation, OrganisationKind, Role

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DOWN = {"default": {"BACKEND": "tests.cases.failing_mailer.FailingBackend"}}


def create_request(**overrides) -> AccountRequest:
    return account_request_create(
        **{
            "first_name": "Camille",
            "last_name": "Martin",
            "email": "camille.martin@exemple.test",
            "organisation_name": "Centre social Les Amandiers",
            "role": Role.BOARD_MEMBER,
            **overrides,
        }
    )


def test_a_request_writes_its_emails_to_the_outbox_and_sends_them_on_commit(
    coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_request()
        # Written in the transaction, not sent yet.
        assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 2
        assert mailoutbox == []
    assert OutboxEmail.objects.filter(sent_at__isnull=False).count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == [
        "camille.martin@exemple.test",
        "coordination@exemple.test",
    ]


def test_nothing_is_written_nor_sent_when_the_request_rolls_back(coordinator, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_request()
        raise RuntimeError("panne")
    assert not OutboxEmail.objects.exists()
    assert not AccountRequest.objects.exists()
    assert mailoutbox == []


def test_an_approval_succeeds_when_the_mail_server_is_down_and_the_invitation_follows(
    coordinator, mailoutbox, settings, django_capture_on_commit_callbacks
):
    account_request = create_request()
    organisation = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    settings.MAILERS = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        account_request_approve(
            account_request=account_request,
            organisation=organisation,
            role=Role.BOARD_MEMBER,
            by=coordinator,
        )
    account_request.refresh_from_db()
    assert account_request.status == "approved"
    invitation = OutboxEmail.objects.get(erase_after_sending=True)
    assert invitation.sent_at is None and "Panne" in invitation.last_error
    assert "/invitation/" in invitation.body  # kept until it goes out

    settings.MAILERS = LOCMEM
    assert outbox_flush(now=timezone.now() + dt.timedelta(hours=1))[0] >= 1
    sent = [m for m in mailoutbox if "/invitation/" in m.body]
    assert len(sent) == 1
    link = re.search(r"/invitation/[^/\s]+/", sent[0].body).group(0)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # The single-use link is no longer in the database.
    assert invitation.body == ERASED_BODY
    assert not OutboxEmail.objects.filter(body__contains=link).exists()


def test_other_emails_keep_their_text_after_sending(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte gardé")
    email.refresh_from_db()
    assert email.sent_at is not None and email.body == "Texte gardé"


def test_sent_emails_are_deleted_after_thirty_days(settings, mailoutbox):
    now = timezone.now()
    old_sent = OutboxEmail.objects.create(
        to="a@exemple.test", subject="Ancien", body="x", sent_at=now - dt.timedelta(days=31)
    )
    recent_sent = OutboxEmail.objects.create(
        to="a@exemple.test", subject="Récent", body="x", sent_at=now - dt.timedelta(days=29)
    )
    never_sent = OutboxEmail.objects.create(to="a@exemple.test", subject="En attente", body="x")
    OutboxEmail.objects.filter(pk=never_sent.pk).update(created_at=now - dt.timedelta(days=90))
    assert outbox_purge(now=now) == 1
    assert not OutboxEmail.objects.filter(pk=old_sent.pk).exists()
    assert OutboxEmail.objects.filter(pk=recent_sent.pk).exists()
    assert OutboxEmail.objects.filter(pk=never_sent.pk).exists()  # kept until it goes out

    settings.SOUTIEN_OUTBOX_RETENTION_DAYS = 7
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "Courriels envoyés supprimés : 1." in out.getvalue()
    assert not OutboxEmail.objects.filter(pk=recent_sent.pk).exists()
