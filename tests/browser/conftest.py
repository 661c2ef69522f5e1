"""Browser tests: Playwright (Python) driving Debian's chromium, never a downloaded browser.

Without chromium the tests are skipped with a clear message, except under CI=true,
where a missing browser is a failure.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SOUTIEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

try:  # expect() waits as long as actions do: a loaded 2-core CI machine is slow
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
except ImportError:  # without playwright the browser tests are skipped anyway
    pass

# The sync Playwright API runs an event loop in the test thread; Django's ORM in
# the same thread is safe here because nothing else runs concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _serve_one_request_at_a_time_on_sqlite():
    """On the in-memory SQLite test database, the live server's threads share one
    connection: two requests at once (the map page fetches its two GeoJSON files
    together) make SQLite fail with « bad parameter or other API misuse », a 500 the
    browser tests then report. The live server answers one request at a time there
    (Django closes each connection, so the browser never waits on a kept-alive one);
    PostgreSQL keeps the threaded server."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SequentialWSGIServer(WSGIServer):
        # The live server thread itself uses the shared connections (LiveServerThread.run).
        def __init__(self, *args, connections_override=None, **kwargs):
            self.connections_override = connections_override
            super().__init__(*args, **kwargs)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = SequentialWSGIServer


_serve_one_request_at_a_time_on_sqlite()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Navigateur absent ({CHROMIUM}) : installez le paquet Debian « chromium » "
            "(make test le fait en root) pour lancer les tests de navigateur."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors include CSP violations (a blocked inline script or style). A page
    # answered with an error status (404, 410…) is checked by the test itself.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.console_errors = errors
    yield page
    context.close()


def login(page, email, password="soutien-demo"):
    page.goto(f"{page.base_url}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")


def logout(page):
    """Sign out through the account menu, as a person would."""
    page.get_by_role("button", name="mon compte").click()
    page.get_by_role("button", name="Se déconnecter").click()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page; return serious and critical violations."""
    if not AXE_JS.exists():
        pytest.fail("axe-core manque : lancez « npm ci » (make test le fait).")
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'best-practice']})"
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations
        ],
        indent=1,
        ensure_ascii=False,
    )
