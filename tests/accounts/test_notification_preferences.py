"""People choose how they are told: at once, in the daily digest, or not at all, per
category; security emails always leave at once. Every notification carries a link to
the preferences and a List-Unsubscribe header (RFC 8058 one-click, no sign-in)."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from soutien.accounts import notifications as account_notifications
from soutien.accounts.models import (
    AccountEvent,
    Delivery,
    NotificationCategory,
    NotificationDigest,
    NotificationPreference,
)
from soutien.accounts.preferences import (
    preferences_of,
    preferences_set,
    unsubscribe_token,
)
from soutien.cases import notifications, services
from soutien.cases.digest import send_digests
from soutien.cases.enums import EventKind, Stage
from soutien.core.models import OutboxEmail
from soutien.core.outbox import outbox_flush
from tests.builders import case_at

pytestmark = pytest.mark.django_db

# An event of the history, of any kind (its audience is what these tests are about).
NOTE = EventKind.ACTION_UPDATE

CASE = NotificationCategory.CASE_ACTIVITY
REMINDERS = NotificationCategory.REMINDERS
MEETINGS = NotificationCategory.MEETINGS


def choose(user, **values):
    preferences_set(user=user, by=user, values=values)


@pytest.fixture
def referral(reference):
    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    return case, cast


def emails_to(user):
    return list(OutboxEmail.objects.filter(to=user.email).order_by("pk"))


# --- The page ---------------------------------------------------------------------------


def test_the_page_saves_each_choice_and_keeps_what_was_typed(client, referral):
    _, cast = referral
    user = cast.board_member
    client.force_login(user)
    url = reverse("profile:notifications")
    assert url == "/mon-compte/notifications/"
    assert url in client.get(reverse("profile:index")).content.decode()
    page = client.get(url).content.decode()
    assert "Compte et sécurité" in page and "toujours" in page
    response = client.post(url, {CASE: "digest", REMINDERS: "sometimes", MEETINGS: "none"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[REMINDERS] == ["Choisissez une des possibilités proposées."]
    assert form[CASE].value() == "digest"  # nothing typed is lost
    assert NotificationPreference.objects.filter(user=user).count() == 0
    response = client.post(url, {CASE: "digest", REMINDERS: "immediate", MEETINGS: "none"})
    assert response.status_code == 302
    assert preferences_of(user) == {
        CASE: "digest",
        REMINDERS: "immediate",
        MEETINGS: "none",
        NotificationCategory.ACCOUNT: "immediate",
    }
    assert AccountEvent.objects.filter(
        user=user, action=AccountEvent.Action.NOTIFICATIONS_CHANGED
    ).exists()


def test_account_and_security_emails_cannot_be_turned_off(referral):
    _, cast = referral
    user = cast.board_member
    with pytest.raises(ValueError):
        choose(user, account="none")
    with pytest.raises(IntegrityError):
        NotificationPreference.objects.create(user=user, category="account", delivery="none")


def test_security_emails_ignore_preferences(referral):
    _, cast = referral
    user = cast.board_member
    choose(user, **{CASE: "none", REMINDERS: "none", MEETINGS: "none"})
    account_notifications.notify_access_added(
        user=user, organisation=cast.association, role_label="Administrateur bénévole"
    )
    [email] = emails_to(user)
    assert "List-Unsubscribe" not in email.headers
    assert "/mon-compte/notifications/" in email.body
    assert "toujours envoyés" in email.body


# --- Case notifications follow the choice ----------------------------------------------


def test_case_notifications_follow_each_persons_choice(referral):
    case, cast = referral
    choose(cast.partner_state, **{CASE: "none"})
    choose(cast.partner_commune, **{CASE: "digest"})
    notifications.notify(case, notifications.partners(case), "Essai", "Un changement.")
    assert emails_to(cast.partner_state) == []
    assert emails_to(cast.partner_commune) == []
    choose(cast.partner_state, **{CASE: "immediate"})
    notifications.notify(case, notifications.partners(case), "Essai", "Un changement.")
    [email] = emails_to(cast.partner_state)
    assert "http://testserver/mon-compte/notifications/" in email.body or (
        "/mon-compte/notifications/" in email.body
    )
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/mon-compte/notifications/desabonnement/\S+/>",
                        email.headers["List-Unsubscribe"])  # fmt: skip


def test_meeting_invitations_have_their_own_category(referral):
    from soutien.meetings.services import meeting_plan

    case, cast = referral
    choose(cast.partner_state, **{MEETINGS: "none"})
    choose(cast.partner_commune, **{CASE: "none"})  # another category: still invited
    meeting_plan(
        case=case,
        by=cast.coordinator,
        kind="referral",
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Caf, salle 2",
        attendees=[cast.partner_state, cast.partner_commune],
    )
    assert emails_to(cast.partner_state) == []
    [invitation] = emails_to(cast.partner_commune)
    assert invitation.subject.startswith("Invitation : ")
    assert invitation.attachments[0]["filename"] == "invitation.ics"
    assert invitation.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mon-compte/notifications/" in invitation.body


def test_the_list_unsubscribe_header_reaches_the_message(referral, mailoutbox):
    case, cast = referral
    notifications.notify(case, [cast.partner_state.email], "Essai", "Un changement.")
    outbox_flush()
    [message] = [m for m in mailoutbox if m.to == [cast.partner_state.email]]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["Message-ID"].startswith("<outbox.")


# --- One-click unsubscribe ---------------------------------------------------------------


def test_one_click_unsubscribe_works_without_signing_in(client, referral):
    _, cast = referral
    user = cast.partner_state
    url = reverse("profile:unsubscribe", args=[unsubscribe_token(user, REMINDERS)])
    # Opening the link (or a preview of it) changes nothing: it asks to confirm.
    response = client.get(url)
    assert response.status_code == 200
    assert preferences_of(user)[REMINDERS] == "immediate"
    # The mail provider's one-click POST (RFC 8058), without session nor CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "C'est fait" in response.content.decode()
    assert preferences_of(user)[REMINDERS] == "none"
    assert preferences_of(user)[CASE] == "immediate"


def test_an_altered_unsubscribe_link_changes_nothing(client, referral):
    _, cast = referral
    user = cast.partner_state
    token = unsubscribe_token(user, REMINDERS)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("profile:unsubscribe", args=[forged]))
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()
    assert preferences_of(user)[REMINDERS] == "immediate"


def test_no_unsubscribe_link_exists_for_security_emails(referral):
    from soutien.accounts.preferences import InvalidUnsubscribeLink

    with pytest.raises(InvalidUnsubscribeLink):
        unsubscribe_token(referral[1].partner_state, NotificationCategory.ACCOUNT)


# --- The daily digest --------------------------------------------------------------------


def test_the_digest_lists_what_awaits_and_what_changed_once_a_day(referral):
    case, cast = referral
    user = cast.partner_state
    choose(user, **{CASE: "digest", REMINDERS: "digest"})
    services.opinion_give(case=case, by=cast.partner_commune, value="favourable")
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome="validated",
        justification="Décidé en comité des financeurs.",
    )
    assert emails_to(user) == []  # nothing at once: it waits for the digest
    now = timezone.now() + dt.timedelta(minutes=1)
    assert send_digests(now=now) == 1
    [digest] = emails_to(user)
    today = timezone.localdate(now)
    assert digest.subject == f"Votre récapitulatif Soutien du {today:%d/%m/%Y}"
    assert "CE QUI A CHANGÉ SUR VOS DOSSIERS" in digest.body
    assert f"[{case.display_number}]" in digest.body
    labels = list(case.events.filter(created_at__lte=now).values_list("label", flat=True))
    assert any(label in digest.body for label in labels)
    assert "/mon-compte/notifications/" in digest.body
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Once a day.
    assert send_digests(now=now + dt.timedelta(hours=2)) == 0
    assert NotificationDigest.objects.filter(user=user).count() == 1


def test_the_digest_lists_the_opinion_awaited(referral):
    case, cast = referral
    user = cast.partner_state
    choose(user, **{REMINDERS: "digest"})
    assert send_digests(now=timezone.now()) == 1
    [digest] = emails_to(user)
    assert "CE QUI VOUS ATTEND" in digest.body
    assert "Donner l'avis de votre institution" in digest.body
    assert "CE QUI A CHANGÉ" not in digest.body  # case activity is sent at once


def test_nothing_is_sent_when_the_digest_would_be_empty(referral):
    case, cast = referral
    user = cast.evaluator  # nothing awaits them, they follow no case
    choose(user, **{CASE: "digest"})
    assert send_digests(now=timezone.now()) == 0
    assert emails_to(user) == []


def test_the_digest_shows_only_the_events_the_person_may_read(referral):
    case, cast = referral
    partner = cast.partner_state
    choose(partner, **{CASE: "digest", REMINDERS: "none"})
    since = timezone.now()
    services.record_event(
        case=case,
        kind=NOTE,
        label="Note réservée au gestionnaire",
        audience="manager_provider",
    )
    services.record_event(case=case, kind=NOTE, label="Étape visible de tous")
    assert send_digests(now=since + dt.timedelta(minutes=1)) == 1
    [digest] = emails_to(partner)
    assert "Étape visible de tous" in digest.body
    assert "Note réservée au gestionnaire" not in digest.body
    assert "Donner l'avis" not in digest.body  # reminders turned off


def test_the_digest_unsubscribe_link_turns_off_every_digest_category(client, referral):
    from soutien.accounts.preferences import DIGEST

    _, cast = referral
    user = cast.partner_state
    choose(user, **{CASE: "digest", REMINDERS: "digest", MEETINGS: "immediate"})
    url = reverse("profile:unsubscribe", args=[unsubscribe_token(user, DIGEST)])
    assert client.post(url).status_code == 200
    assert preferences_of(user) == {
        CASE: "none",
        REMINDERS: "none",
        MEETINGS: "immediate",
        NotificationCategory.ACCOUNT: "immediate",
    }
    assert Delivery.NONE == "none"


def test_extra_headers_cannot_add_a_line_nor_replace_an_address_or_the_message_id(mailoutbox):
    from soutien.core.outbox import outbox_enqueue

    [email] = outbox_enqueue(
        to=["a@exemple.test"],
        subject="Essai",
        body="Texte",
        headers={
            "List-Unsubscribe": "<https://exemple.test/x/>\r\nBcc: espion@exemple.test",
            "Bcc": "espion@exemple.test",
            "Message-ID": "<forge@exemple.test>",
        },
    )
    assert email.headers == {
        "List-Unsubscribe": "<https://exemple.test/x/> Bcc: espion@exemple.test"
    }
    outbox_flush()
    [message] = mailoutbox
    assert message.bcc == []
    assert message.extra_headers["Message-ID"].startswith("<outbox.")
    assert "espion" not in str(message.message()["Bcc"] or "")
