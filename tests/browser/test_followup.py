"""The 12-month follow-up in a browser: the manager, from the email's link after login,
answers the questionnaire (axe on the page and on its error state), forgets a detail,
is told beside the field, and finds the answers on the case page."""

import re

import pytest
from playwright.sync_api import expect

from soutien.followup.models import FollowUp
from tests.browser.conftest import assert_accessible, logout
from tests.followup.helpers import at, closed_case, followup_emails_to, run_at
from tests.security.helpers import confirmed_totp_device, current_code, needs_second_factor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_manager_answers_the_12_month_follow_up(reference, page):
    case, cast = closed_case(at(2026, 3, 15, 10))
    run_at(at(2026, 9, 15))
    run_at(at(2027, 3, 15))
    email = followup_emails_to(cast.board_member)[-1]
    assert email.subject == f"[{case.number}] Suivi à 12 mois : où en est votre centre ?"
    link = re.search(r"https?://\S+/suivi/dossier/\d+/12-mois/", email.body).group(0)
    path = link[link.index("/suivi/") :]

    # The email's link, before signing in: the login page, then the questionnaire.
    device = (
        confirmed_totp_device(cast.board_member) if needs_second_factor(cast.board_member) else None
    )
    page.goto(page.base_url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    page.get_by_label("Adresse électronique").fill(cast.board_member.email)
    page.get_by_label("Mot de passe").fill("soutien-demo")
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi à 12 mois de la mission")
    expect(page.get_by_text("Qui verra ce que vous écrivez ?")).to_be_visible()
    assert_accessible(page)

    situation = page.get_by_role("group", name="Aujourd'hui, où en est le centre ?")
    situation.get_by_label("Situation améliorée").check()
    page.get_by_role("group", name=re.compile("actions du plan")).get_by_label("Toutes").check()
    page.get_by_role("group", name=re.compile("nouvelles difficultés")).get_by_label("Oui").check()
    page.get_by_role("group", name=re.compile("de nouveau appel")).get_by_label("Oui").check()
    page.get_by_role("button", name="Envoyer mes réponses").click()

    # The details were forgotten: said beside the field, the choices kept.
    expect(
        page.get_by_text("Décrivez en quelques mots les nouvelles difficultés.", exact=True)
    ).to_be_visible()
    expect(page.get_by_label("Si oui, lesquelles ?")).to_have_attribute("aria-invalid", "true")
    expect(situation.get_by_label("Situation améliorée")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Si oui, lesquelles ?").fill("Le local doit être rénové.")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    expect(
        page.get_by_text("vos réponses au questionnaire de suivi sont enregistrées")
    ).to_be_visible()
    panel = page.get_by_role("region", name="Suivi après la clôture")
    expect(panel.get_by_text("Le local doit être rénové.")).to_be_visible()
    assert_accessible(page)
    followup = FollowUp.objects.get(case=case, milestone=12)
    assert (followup.situation, followup.actions_continued, followup.would_ask_again) == (
        "improved",
        "all",
        "yes",
    )
    logout(page)
    assert page.console_errors == []
