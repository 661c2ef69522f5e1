"""Evaluation page and map in a real browser: accessible (axe), map drawn, no script error."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.evaluation.dataset import build_dataset


def collect_console_errors(page) -> list[str]:
    """Every console error, CSP violations included (htmx's own <style> is switched off
    in base.html so that nothing is blocked)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(reference):
    return build_dataset()


def sign_in_as(page, user):
    """Reuse a test-client session (second factor passed) in the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": page.base_url}])


def test_evaluation_page_is_accessible(page, data):
    console = collect_console_errors(page)
    login(page, data.evaluator.email)
    page.get_by_role("link", name="Évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Évaluation du dispositif")
    assert page.title() == "Évaluation du dispositif — Soutien"
    expect(page.locator("svg.evaluation-chart title").first).to_have_count(1)
    assert_accessible(page)
    # Filtering keeps the page usable.
    page.get_by_label("Année", exact=True).select_option("2024")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Évaluation du dispositif")
    assert_accessible(page)
    assert page.console_errors == []
    assert console == []


def test_map_draws_for_a_partner(page, data):
    login(page, data.evaluator.email)
    console = collect_console_errors(page)
    page.goto(page.base_url + "/evaluation/carte/")
    expect(page.locator("#evaluation-map[data-ready='1']")).to_have_count(1)
    expect(page.locator("#evaluation-map path.leaflet-interactive").first).to_be_attached()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text(
        "IGN, INSEE — Admin Express COG 2018"
    )
    assert_accessible(page)
    assert page.console_errors == []
    assert console == []


def test_map_shows_centres_to_the_coordinator(page, data):
    sign_in_as(page, data.coordinator)
    console = collect_console_errors(page)
    page.goto(page.base_url + "/evaluation/carte/")
    expect(page.locator("#evaluation-map[data-ready='1']")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon .map-marker")).to_have_count(4)
    marker = page.locator(".leaflet-marker-icon[title^='Centre A1']")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Centre A1")
    assert_accessible(page)
    assert page.console_errors == []
    assert console == []


def test_map_labels_never_cover_one_another(page, demo):
    """The demo cases span the nine signatory communes: Marseille, Septèmes-les-Vallons and
    Les Pennes-Mirabeau are neighbours whose labels used to cover one another."""
    from soutien.demo.cases import load_demo_cases
    from soutien.directory.models import Membership, Role

    load_demo_cases()
    coordinator = Membership.objects.filter(role=Role.COORDINATOR).first().user
    sign_in_as(page, coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + "/evaluation/carte/")
    expect(page.locator("#evaluation-map[data-ready='1']")).to_have_count(1)
    rects = page.evaluate(
        """[...document.querySelectorAll('.commune-count')].map(e => {
             const r = e.getBoundingClientRect();
             return {text: e.textContent, left: r.left, right: r.right,
                     top: r.top, bottom: r.bottom};
           })"""
    )
    assert len(rects) >= 5, rects
    overlapping = [
        (a["text"], b["text"])
        for i, a in enumerate(rects)
        for b in rects[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]
    assert overlapping == []
    assert any(rect["text"].startswith("Les Pennes-Mirabeau") for rect in rects)
