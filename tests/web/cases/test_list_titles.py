"""Each filtered case list names itself (title and heading), and the employee's
stage-only page names the stage."""

import re

import pytest
from django.urls import reverse

from soutien.cases.enums import Stage
from soutien.directory.models import Commune, Domain, Organisation
from tests.web.cases.conftest import html

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", html(response), re.S).group(1).strip()


def h1_of(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html(response), re.S).group(1).strip()


def ids():
    return {
        "marseille": Commune.objects.get(insee_code="13055").pk,
        "aix": Commune.objects.get(insee_code="13001").pk,
        "cco": Organisation.objects.get(name="CCO").pk,
        "gouvernance": Domain.objects.get(code="gouvernance").pk,
    }


@pytest.fixture
def coordinator_client(client, coordinator):
    from tests.factories import SocialCentreFactory

    # The commune filter offers the communes that have a centre.
    for code in ("13055", "13001"):
        SocialCentreFactory(commune=Commune.objects.get(insee_code=code))
    client.force_login(coordinator)
    return client


# Filters (with placeholders for database ids) and the title written by hand.
EXPECTED = [
    ({}, "Dossiers"),
    ({"stage": "referral"}, "Dossiers — étape : saisine concertée"),
    ({"stage": "submitted"}, "Dossiers — étape : fiche transmise à la Caf"),
    ({"overdue": "on"}, "Dossiers en retard"),
    ({"commune": "marseille"}, "Dossiers de Marseille"),
    ({"commune": "aix"}, "Dossiers d'Aix-en-Provence"),
    ({"commune": "marseille", "overdue": "on"}, "Dossiers de Marseille en retard"),
    ({"situation": "crisis"}, "Dossiers — situation : crise avérée"),
    ({"situation": "preventive"}, "Dossiers — situation : démarche préventive"),
    ({"federation": "cco"}, "Dossiers — gestionnaire : CCO"),
    ({"domain": "gouvernance"}, "Dossiers — champ : gouvernance"),
    ({"q": "Horizon"}, "Dossiers — recherche : « Horizon »"),
    ({"year": "2016"}, "Dossiers de 2016"),
    ({"year": "2026"}, "Dossiers de 2026"),
    ({"commune": "marseille", "year": "2026"}, "Dossiers de Marseille, 2026"),
    ({"overdue": "on", "year": "2026"}, "Dossiers en retard, 2026"),
    (
        {"commune": "aix", "stage": "diagnostic", "situation": "crisis", "q": "MSTR"},
        "Dossiers d'Aix-en-Provence — étape : diagnostic flash, situation : crise avérée, "
        "recherche : « MSTR »",
    ),
]


def resolve(filters):
    known = ids()
    return {
        name: known.get(value, value) if name in ("commune", "federation", "domain") else value
        for name, value in filters.items()
    }


@pytest.mark.parametrize(("filters", "expected"), EXPECTED)
def test_each_filtered_list_has_its_own_title_and_heading(coordinator_client, filters, expected):
    response = coordinator_client.get(reverse("cases:list"), resolve(filters))
    assert response.status_code == 200
    assert title_of(response) == f"{expected} — Soutien".replace("'", "&#x27;")
    assert h1_of(response) == expected.replace("'", "&#x27;")


def test_distinct_filters_give_distinct_titles(coordinator_client):
    titles = [
        title_of(coordinator_client.get(reverse("cases:list"), resolve(filters)))
        for filters, _ in EXPECTED
    ]
    assert len(set(titles)) == len(EXPECTED)


def test_the_title_gives_the_page_number_after_the_first(coordinator_client, reference):
    from tests.builders import make_cast
    from tests.web.cases.test_access import make_cases

    cast = make_cast()
    make_cases(26, cast)
    url = reverse("cases:list")
    first = coordinator_client.get(url, {"stage": "submitted"})
    assert title_of(first) == "Dossiers — étape : fiche transmise à la Caf — Soutien"
    second = coordinator_client.get(url, {"stage": "submitted", "page": 2})
    assert title_of(second) == "Dossiers — étape : fiche transmise à la Caf (page 2) — Soutien"
    assert h1_of(second) == "Dossiers — étape : fiche transmise à la Caf"


def test_an_invalid_filter_keeps_the_plain_title_and_says_why(coordinator_client):
    response = coordinator_client.get(reverse("cases:list"), {"stage": "zzz"})
    assert title_of(response) == "Erreur — Dossiers — Soutien"
    assert "zzz" in html(response)  # what was typed is shown back with its error


def test_the_employee_stage_page_names_the_stage(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.staff)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.templates[0].name == "cases/stage_only.html"
    assert title_of(response) == f"Dossier {case.number} — diagnostic flash — Soutien"
    assert "— étape —" not in title_of(response)


def test_the_year_filter_keeps_the_cases_numbered_that_year(client, case_at):
    from soutien.cases.models import Case

    case, cast = case_at(Stage.SUBMITTED)
    older, _ = case_at(Stage.REFERRAL, cast)
    Case.objects.filter(pk=older.pk).update(number="MSTR-2016-0007")
    case_at(Stage.DRAFT, cast)  # a draft has no number, hence no year
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"), {"year": "2016"})
    assert [c.number for c in response.context["page"].object_list] == ["MSTR-2016-0007"]
    assert title_of(response) == "Dossiers de 2016 — Soutien"
    response = client.get(reverse("cases:export_csv"), {"year": "2016"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [line.split(";")[0] for line in lines[1:]] == ["MSTR-2016-0007"]
    year = case.number.split("-")[1]
    response = client.get(reverse("cases:list"), {"year": year})
    assert [c.number for c in response.context["page"].object_list] == [case.number]


def test_a_year_outside_the_mission_is_refused_beside_its_field(coordinator_client):
    response = coordinator_client.get(reverse("cases:list"), {"year": "1999"})
    assert response.context["form"].errors["year"]
    assert title_of(response) == "Erreur — Dossiers — Soutien"
