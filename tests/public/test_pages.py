import io
import re

import pypdf
import pytest
from django.urls import reverse

from soutien.directory.models import (
    ConventionPeriod,
    FunderLevel,
    Organisation,
    OrganisationKind,
    ProcurementProcedure,
    ProviderContract,
    Signatory,
)
from tests.factories import CommuneFactory, UserFactory
from web.public.sitemaps import PUBLIC_URL_NAMES

pytestmark = pytest.mark.django_db

HTML_PAGES = [name for name in PUBLIC_URL_NAMES if name != "public:blank_information_form"]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def description(html: str) -> str:
    return re.search(r'<meta name="description" content="(.*?)">', html, re.S).group(1).strip()


def test_every_public_page_is_open_with_one_h1_and_french(client, reference):
    for name in HTML_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<html lang="fr"' in html, name
        assert len(re.findall(r"<h1[\s>]", html)) == 1, name
        assert title(html).endswith("— Soutien"), name


def test_each_public_page_has_its_own_title_and_description(client, reference):
    pages = [client.get(reverse(name)).content.decode() for name in HTML_PAGES]
    titles = [title(html) for html in pages]
    descriptions = [description(html) for html in pages]
    assert len(set(titles)) == len(titles), titles
    assert len(set(descriptions)) == len(descriptions), descriptions
    assert all(len(text) > 40 for text in descriptions)


def test_public_pages_also_work_for_signed_in_people(client, reference):
    client.force_login(UserFactory())
    for name in HTML_PAGES:
        if name == "public:ask_for_support":
            continue
        assert client.get(reverse(name)).status_code == 200, name


def test_public_pages_load_nothing_from_another_site(client, reference):
    for name in HTML_PAGES:
        html = client.get(reverse(name)).content.decode()
        external = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
        assert external == [], name


def test_home_explains_the_two_situations_and_leads_to_a_request(client):
    html = client.get(reverse("public:home")).content.decode()
    assert "démarche préventive" in html
    assert "crise avérée" in html
    assert f'href="{reverse("public:ask_for_support")}"' in html


def test_ask_for_support_offers_login_or_account_request_to_anonymous(client):
    html = client.get(reverse("public:ask_for_support")).content.decode()
    assert reverse("accounts:login") in html
    assert reverse("public:account_request") in html


def test_ask_for_support_sends_signed_in_people_to_their_space(client):
    client.force_login(UserFactory())
    response = client.get(reverse("public:ask_for_support"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:my_space")


def test_how_it_works_lists_the_five_steps_as_a_step_list(client):
    html = client.get(reverse("public:how_it_works")).content.decode()
    steps = re.search(r'page-text--steps">\s*<p>.*?</p>\s*<ol>(.*?)</ol>', html, re.S)
    assert steps is not None
    assert steps.group(1).count("<li>") == 5
    assert reverse("public:blank_information_form") in html


def test_funders_come_from_the_directory(client, reference):
    html = client.get(reverse("public:funders")).content.decode()
    for name in ["État", "Région", "Département", "Caf 13", "Marseille", "Vitrolles"]:
        assert name in html
    # A commune signing the current period appears without touching any text.
    period = ConventionPeriod.objects.get(has_mstr=True)
    commune = CommuneFactory(name="Gardanne", insee_code="13041")
    org = Organisation.objects.create(
        name="Ville de Gardanne",
        short_name="Gardanne",
        kind=OrganisationKind.FUNDER,
        funder_level=FunderLevel.COMMUNE,
        commune=commune,
    )
    Signatory.objects.create(period=period, organisation=org, is_funder=True)
    assert "Gardanne" in client.get(reverse("public:funders")).content.decode()


def test_provider_is_the_one_of_the_current_contract(client, reference):
    html = client.get(reverse("public:provider")).content.decode()
    assert "Cabinet Singuliers &amp; Co" in html
    assert "http://www.singuliersco.com" in html
    newer = Organisation.objects.create(name="Cabinet Nouveau", kind=OrganisationKind.PROVIDER)
    ProviderContract.objects.create(
        provider=newer,
        procedure=ProcurementProcedure.MAPA,
        start="2018-01-01",
        end="2099-12-31",
    )
    html = client.get(reverse("public:provider")).content.decode()
    assert "Cabinet Nouveau" in html
    assert "Singuliers" not in html.split('id="prestataire"')[1]


def test_contact_shows_the_coordinator_and_the_federations_from_the_data(client, reference):
    html = client.get(reverse("public:contact")).content.decode()
    assert "convention-cadre-centres-sociaux.cafmarseille@caf.cnafmail.fr" in html
    assert "04 91 05 53 46" in html
    assert 'href="tel:0491055346"' in html
    for federation in ["Union des centres sociaux des Bouches-du-Rhône", "CCO", "IFAC", "FAIL"]:
        assert federation in html
    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    caf.phone = "04 00 00 00 00"
    caf.save()
    assert "04 00 00 00 00" in client.get(reverse("public:contact")).content.decode()


def test_history_shows_a_timeline(client):
    html = client.get(reverse("public:history")).content.decode()
    timeline = re.search(r'page-text--timeline">(.*?)</div>', html, re.S).group(1)
    assert timeline.count("<li>") == 10
    assert "1994" in timeline
    assert "25 juillet 1994" in html


def test_legal_pages_exist_with_their_content(client):
    assert "Défenseur des droits" in client.get(reverse("public:accessibility")).content.decode()
    privacy = client.get(reverse("public:privacy")).content.decode()
    for words in ["Quelles données", "Combien de temps", "Vos droits", "CNIL"]:
        assert words in privacy
    footer = client.get(reverse("public:home")).content.decode()
    for name in ["public:accessibility", "public:legal_notice", "public:privacy"]:
        assert f'href="{reverse(name)}"' in footer


def test_robots_and_sitemap(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Disallow: /gestion/" in text
    assert "Disallow: /dossiers/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    sitemap = client.get("/sitemap.xml").content.decode()
    for name in PUBLIC_URL_NAMES:
        assert f"<loc>http://testserver{reverse(name)}</loc>" in sitemap
    assert "/gestion/" not in sitemap


def test_blank_information_form_is_a_tagged_french_pdf(client, reference):
    response = client.get(reverse("public:blank_information_form"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert "Fiche d'information" in text
    assert reader.metadata.title.startswith("Fiche d'information")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    for expected in [
        "Démarche préventive",
        "Crise avérée",
        "Trésorerie inférieure à deux mois de charges",  # a warning sign, from the data
        "Gouvernance",
        "missions d'appui",
        "Disponibilités pour le diagnostic",
        "Pièces jointes",
        "règles de confidentialité",
        "démarche de coopération",
    ]:
        assert expected in text, expected


def test_public_pages_answer_head_requests(client):
    """Monitoring and link checkers use HEAD: it answers like GET, without a body."""
    from django.urls import reverse

    response = client.head(reverse("public:home"))
    assert response.status_code == 200
    assert response.content == b""
