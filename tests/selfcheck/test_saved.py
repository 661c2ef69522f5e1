"""Saved self-checks: kept by a centre's manager, seen by its managers and employees
only, with the trend over time and a yearly reminder."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from soutien.core.models import OutboxEmail
from soutien.directory.models import Role
from soutien.selfcheck.models import SavedSelfCheck
from soutien.selfcheck.reminders import send_yearly_reminders
from soutien.selfcheck.services import saved_selfcheck_create
from tests.builders import make_cast
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"tresorerie": "moins-de-2", "assemblee-generale": "oui", "frequentation": "stable"}


def save_by(client, user, centre, answers=ANSWERS):
    client.force_login(user)
    return client.post(reverse("selfcheck:save"), {**answers, "centre": centre.pk})


def test_a_manager_keeps_a_self_check_for_the_centre(client, questionnaire):
    cast = make_cast()
    result = client.post(reverse("selfcheck:result"), ANSWERS)
    assert result.context["save_form"] is None  # anonymous: nothing to keep
    client.force_login(cast.board_member)
    result = client.post(reverse("selfcheck:result"), ANSWERS)
    assert "Enregistrer pour mon centre" in result.content.decode()
    response = client.post(reverse("selfcheck:save"), {**ANSWERS, "centre": cast.centre.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("selfcheck:saved_list")
    saved = SavedSelfCheck.objects.get()
    assert saved.centre == cast.centre and saved.saved_by == cast.board_member
    assert saved.answers == ANSWERS
    assert saved.levels == {"gestion-financiere": 2, "gouvernance": 0, "ingenierie-de-projets": 0}


def test_an_employee_cannot_keep_one_and_a_foreign_centre_is_refused(client, questionnaire):
    cast, other = make_cast(), make_cast()
    client.force_login(cast.staff)
    page = client.post(reverse("selfcheck:result"), ANSWERS)
    assert page.context["save_form"] is None
    assert save_by(client, cast.staff, cast.centre).status_code == 404
    response = save_by(client, cast.board_member, other.centre)
    assert response.status_code == 400
    assert "Choisissez un des centres proposés." in response.content.decode()
    with pytest.raises(PermissionDenied):
        saved_selfcheck_create(centre=other.centre, by=cast.board_member, answers=ANSWERS)
    assert not SavedSelfCheck.objects.exists()


def test_saved_self_checks_are_seen_by_the_centre_only(client, questionnaire):
    cast = make_cast()
    saved = saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    detail = reverse("selfcheck:saved_detail", args=[saved.pk])
    listing = reverse("selfcheck:saved_list")
    expected = {
        "board_member": (200, 200),
        "staff": (200, 200),
        "coordinator": (404, 404),
        "partner_state": (404, 404),
        "partner_commune": (404, 404),
        "consultant": (404, 404),
        "evaluator": (404, 404),
        "outsider": (200, 404),  # a centre of their own: their (empty) list, not this one
    }
    observed = {}
    for role in expected:
        client.force_login(getattr(cast, role))
        observed[role] = (client.get(listing).status_code, client.get(detail).status_code)
    assert observed == expected
    superuser = MembershipFactory(user__is_superuser=True, user__is_staff=True).user
    client.force_login(superuser)
    assert client.get(detail).status_code == 404


def test_the_list_shows_the_trend_in_words(client, questionnaire):
    cast = make_cast()
    older = saved_selfcheck_create(
        centre=cast.centre, by=cast.board_member, answers={"tresorerie": "plus-de-3"}
    )
    SavedSelfCheck.objects.filter(pk=older.pk).update(
        saved_at=timezone.now() - dt.timedelta(days=400)
    )
    saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    client.force_login(cast.staff)
    response = client.get(reverse("selfcheck:saved_list"))
    rows = response.context["by_centre"][cast.centre]
    finances = [d.code for d in response.context["domains"]].index("gestion-financiere")
    assert [levels[finances].label for _, levels in rows] == ["Signes d'alerte", "Aucun signe"]
    html = response.content.decode()
    assert "Sans réponse" in html  # a field not answered that year


def test_the_yearly_reminder_invites_the_managers_once(questionnaire):
    cast = make_cast()
    saved = saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    other_manager = MembershipFactory(organisation=cast.association, role=Role.BOARD_MEMBER).user
    start = saved.saved_at
    assert send_yearly_reminders(now=start + dt.timedelta(days=364)) == 0
    assert send_yearly_reminders(now=start + dt.timedelta(days=366)) == 1
    emails = OutboxEmail.objects.order_by("to")
    recipients = sorted([cast.board_member.email, other_manager.email])
    assert [email.to for email in emails] == recipients  # managers, not the staff
    assert cast.centre.name in emails[0].body
    assert "/auto-diagnostic/" in emails[0].body
    assert "moins-de-2" not in emails[0].body  # never the answers
    # Not again the same year; again a year later.
    assert send_yearly_reminders(now=start + dt.timedelta(days=500)) == 0
    assert send_yearly_reminders(now=start + dt.timedelta(days=366 + 366)) == 1
    # A newer self-check postpones the reminder.
    saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    assert send_yearly_reminders(now=timezone.now() + dt.timedelta(days=30)) == 0


def test_the_daily_task_sends_the_yearly_invitation(questionnaire):
    """The task worker's daily run (reminders, digests) also invites the managers whose
    self-check is a year old: no other scheduler is needed."""
    from soutien.cases.tasks import run_daily

    cast = make_cast()
    saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    done = run_daily(now=timezone.now() + dt.timedelta(days=366))
    assert done["send_yearly_reminders"] == 1
    assert cast.board_member.email in OutboxEmail.objects.values_list("to", flat=True)
