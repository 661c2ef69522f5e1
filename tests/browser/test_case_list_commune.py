"""In a browser: the case list's commune filter is a text box whose proposals come as
one types (no list of every commune), used with the keyboard, and accessible."""

import pytest
from playwright.sync_api import expect

from soutien.cases.enums import Stage
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import session_for  # noqa: F401 - a fixture
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_commune_is_typed_chosen_among_proposals_and_filters(session_for, reference):  # noqa: F811
    marseille = make_cast(commune_code="13055")
    aix = make_cast(commune_code="13001")
    case_at(Stage.REFERRAL, marseille)
    in_aix, _ = case_at(Stage.REFERRAL, aix)
    page = session_for(marseille.coordinator.email)
    page.goto(f"{page.base_url}/dossiers/")
    field = page.get_by_label("Commune")
    field.focus()
    page.keyboard.type("aix")
    proposals = page.locator("#communes-proposees option")
    expect(proposals).to_have_count(1)
    expect(proposals.first).to_have_attribute("value", "Aix-en-Provence (13001)")
    assert_accessible(page)
    field.fill("Aix-en-Provence (13001)")  # what choosing the proposal writes
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers d'Aix-en-Provence")
    expect(page.locator("table.case-table tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name=in_aix.number)).to_be_visible()
    expect(page.get_by_label("Commune")).to_have_value("Aix-en-Provence (13001)")
    page.get_by_label("Commune").fill("Atlantis")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Aucune commune de ce nom n'a de centre social suivi")).to_be_visible()
    expect(page.get_by_label("Commune")).to_have_value("Atlantis")
    assert_accessible(page)
    assert page.console_errors == []
