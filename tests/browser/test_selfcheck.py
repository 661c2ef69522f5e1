"""The self-check in a browser: anonymous questionnaire → result → PDF → login → the
pre-filled fiche → submitted to the Caf; axe on every page, a 360 px phone, keyboard."""

import re

import pytest
from playwright.sync_api import expect

from soutien.accounts.models import User
from soutien.cases.enums import Situation, Stage
from soutien.cases.models import Case
from soutien.selfcheck.defaults import load_selfcheck_defaults
from tests.browser.conftest import assert_accessible
from tests.security.helpers import confirmed_totp_device, current_code, needs_second_factor

pytestmark = pytest.mark.django_db(transaction=True)

BOARD = "administrateur@centre.demo"


def question(page, number):
    return page.get_by_role("group", name=re.compile(rf"^Question {number} sur 20"))


def assert_no_horizontal_overflow(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: {scroll_width}px > {width}px"


def test_from_an_anonymous_self_check_to_a_submitted_preventive_request(demo, page, tmp_path):
    load_selfcheck_defaults()
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Faire l'auto-diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Auto-diagnostic de votre centre social"
    )
    expect(page.get_by_text("Vos réponses restent confidentielles.")).to_be_visible()
    assert_accessible(page)

    # Question 1 by keyboard only: Tab reaches its first choice, the arrows pick another.
    first = question(page, 1).get_by_role("radio").first
    first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(question(page, 1).get_by_label("Moins de deux mois")).to_be_checked()
    question(page, 5).get_by_label("Non", exact=True).check()  # accounts not approved
    meetings = page.get_by_role("group", name=re.compile("se réunit-il régulièrement"))
    expect(meetings).to_have_accessible_name(re.compile(r"^Question 19 sur 20"))
    meetings.get_by_label("Presque jamais").check()
    page.get_by_role("button", name="Voir mon résultat").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de votre auto-diagnostic")
    finances = page.get_by_role("region", name="Gestion financière")
    expect(finances.get_by_text("Signes d'alerte", exact=True)).to_be_visible()
    governance = page.get_by_role("region", name="Gouvernance")
    expect(governance.get_by_text("À surveiller", exact=True)).to_be_visible()
    assert "en crise" not in page.content().lower()
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 780})
    assert_no_horizontal_overflow(page, 360)
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger le résultat (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "auto-diagnostic.pdf"
    path = tmp_path / "auto-diagnostic.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Demander un soutien préventif").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    user = User.objects.get(email=BOARD)
    device = confirmed_totp_device(user) if needs_second_factor(user) else None
    page.get_by_label("Adresse électronique").fill(BOARD)
    page.get_by_label("Mot de passe").fill("soutien-demo")
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
        page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle demande de soutien")
    expect(page.get_by_text("Trésorerie inférieure à deux mois de charges")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Commencer la fiche d'information").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche d'information")
    expect(page.get_by_label("Démarche préventive")).to_be_checked()
    expect(page.get_by_label("Trésorerie inférieure à deux mois de charges")).to_be_checked()
    expect(page.get_by_label("Comptes non approuvés")).to_be_checked()
    expect(page.get_by_label("Gestion financière", exact=True)).to_be_checked()
    expect(page.get_by_label("Gouvernance", exact=True)).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Téléphone").fill("04 91 00 00 00")
    page.get_by_label("Fonction").fill("Présidente")
    page.get_by_label("Description de la situation").fill("Le conseil ne se réunit plus.")
    page.get_by_label("Vos attentes vis-à-vis de la mission").fill("Un regard extérieur.")
    page.get_by_label("Vos disponibilités pour le diagnostic").fill("Les mardis.")
    page.get_by_label(re.compile("règles de confidentialité")).check()
    page.get_by_label(re.compile("démarche de coopération")).check()
    page.get_by_role("button", name="Enregistrer et transmettre à la Caf").click()
    expect(page.get_by_text(re.compile("La fiche est transmise à la Caf"))).to_be_visible()

    case = Case.objects.get()
    assert case.stage == Stage.SUBMITTED
    assert case.situation == Situation.PREVENTIVE and case.from_selfcheck
    assert sorted(case.form.warning_signs.values_list("code", flat=True)) == [
        "comptes-non-approuves",
        "tresorerie-faible",
    ]
    assert page.console_errors == []


def test_the_questionnaire_fits_a_phone(reference, page):
    load_selfcheck_defaults()
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(page.base_url + "/auto-diagnostic/")
    assert_no_horizontal_overflow(page, 360)
    expect(question(page, 20)).to_be_visible()
    assert_accessible(page)
