"""The follow-up answer page: the case's managers only, once sent, once; the answers on
the case page for the coordination and the managers, never for partners or provider."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from soutien.followup.models import FollowUp
from tests.followup.helpers import at, closed_case, run_at

pytestmark = pytest.mark.django_db

VALID = {
    "situation": "stabilised",
    "actions_continued": "some",
    "new_difficulties": "1",
    "new_difficulties_text": "Départ de la directrice en juin.",
    "would_ask_again": "unsure",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sent():
    """A case closed on 15 March 2026 whose 6-month questionnaire went out on 15 September."""
    case, cast = closed_case(at(2026, 3, 15, 10))
    run_at(at(2026, 9, 15))
    return case, cast


def url(case, milestone=6):
    return reverse("followup:answer", args=[case.pk, milestone])


def test_the_manager_answers_once_and_the_answers_are_recorded(reference, sent):
    case, cast = sent
    client = client_for(cast.board_member)
    page = client.get(url(case))
    assert page.status_code == 200
    assert "Aujourd&#x27;hui, où en est le centre ?" in page.text
    assert "lues par la coordination de la mission" in page.text
    response = client.post(url(case), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    followup = FollowUp.objects.get(case=case, milestone=6)
    assert (
        followup.situation,
        followup.actions_continued,
        followup.new_difficulties,
        followup.new_difficulties_text,
        followup.would_ask_again,
        followup.answered_by,
    ) == (
        "stabilised",
        "some",
        True,
        "Départ de la directrice en juin.",
        "unsure",
        cast.board_member,
    )
    # A second answer is refused, the first kept.
    again = client.post(url(case), {**VALID, "situation": "deteriorated"})
    assert again.status_code == 302
    followup.refresh_from_db()
    assert followup.situation == "stabilised"


def test_new_difficulties_without_words_are_asked_beside_the_field(reference, sent):
    case, cast = sent
    response = client_for(cast.board_member).post(
        url(case), {**VALID, "new_difficulties_text": "  ", "would_ask_again": ""}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["new_difficulties_text"] == [
        "Décrivez en quelques mots les nouvelles difficultés."
    ]
    assert form.errors["would_ask_again"] == [
        "Indiquez si vous feriez de nouveau appel à la mission."
    ]
    # What was typed is kept: the choices stay checked.
    checked = re.findall(r'<input type="radio"[^>]*value="(\w+)"[^>]*checked', response.text)
    assert checked == ["stabilised", "some", "1"]
    assert FollowUp.objects.get(case=case, milestone=6).answered_at is None


def test_before_it_is_sent_the_manager_is_told_when_it_opens(reference, sent):
    case, cast = sent
    client = client_for(cast.board_member)
    response = client.get(url(case, 12), follow=True)
    assert "Ce questionnaire de suivi s&#x27;ouvrira le 15\u00a0mars 2027" in response.text
    assert client.post(url(case, 12), VALID).status_code == 302
    assert FollowUp.objects.get(case=case, milestone=12).answered_at is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 302),
        ("partner_state", 302),
        ("partner_commune", 302),
        ("consultant", 302),
        ("staff", 404),
        ("partner_other_commune", 404),
        ("other_consultant", 404),
        ("evaluator", 404),
        ("outsider", 404),
    ],
)
def test_only_the_manager_may_answer(reference, sent, role, status):
    case, cast = sent
    client = client_for(getattr(cast, role))
    assert client.get(url(case)).status_code == status
    response = client.post(url(case), VALID)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert FollowUp.objects.get(case=case, milestone=6).answered_at is None


def test_the_answers_are_on_the_case_page_of_the_coordination_and_the_manager_only(reference, sent):
    case, cast = sent
    assert client_for(cast.board_member).post(url(case), VALID).status_code == 302
    detail = reverse("cases:detail", args=[case.pk])
    for reader in (cast.coordinator, cast.board_member):
        page = client_for(reader).get(detail).text
        assert "Suivi après la clôture" in page
        assert "Départ de la directrice en juin." in page
        assert "Situation stabilisée" in page
    for other in (cast.partner_state, cast.partner_commune, cast.consultant):
        page = client_for(other).get(detail).text
        assert "Suivi après la clôture" not in page
        assert "Départ de la directrice en juin." not in page
    # The history says « Suivi à 6 mois reçu » to the coordination.
    assert "Suivi à 6 mois reçu" in client_for(cast.coordinator).get(detail).text
    assert "Suivi à 6 mois reçu" not in client_for(cast.partner_state).get(detail).text


def test_the_case_page_offers_the_manager_to_answer(reference, sent):
    case, cast = sent
    page = client_for(cast.board_member).get(reverse("cases:detail", args=[case.pk])).text
    assert f'href="{url(case)}"' in page
    assert "Sera envoyé le 15/03/2027." in page
