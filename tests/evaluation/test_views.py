"""Evaluation pages: who reaches them, masking in the page, filters and territories."""

import pytest
from django.urls import reverse

from tests.evaluation.dataset import build_dataset

pytestmark = pytest.mark.django_db

INDEX = reverse("evaluation:index")
ALL_URLS = [
    reverse("evaluation:index"),
    reverse("evaluation:export_csv"),
    reverse("evaluation:export_xlsx"),
    reverse("evaluation:map"),
    reverse("evaluation:map_data"),
    reverse("evaluation:communes_geojson"),
]


@pytest.fixture
def data(reference):
    return build_dataset()


def test_anonymous_is_sent_to_login(client, data):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("who", ["board_member", "consultant"])
def test_others_get_404(client, data, url, who):
    client.force_login(getattr(data, who))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("who", ["coordinator", "evaluator", "partner_state", "partner_marseille"])
def test_evaluation_roles_reach_every_page(client, data, url, who):
    client.force_login(getattr(data, who))
    assert client.get(url).status_code == 200


def test_page_is_not_cached(client, data):
    client.force_login(data.evaluator)
    assert "no-store" in client.get(INDEX)["Cache-Control"]


def test_coordinator_sees_exact_figures(client, data):
    client.force_login(data.coordinator)
    response = client.get(INDEX)
    summary = dict((label, str(value)) for label, value, _ in response.context["summary_rows"])
    assert summary["dont crise avérée"] == "2"
    assert "masqué" not in response.content.decode()
    assert reverse("evaluation:case_dataset") in response.content.decode()


def test_evaluator_sees_masked_figures(client, data):
    client.force_login(data.evaluator)
    response = client.get(INDEX)
    html = response.content.decode()
    summary = dict((label, str(value)) for label, value, _ in response.context["summary_rows"])
    assert summary["dont crise avérée"] == "masqué"
    assert summary["Demandes reçues"] == "8"
    assert '<td class="masked">masqué</td>' in html
    # No case-level data for the evaluation body.
    assert reverse("evaluation:case_dataset") not in html
    assert client.get(reverse("evaluation:case_dataset")).status_code == 404


def test_commune_partner_sees_territory_and_department_totals(client, data):
    client.force_login(data.partner_marseille)
    response = client.get(INDEX)
    summary = response.context["summary_rows"]
    rows = {label: (str(value), str(dept)) for label, value, dept in summary}
    assert rows["Demandes reçues"] == ("5", "8")
    html = response.content.decode()
    assert "Aix-en-Provence" not in html.split('id="territoires"')[1].split("</section>")[0]
    assert "Département (total)" in html


def test_commune_partner_cannot_filter_on_another_territory(client, data):
    client.force_login(data.partner_aix)
    response = client.get(INDEX, {"commune": data.marseille.pk})
    assert response.context["form"].errors["commune"]
    rows = {label: str(value) for label, value, _ in response.context["summary_rows"]}
    assert rows["Demandes reçues"] == "3"  # Aix only, never Marseille's 5
    for url in ALL_URLS[1:3] + [reverse("evaluation:map_data")]:
        assert client.get(url, {"commune": data.marseille.pk}).status_code == 404


def test_filters_apply(client, data):
    client.force_login(data.coordinator)
    response = client.get(INDEX, {"year": 2024, "federation": data.federation.pk})
    rows = {label: str(value) for label, value, _ in response.context["summary_rows"]}
    assert rows["Demandes reçues"] == "1"
    bad = client.get(INDEX, {"start": "2024-05-01", "end": "2024-01-01"})
    assert "La fin de la période doit suivre son début." in bad.content.decode()


def test_nav_entry_only_for_evaluation_roles(client, data):
    client.force_login(data.evaluator)
    assert INDEX in client.get(reverse("web:my_space")).content.decode()
    client.force_login(data.board_member)
    assert f'href="{INDEX}"' not in client.get(reverse("web:my_space")).content.decode()


def test_page_queries_are_constant(client, data, django_assert_max_num_queries):
    client.force_login(data.partner_marseille)
    client.get(INDEX)
    with django_assert_max_num_queries(60):
        client.get(INDEX)


@pytest.mark.parametrize("who", ["evaluator", "partner_state", "partner_marseille"])
def test_free_dates_are_for_the_coordination_only(client, data, who):
    """Day bounds would let figures be subtracted day by day: the others choose a year."""
    client.force_login(getattr(data, who))
    page = client.get(INDEX)
    assert 'name="start"' not in page.content.decode()
    response = client.get(INDEX, {"start": "2024-01-01", "end": "2024-03-31"})
    assert response.context["form"].errors["year"] == [
        "Les dates « Du » et « Au » sont réservées à la coordination : choisissez une "
        "année, ou « Toutes »."
    ]
    assert 'id="id_year_error"' in response.content.decode()
    for name in ("evaluation:export_csv", "evaluation:export_xlsx", "evaluation:map_data"):
        assert client.get(reverse(name), {"start": "2024-01-01"}).status_code == 404
    client.force_login(data.coordinator)
    response = client.get(INDEX, {"start": "2024-01-01", "end": "2024-03-31"})
    rows = {label: str(value) for label, value, _ in response.context["summary_rows"]}
    assert rows["Demandes reçues"] == "3"  # c5, c6, c7


def test_exports_are_limited_per_account(client, data, settings):
    from django.core.cache import cache

    settings.SOUTIEN_EVALUATION_EXPORT_RATE = (2, 3600)
    cache.delete_many(
        [f"soutien:throttle:evaluation-export:{u.pk}" for u in (data.evaluator, data.partner_state)]
    )
    client.force_login(data.evaluator)
    assert client.get(reverse("evaluation:export_csv")).status_code == 200
    assert client.get(reverse("evaluation:export_xlsx")).status_code == 200
    refused = client.get(reverse("evaluation:annual_report"), {"year": 2024})
    assert refused.status_code == 429
    assert "Trop d'exports en peu de temps" in refused.content.decode()
    assert client.get(INDEX).status_code == 200  # the page itself stays open
    client.force_login(data.partner_state)  # per account: another one is not affected
    assert client.get(reverse("evaluation:export_csv")).status_code == 200
