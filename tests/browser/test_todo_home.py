"""« Mon espace » in a browser, with the demo cases: each role's home is accessible (axe),
never empty, and a count of the to-do list leads to a list of exactly that many cases."""

import re

import pytest
from playwright.sync_api import expect

from soutien.demo.cases import load_demo_cases
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import session_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

WITH_TASKS = [
    "coordination@caf13.demo",
    "administrateur@centre.demo",
    "consultant@prestataire.demo",
]


def test_each_home_is_accessible_and_its_counts_lead_to_as_many_cases(demo, session_for):  # noqa: F811
    load_demo_cases()
    for email in WITH_TASKS:
        page = session_for(email)
        table = page.get_by_role("table", name=re.compile("Ce que vous avez à faire maintenant"))
        expect(table).to_be_visible()
        assert page.locator("table th[scope=col]").count() == 4
        assert_accessible(page)
        first = page.locator(".awaiting-list li").first
        count = int(first.locator(".awaiting-count").inner_text())
        first.locator("a").first.click()
        expect(page.get_by_role("status")).to_have_text(
            re.compile(rf"^{count} dossiers? correspondants? aux filtres\.$")
        )
        assert page.console_errors == [], email


def test_the_evaluation_body_and_the_technical_admin_get_a_useful_home(demo, session_for):  # noqa: F811
    page = session_for("evaluation@partenaires.demo")
    expect(page.get_by_role("heading", name="L'évaluation du dispositif")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("dernière année complète"))).to_be_visible()
    assert_accessible(page)
    page = session_for("admin@soutien.demo")
    expect(page.get_by_role("heading", name="État technique de la plateforme")).to_be_visible()
    assert_accessible(page)
