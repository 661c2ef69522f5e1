"""The map data endpoint follows the same rules as the pages."""

import json

import pytest
from django.urls import reverse

from tests.evaluation.dataset import build_dataset

pytestmark = pytest.mark.django_db

DATA = reverse("evaluation:map_data")


@pytest.fixture
def data(reference):
    return build_dataset()


def test_coordinator_sees_each_centre_with_its_stage(client, data):
    client.force_login(data.coordinator)
    payload = client.get(DATA).json()
    centres = {c["name"]: c for c in payload["centres"]}
    # Latest case of each centre: A1 → c4 (report review), A2 → c7, A3 → c5, F1 → c8.
    assert centres["Centre A1"]["stage"] == "Rapport en relecture par le gestionnaire"
    assert centres["Centre A1"]["group_code"] == "3"
    assert centres["Centre A3"]["group"] == "Restitution et accompagnement"
    assert centres["Centre F1"]["group_code"] == "1"
    assert centres["Centre F1"]["commune"] == "Marseille"
    counts = {c["name"]: c["text"] for c in payload["communes"]}
    assert counts == {"Aix-en-Provence": "3", "Marseille": "5"}
    assert payload["credit"] == "IGN, INSEE — Admin Express COG 2018"


@pytest.mark.parametrize("who", ["evaluator", "partner_state"])
def test_others_see_counts_per_commune_only_masked(client, data, who):
    client.force_login(getattr(data, who))
    payload = client.get(DATA, {"year": 2023}).json()
    assert "centres" not in payload
    # 2023: Marseille c1, c2, c4 (3) and Aix c3 (1). The 4 requests of 2023 lie within
    # the 5 decisions of the grid (c1 to c5) and would single out c5: the year is masked
    # on the map as on the pages, and so are its communes.
    counts = {c["code"]: (c["text"], c["count"]) for c in payload["communes"]}
    assert counts == {"13055": ("masqué", None), "13001": ("masqué", None)}
    assert payload["total"] == "masqué"
    # Every year: the same cells as the pages.
    counts = {c["code"]: c["text"] for c in client.get(DATA).json()["communes"]}
    assert counts == {"13055": "5", "13001": "3"}
    assert "Centre A1" not in json.dumps(payload)


def test_commune_partner_sees_its_territory_and_the_department_total(client, data):
    client.force_login(data.partner_aix)
    payload = client.get(DATA).json()
    assert [c["name"] for c in payload["communes"]] == ["Aix-en-Provence"]
    assert payload["department_total"] == "8"
    assert "centres" not in payload
    assert client.get(DATA, {"commune": data.marseille.pk}).status_code == 404


def test_map_page_has_the_same_information_as_a_table(client, data):
    client.force_login(data.coordinator)
    html = client.get(reverse("evaluation:map")).content.decode()
    assert "IGN, INSEE — Admin Express COG 2018" in html
    assert "Centre A1" in html and "Rapport en relecture par le gestionnaire" in html
    assert 'id="map-data"' in html
    client.force_login(data.evaluator)
    html = client.get(reverse("evaluation:map")).content.decode()
    assert "Centre A1" not in html


def test_geojson_is_served_to_evaluation_roles_only(client, data):
    client.force_login(data.evaluator)
    response = client.get(reverse("evaluation:communes_geojson"), {"couche": "departement"})
    assert response["Content-Type"] == "application/geo+json"
    assert b'"code":"13"' in b"".join(response.streaming_content)
    assert client.get(reverse("evaluation:communes_geojson"), {"couche": "x"}).status_code == 404


def test_map_page_says_what_it_shows(client, data):
    from soutien.evaluation.figures import MASKING_NOTE

    client.force_login(data.evaluator)
    html = client.get(reverse("evaluation:map"), {"year": 2023}).content.decode()
    assert "<title>Carte des demandes par commune" in html
    assert '<h1 class="h2">Demandes reçues par commune</h1>' in html
    # Masked figures read « masqué », explained beside the map, never « < 3 » or « secret ».
    assert MASKING_NOTE.replace("'", "&#x27;") in html
    assert "&lt; 3" not in html and "secret" not in html.lower().replace("secret statistique", "")
    client.force_login(data.coordinator)
    html = client.get(reverse("evaluation:map")).content.decode()
    assert '<h1 class="h2">Demandes par commune et centres sur la carte</h1>' in html
