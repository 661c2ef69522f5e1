"""Issue 12: every page each demo account can reach fits the screen and is accessible.

For each of the eleven demo accounts, a bounded crawl starts at « Mon espace » and
follows the same-origin links of the menu and of the page body (no logout, no
download, no back-office), each address once (query strings dropped): at most two
cases, two pages per URL pattern and twenty-five pages per account. Public pages
reached this way are checked with the account's header, but their own links are not
followed (tests/browser/test_public.py crawls the public site). On every page:

- at 360 px wide, folded sections opened, nothing overflows sideways (the element that
  does is named) and a table that scrolls can be reached with the keyboard;
- at 1280 px, the header holds on one line (every menu entry on the same row, none
  wrapping or leaving the screen);
- axe-core finds no serious or critical violation;
- the browser reports no console error (a blocked script or style, a missing file…);
- the title is unique among the pages the account visited.

Once per account, at 360 px, the menu button sits beside the site's name and the open
menu, account menu included, fits the screen. The viewport is resized on the loaded
page rather than the page loaded twice. See docs/petits-ecrans.md.
"""

import json
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from soutien.accounts.models import User
from soutien.audit.services import audit_record
from soutien.cases.models import ReportVersion
from soutien.demo.cases import load_demo_cases
from soutien.directory.demo import demo_accounts
from tests.browser.conftest import AXE_JS, login
from tests.security.helpers import confirmed_totp_device, current_code, needs_second_factor

pytestmark = pytest.mark.django_db(transaction=True)

# The eleven demo accounts, from their single definition.
ACCOUNTS = [account.email for account in demo_accounts()]
MAX_PAGES = 25
MAX_CASES = 2
MAX_PER_ROUTE = 2
NARROW, WIDE = 360, 1280
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
NARROW_AXE_RULES = ["scrollable-region-focusable"]

# Addresses never followed: logout, downloads (files, exports, personal data), the
# Django admin, the login and password-reset pages of anonymous visitors.
SKIPPED_PATH = re.compile(
    r"""^/(?:admin/
         |compte/
         |documents/[0-9a-f-]{36}/
         |securite/mes-donnees/
         |dossiers/export/
       )
     |\.(?:pdf|ics|csv|xlsx|json|geojson|xml|txt)$""",
    re.VERBOSE,
)
CASE_PATH = re.compile(r"^/dossiers/(\d+)/")
APP_PATH = re.compile(
    r"^/(?:mon-espace|dossiers|documents|evaluation|securite|gestion|mon-compte|aide)/"
)

# The links of the menu and of the page body (not the footer's).
LINKS_JS = """() => [...document.querySelectorAll('#menu-principal a[href], main a[href]')]
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""

# The outermost elements sticking out of the viewport, outside any container that
# scrolls or clips them (an absolutely positioned element escapes the containers
# between it and its containing block), each with its widest offending descendant.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const describe = el => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) text += '.' + classes.join('.');
    const words = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ');
    if (words) text += ' « ' + words.slice(0, 50) + (words.length > 50 ? '…' : '') + ' »';
    const box = el.getBoundingClientRect();
    return text + ` (${Math.round(box.width)} px de large, jusqu'à ${Math.round(box.right)} px)`;
  };
  const contained = el => {
    let position = getComputedStyle(el).position;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (position === 'fixed' || (position === 'absolute' && style.position === 'static')) {
        continue;
      }
      if (style.overflowX !== 'visible') return true;
      position = style.position;
    }
    return false;
  };
  const culprit = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > width + 1 && !contained(el);
  };
  const culprits = [...document.body.querySelectorAll('*')].filter(culprit);
  const set = new Set(culprits);
  const found = [];
  for (const el of culprits) {
    if (set.has(el.parentElement)) continue;
    let deepest = el;
    for (const d of el.querySelectorAll('*')) {
      if (set.has(d) && !d.querySelector('*')
          && d.getBoundingClientRect().right >= deepest.getBoundingClientRect().right) deepest = d;
    }
    found.push(describe(el) + (deepest === el ? '' : ', à cause de ' + describe(deepest)));
    if (found.length === 3) break;
  }
  return {width: root.scrollWidth, elements: found};
}"""

# The header at 1280 px: the menu is expanded, every top-level entry (and the brand)
# sits on the same row, and no entry's text wraps.
HEADER_JS = """() => {
  const nav = document.getElementById('menu-principal');
  if (!nav) return ['pas de menu principal (#menu-principal)'];
  const toggler = nav.querySelector('.navbar-toggler');
  if (toggler && getComputedStyle(toggler).display !== 'none') {
    return ['le menu est replié derrière son bouton'];
  }
  const shown = el => { const b = el.getBoundingClientRect(); return b.width > 1 && b.height > 1; };
  const items = [...nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item')].filter(shown);
  const label = el => '« ' + el.innerText.trim().replace(/\\s+/g, ' ') + ' »';
  const problems = [];
  const boxes = items.map(el => el.getBoundingClientRect());
  const top = Math.max(...boxes.map(b => b.top)), bottom = Math.min(...boxes.map(b => b.bottom));
  if (top >= bottom) {
    const rows = new Map();
    items.forEach((el, i) => {
      const key = Math.round(boxes[i].top);
      rows.set(key, [...(rows.get(key) || []), label(el)]);
    });
    problems.push(`le menu tient sur ${rows.size} lignes : ` +
      [...rows.values()].map(r => r.join(' ')).join(' / '));
  }
  const width = document.documentElement.clientWidth;
  for (const item of items) {
    const right = Math.round(item.getBoundingClientRect().right);
    if (right > width) problems.push(`${label(item)} sort de l'écran (jusqu'à ${right} px)`);
    const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !shown(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) {
        problems.push(`${label(item)} s'affiche sur ${lines.size} lignes`);
        break;
      }
    }
  }
  return problems;
}"""


@pytest.fixture
def demo_cases(demo):
    """The demo cases; the coordinator has read each report, so that the case pages
    show their table of readers (four columns: too wide for a phone unless it scrolls)."""
    load_demo_cases()
    coordinator = User.objects.get(email="coordination@caf13.demo")
    for version in ReportVersion.objects.select_related("case"):
        audit_record(action="report.view", actor=coordinator, target=version, case=version.case)


def sign_in(page, email):
    user = User.objects.get(email=email)
    device = confirmed_totp_device(user) if needs_second_factor(user) else None
    login(page, email)
    if device is not None:
        page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
    assert urlsplit(page.url).path == "/mon-espace/", f"{email} : connexion impossible ({page.url})"


def address(url):
    """The URL without its query string and fragment: each page is visited once."""
    return urldefrag(url).url.split("?")[0]


def followed(path, cases, routes):
    """Whether the crawl visits this path, given the cases it already chose and how
    many pages of each URL pattern it took (at most two: the same template)."""
    if SKIPPED_PATH.search(path):
        return False
    try:
        route = resolve(path).route
    except Resolver404:
        return True  # a broken link: the visit reports it
    if routes[route] >= MAX_PER_ROUTE:
        return False
    case = CASE_PATH.match(path)
    if case is not None and case[1] not in cases:
        if len(cases) >= MAX_CASES or path != case[0]:
            return False
        cases.append(case[1])
    routes[route] += 1
    return True


def axe_problems(page, only=None):
    """Serious and critical axe-core violations, with the first elements concerned.
    axe-core is loaded in every page by the context (`add_init_script`)."""
    run_only = {"type": "rule", "values": only} if only else AXE_TAGS
    result = page.evaluate("async (runOnly) => await axe.run(document, {runOnly})", run_only)
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = json.dumps([node["target"] for node in violation["nodes"]][:3])
            problems.append(f"axe {violation['id']} ({violation['impact']}) : {targets}")
    return problems


def check_open_menu(page):
    """At 360 px, the menu button sits beside the site's name, and the open menu (with
    the account menu open too) fits the screen."""
    page.set_viewport_size({"width": NARROW, "height": 800})
    problems = []
    same_row = page.evaluate(
        """() => {
      const brand = document.querySelector('.navbar-brand').getBoundingClientRect();
      const button = document.querySelector('.navbar-toggler').getBoundingClientRect();
      return button.top < brand.bottom && brand.top < button.bottom;
    }"""
    )
    if not same_row:
        problems.append(f"à {NARROW} px, le bouton du menu passe sous le nom du site")
    page.get_by_role("button", name="Afficher ou masquer le menu").click()
    expect(page.locator("#navigation")).to_have_class(re.compile(r"\bshow\b"))
    page.locator(".account-toggle").click()
    expect(page.locator(".account-toggle + .dropdown-menu")).to_be_visible()
    overflow = page.evaluate(OVERFLOW_JS)
    page.set_viewport_size({"width": WIDE, "height": 900})
    if overflow:
        problems.append(
            f"menu ouvert à {NARROW} px, la page fait {overflow['width']} px de large : "
            + " ; ".join(overflow["elements"] or ["élément non trouvé"])
        )
    return problems


def check_page(page, url, titles):
    """The problems of the loaded page, in French, one string each."""
    problems = []
    title = page.title()
    if title in titles:
        problems.append(f"titre « {title} » déjà porté par {titles[title]}")
    titles.setdefault(title, url)
    problems += [f"en-tête à {WIDE} px : {text}" for text in page.evaluate(HEADER_JS)]
    problems += axe_problems(page)
    page.set_viewport_size({"width": NARROW, "height": 800})
    # Folded content (a meeting's change form, the report's readers…) must fit too.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    # What only the narrow layout shows: a table that scrolls must be reachable.
    problems += [f"à {NARROW} px, {text}" for text in axe_problems(page, NARROW_AXE_RULES)]
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        problems.append(
            f"à {NARROW} px, la page fait {overflow['width']} px de large : "
            + " ; ".join(overflow["elements"] or ["élément non trouvé"])
        )
    page.set_viewport_size({"width": WIDE, "height": 900})
    return problems


@pytest.mark.parametrize("email", ACCOUNTS)
def test_every_page_the_account_reaches_fits_the_screen(browser, live_server, demo_cases, email):
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDE, "height": 900})
    context.set_default_timeout(15_000)
    if not AXE_JS.exists():
        pytest.fail("axe-core manque : lancez « npm ci » (make test le fait).")
    context.add_init_script(path=AXE_JS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.base_url = origin = live_server.url
    # The account's own pages first, the public site's pages with what is left.
    own, public = deque([f"{origin}/mon-espace/"]), deque()
    seen, checked, cases, titles, report = set(own), set(), [], {}, []
    routes = Counter()
    try:
        sign_in(page, email)
        while (own or public) and len(checked) < MAX_PAGES:
            url = (own or public).popleft()
            errors.clear()
            try:
                response = page.goto(url)
            except PlaywrightError as error:  # a download without a skipped address…
                report.append(f"{url.removeprefix(origin)} : navigation impossible ({error})")
                continue
            page.wait_for_load_state("load")
            landed = address(page.url)
            if landed in checked:  # redirected to a page already checked
                continue
            checked.add(landed)
            seen.add(landed)
            path = url.removeprefix(origin)
            if landed != url:
                path += " → " + landed.removeprefix(origin)
            problems = []
            if response is None or response.status != 200:
                problems.append(f"réponse {response.status if response else 'absente'}")
            problems += check_page(page, path, titles)
            if len(checked) == 1:
                problems += check_open_menu(page)
            problems += [f"erreur de console : {text}" for text in errors]
            report += [f"{path} : {text}" for text in problems]
            if not APP_PATH.match(landed.removeprefix(origin)):
                continue  # the public site's own links: tests/browser/test_public.py
            for link in map(address, page.evaluate(LINKS_JS)):
                if link in seen or not link.startswith(origin + "/"):
                    continue
                link_path = link.removeprefix(origin)
                if followed(link_path, cases, routes):
                    seen.add(link)
                    (own if APP_PATH.match(link_path) else public).append(link)
    finally:
        context.close()
    assert len(checked) >= 3, f"{email} : seulement {len(checked)} pages atteintes"
    assert not report, (
        f"{email} ({len(checked)} pages vérifiées), {len(report)} problème"
        + ("s" if len(report) > 1 else "")
        + " :\n"
        + "\n".join(report)
    )
