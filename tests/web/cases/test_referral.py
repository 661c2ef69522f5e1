"""Saisine concertée: completeness, referral, opinions, decision, withdrawal."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import OpinionValue, Stage
from tests.web.cases.conftest import flash, html

pytestmark = pytest.mark.django_db


def test_coordinator_opens_the_referral_once(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    url = reverse("cases:transition", args=[case.pk, "open_referral"])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL
    assert case.opinions.count() >= 4
    response = client.post(url)
    assert response.status_code == 302
    assert "Action déjà effectuée." in flash(response)
    assert case.events.filter(kind="open_referral").count() == 1


def test_return_for_completion_needs_a_message(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    url = reverse("cases:transition", args=[case.pk, "return_for_completion"])
    response = client.post(url, {"text": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
    response = client.post(url, {"text": "Joignez le dernier bilan."})
    case.refresh_from_db()
    assert case.stage == Stage.RETURNED
    # The manager sees the coordinator's message on the form.
    client.force_login(cast.board_member)
    response = client.get(reverse("cases:form", args=[case.pk]))
    assert "Joignez le dernier bilan." in html(response)


def test_partner_gives_then_revises_an_opinion(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    url = reverse("cases:opinion", args=[case.pk])
    response = client.post(url, {"value": "", "comment": "Mon commentaire"})
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert "Mon commentaire" in html(response)
    client.post(url, {"value": OpinionValue.RESERVED, "comment": "À préciser"})
    client.post(url, {"value": OpinionValue.FAVOURABLE, "comment": "Précisé"})
    opinion = case.opinions.get(partner__funder_level="state")
    assert opinion.value == OpinionValue.FAVOURABLE
    assert opinion.comment == "Précisé"


def test_an_opinion_shows_who_gave_it_and_when_even_without_an_account(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    client.post(
        reverse("cases:opinion", args=[case.pk]),
        {"value": OpinionValue.FAVOURABLE, "comment": "D'accord"},
    )
    opinion = case.opinions.get(partner__funder_level="state")
    given = timezone.localtime(opinion.given_at).strftime("%d/%m/%Y à %H:%M")
    client.force_login(cast.coordinator)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    name = cast.partner_state.get_full_name()
    assert f"{name}, le {given}" in page
    # An opinion recorded without its author (an account since deleted, imported data):
    # the date alone, without a stray comma.
    when = timezone.now() - dt.timedelta(days=1)
    case.opinions.filter(pk=opinion.pk).update(given_by=None, given_at=when)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert f"Le {timezone.localtime(when).strftime('%d/%m/%Y à %H:%M')}" in page
    assert ", le " not in page.split("Saisine concertée")[-1].split("Messages")[0]


def test_opinions_are_hidden_from_the_centre_and_the_provider(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    client.post(
        reverse("cases:opinion", args=[case.pk]),
        {"value": OpinionValue.RESERVED, "comment": "Commentaire confidentiel"},
    )
    client.force_login(cast.coordinator)
    assert "Commentaire confidentiel" in html(client.get(reverse("cases:detail", args=[case.pk])))
    client.force_login(cast.board_member)
    assert "Commentaire confidentiel" not in html(
        client.get(reverse("cases:detail", args=[case.pk]))
    )


def test_a_partner_not_concerned_gets_a_404(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_other_commune)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert (
        client.post(reverse("cases:opinion", args=[case.pk]), {"value": "favourable"}).status_code
        == 404
    )


def test_decision_with_a_missing_opinion_needs_a_justification(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    url = reverse("cases:decision", args=[case.pk])
    response = client.post(
        url, {"outcome": "refused", "grounds": "Hors champ", "justification": ""}
    )
    assert response.status_code == 200
    assert "justifiez" in response.context["form"].errors["justification"][0]
    assert "Hors champ" in html(response)
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_coordinator_validates_and_a_double_post_says_already_done(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    url = reverse("cases:decision", args=[case.pk])
    data = {"outcome": "validated", "justification": "Décidé en comité."}
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Action déjà effectuée." in html(response)


def test_refusal_needs_grounds(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("cases:decision", args=[case.pk]),
        {"outcome": "refused", "grounds": "", "justification": "En comité."},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["grounds"]


def test_manager_withdraws_until_the_decision(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.board_member)
    url = reverse("cases:transition", args=[case.pk, "withdraw"])
    assert client.get(url).status_code == 200
    client.post(url, {"text": "Situation réglée."})
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED_WITHOUT_FOLLOW_UP


def test_partner_cannot_withdraw(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    response = client.post(reverse("cases:transition", args=[case.pk, "withdraw"]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_referral_meeting_is_recorded(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    url = reverse("meetings:meeting_create", args=[case.pk, "referral"])
    response = client.post(url, {"starts_at": "pas une date", "summary": "Notes gardées"})
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"]
    assert "Notes gardées" in html(response)
    response = client.post(
        url,
        {"starts_at": "2025-03-04T10:00", "attendees_text": "État, Ville", "summary": "Accord"},
    )
    assert response.status_code == 302
    assert case.meetings.get().summary == "Accord"
    # A referral meeting is for coordination and partners only.
    client.force_login(cast.board_member)
    assert "Accord" not in html(client.get(reverse("cases:detail", args=[case.pk])))
