"""Public pages and legal texts say things right (issue #12, point 8) and email links use
the address the platform is served on (point 9)."""

import datetime as dt
import html as html_lib
import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from django.core import checks
from django.template import Context, Template
from django.urls import reverse

from soutien.content.checks import legal_facts_are_set
from soutien.content.facts import duration_fr
from soutien.core.french import date_fr, lower_first, with_article

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def text_of(html: str) -> str:
    main = re.search(r"(?s)<main.*?</main>", html).group(0)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize(
    ("name", "preposition", "expected"),
    [
        ("Caf des Bouches-du-Rhône", "à", "à la Caf des Bouches-du-Rhône"),
        ("Caf des Bouches-du-Rhône", "de", "de la Caf des Bouches-du-Rhône"),
        ("Association Horizon", "de", "de l'Association Horizon"),
        ("Association Horizon", "à", "à l'Association Horizon"),
        ("Département des Bouches-du-Rhône", "de", "du Département des Bouches-du-Rhône"),
        ("Département des Bouches-du-Rhône", "à", "au Département des Bouches-du-Rhône"),
        ("Union des centres sociaux", "de", "de l'Union des centres sociaux"),
        ("Région Provence-Alpes-Côte d'Azur", "à", "à la Région Provence-Alpes-Côte d'Azur"),
        ("Le Relais des Aygalades", "de", "du Relais des Aygalades"),
        ("Le Relais des Aygalades", "à", "au Relais des Aygalades"),
        ("Les Amis du quartier", "de", "des Amis du quartier"),
        ("La Maison pour tous", "de", "de la Maison pour tous"),
        ("L'Escale", "de", "de L'Escale"),
        ("Marseille", "de", "de Marseille"),
        ("Aix-en-Provence", "de", "d'Aix-en-Provence"),
        ("IFAC", "à", "à IFAC"),
    ],
)
def test_names_take_the_right_article(name, preposition, expected):
    assert with_article(name, preposition) == expected


def test_dates_and_capitals():
    assert date_fr(dt.date(2015, 1, 1)) == "1er\u00a0janvier 2015"
    assert date_fr(dt.date(2017, 12, 31)) == "31\u00a0décembre 2017"
    assert lower_first("Fiche transmise à la Caf") == "fiche transmise à la Caf"
    rendered = Template(
        '{{ d|date_long }} · {{ s|lower_first }} · {{ n|avec_article:"à" }}'
    ).render(Context({"d": dt.date(2015, 1, 1), "s": "Fiche transmise à la Caf", "n": "Caf 13"}))
    assert rendered == "1er\u00a0janvier 2015 · fiche transmise à la Caf · à la Caf 13"


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1825, "5 ans"), (365, "1 an"), (183, "6 mois"), (30, "30 jours"), (1, "1 jour")],
)
def test_durations_in_words(days, expected):
    assert duration_fr(days) == expected


def test_funders_are_named_once(client, reference):
    text = text_of(client.get(reverse("public:funders")).content.decode())
    assert "(État))" not in text
    assert "État (Préfecture" not in text
    assert "Préfecture des Bouches-du-Rhône (État)" in text
    assert "Région Provence-Alpes-Côte d'Azur" in text
    assert "Région (Région" not in text


def test_provider_period_says_1er(client, reference):
    text = text_of(client.get(reverse("public:provider")).content.decode())
    assert "du 1er janvier 2015 au 31 décembre 2017" in text  # no-break spaces folded


def test_blank_form_is_sent_to_la_caf(client, reference):
    pdf = client.get(reverse("public:blank_information_form")).content
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "à la Caf des Bouches-du-Rhône" in re.sub(r"\s+", " ", text)


def test_accessibility_statement_has_what_the_rgaa_requires(client, reference):
    html = client.get(reverse("public:accessibility")).content.decode()
    text = text_of(html)
    for required in [
        "État de conformité",
        "non conforme",
        "Taux de conformité",
        "autoévaluation",
        "Contenus non accessibles",
        "Dérogations pour charge disproportionnée",
        "Contenus non soumis à l'obligation",
        "Cette déclaration a été établie le 1er décembre 2026",
        "Technologies utilisées",
        "Environnement de test",
        "Pages du site ayant fait l'objet de la vérification",
        "Retour d'information et contact",
        "Voies de recours",
        "Défenseur des droits",
        "Libre réponse 71120",
    ]:
        assert required in text, required
    assert f'href="{reverse("public:accessibility_scheme")}"' in html


def test_accessibility_scheme_and_this_years_plan(client, reference):
    response = client.get(reverse("public:accessibility_scheme"))
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Schéma pluriannuel 2026–2028" in text
    assert "Plan d'actions 2026–2027" in text
    assert "Audit complet de conformité RGAA" in text


def test_legal_notice_names_the_host_from_the_settings(client, reference, settings):
    settings.SOUTIEN_HOST = {
        "name": "Hébergeur Exemple SAS",
        "address": "2 rue du Port, 13002 Marseille",
        "phone": "04 91 00 00 01",
    }
    text = text_of(client.get(reverse("public:legal_notice")).content.decode())
    assert "Hébergeur Exemple SAS" in text
    assert "2 rue du Port, 13002 Marseille" in text
    assert "04 91 00 00 01" in text
    assert "communiquées par la coordination" not in text


def test_privacy_states_the_dpo_and_the_periods_the_code_applies(client, reference, settings):
    settings.SOUTIEN_DPO = {
        "name": "Déléguée à la protection des données",
        "email": "dpo@caf.example",
        "address": "Caf, 13000 Marseille",
    }
    settings.SOUTIEN_CASE_RETENTION_DAYS = 5 * 365
    text = text_of(client.get(reverse("public:privacy")).content.decode())
    assert "dpo@caf.example" in text
    assert "5 ans après la clôture du dossier" in text
    assert "6 mois après le refus" in text
    assert "1 an" in text
    assert "30 jours après l'envoi" in text
    assert "durée de la Convention cadre" not in text
    settings.SOUTIEN_CASE_RETENTION_DAYS = 3 * 365
    text = text_of(client.get(reverse("public:privacy")).content.decode())
    assert "3 ans après la clôture du dossier" in text


def test_legal_pages_stay_editable(client, coordinator):
    client.force_login(coordinator)
    slugs = ["accessibilite", "schema-accessibilite", "mentions-legales", "donnees-personnelles"]
    for slug in slugs:
        response = client.get(reverse("public:page_text_edit", args=[slug]))
        assert response.status_code == 200, slug


def test_deployment_warns_about_demonstration_legal_facts(monkeypatch):
    for variable in ["SOUTIEN_HOST_NAME", "SOUTIEN_HOST_ADDRESS", "SOUTIEN_HOST_PHONE"]:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SOUTIEN_DPO_EMAIL", "dpo@caf.example")
    warnings = legal_facts_are_set()
    assert [warning.id for warning in warnings] == ["soutien.W001"] * 3
    assert all(isinstance(warning, checks.Warning) for warning in warnings)
    assert "SOUTIEN_HOST_NAME" in warnings[0].msg


def test_make_run_and_serve_send_links_to_the_address_they_serve():
    for target in ["run", "serve"]:
        dry_run = subprocess.run(  # noqa: S603 - fixed command
            ["make", "-n", target, "HOST=0.0.0.0", "PORT=8123"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        assert "SITE_URL:-http://0.0.0.0:8123" in dry_run, target
