import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from soutien.directory.models import Organisation, OrganisationKind, Role
from tests.browser.conftest import assert_accessible, login, logout
from tests.factories import MembershipFactory, UserFactory
from tests.security.helpers import confirmed_totp_device, current_code
from web.public.sitemaps import PUBLIC_URL_NAMES

pytestmark = pytest.mark.django_db(transaction=True)

HTML_PAGES = [name for name in PUBLIC_URL_NAMES if name != "public:blank_information_form"]


def record_foreign_requests(page):
    """Every request the page makes to another origin than the test server."""
    foreign = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((page.base_url, "data:", "blob:"))
            else foreign.append(request.url)
        ),
    )
    return foreign


def assert_no_horizontal_overflow(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: {scroll_width}px > {width}px"


def test_public_pages_are_accessible_narrow_and_self_contained(page, reference, tmp_path):
    foreign = record_foreign_requests(page)
    for name in HTML_PAGES:
        url = page.base_url + reverse(name)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        assert_accessible(page)
        # A phone 360 px wide.
        page.set_viewport_size({"width": 360, "height": 780})
        page.goto(url)
        assert_no_horizontal_overflow(page, 360)
        page.screenshot(path=tmp_path / f"{name.split(':')[1]}-360.png", full_page=True)
        # 200 % zoom of a 1280 px window leaves 640 CSS pixels.
        page.set_viewport_size({"width": 640, "height": 450})
        page.goto(url)
        assert_no_horizontal_overflow(page, 640)
    assert foreign == []
    assert page.console_errors == []
    assert len(list(tmp_path.glob("*-360.png"))) == len(HTML_PAGES)


def test_keyboard_only_from_home_to_account_request(page, reference):
    page.goto(page.base_url + "/")
    cta = page.get_by_role("link", name="Demander un soutien").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Demander un soutien":
            break
    expect(cta).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander un soutien")
    page.get_by_role("link", name="Demander un compte").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander un compte")


def test_account_request_end_to_end(page, reference, tmp_path):
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    coordinator = UserFactory(email="coordination@exemple.test")
    MembershipFactory(user=coordinator, organisation=caf, role=Role.COORDINATOR)
    device = confirmed_totp_device(coordinator)  # the coordination must use two factors
    federation = Organisation.objects.get(name="IFAC")
    mail.outbox = []

    # 1. A federation employee asks for an account.
    page.goto(page.base_url + reverse("public:account_request"))
    page.get_by_label("Prénom").fill("Karim")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Benali")
    page.get_by_label("Adresse électronique").fill("karim.benali@exemple.test")
    page.get_by_label("Organisation ou centre social").fill("IFAC")
    page.get_by_label("Salarié de fédération").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
    assert_accessible(page)

    # 2. The coordinator approves it; the organisation is proposed from the name typed.
    login(page, "coordination@exemple.test")
    page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("link", name="Gestion du site").click()
    page.get_by_role("link", name="Examiner les demandes").click()
    assert_accessible(page)
    page.get_by_role("link", name="Karim Benali").click()
    assert_accessible(page)
    expect(page.get_by_label("Organisation à laquelle rattacher le compte")).to_have_value(
        str(federation.pk)
    )
    page.get_by_role("button", name="Accepter et envoyer l'invitation").click()
    expect(page.get_by_text("Demande acceptée")).to_be_visible()
    logout(page)

    # 3. The invitation link sets the password once.
    invitation = next(
        m for m in mail.outbox if m.to == ["karim.benali@exemple.test"] and "/invitation/" in m.body
    )
    path = re.search(r"https?://[^/\s]+(/invitation/\S+/)", invitation.body).group(1)
    page.goto(page.base_url + path)
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Nouveau mot de passe\b")).fill("Un-mot-de-passe-solide-2026")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Un-mot-de-passe-solide-2026")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    # A federation employee reads cases: the second factor first (here: codes by email).
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    assert_accessible(page)
    page.get_by_role("link", name="Recevoir les codes par courriel").click()
    page.get_by_role("button", name="M'envoyer un code").click()
    assert_accessible(page)
    sent = [m for m in mail.outbox if m.subject == "Votre code de connexion à Soutien"]
    code = re.search(r"Soutien : (\d{6})", sent[-1].body).group(1)
    page.get_by_label(re.compile(r"^Code de vérification")).fill(code)
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_text("IFAC").first).to_be_visible()
    logout(page)

    # 4. A second use is refused.
    page.goto(page.base_url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n'est plus valable")
    assert page.console_errors == []


def test_the_login_page_of_the_demo_passes_contrast(page, settings):
    """The demo accounts box (shown with DEBUG only) passes axe, contrast included."""
    settings.DEBUG = True
    page.goto(f"{page.base_url}/compte/connexion/")
    expect(page.get_by_role("heading", name="Comptes de démonstration")).to_be_visible()
    assert_accessible(page)
