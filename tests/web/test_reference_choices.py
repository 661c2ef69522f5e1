"""The filters' reference lists (federations, fields of work, the evaluation's communes)
are kept in the process (``web.forms.ReferenceChoiceField``, issue #15): offering and
checking a choice queries nothing, a row added is offered at once, a form that narrows the
list (the evaluation's territory) offers and accepts only its own rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.directory.models import Domain, Organisation, OrganisationKind
from tests.evaluation.dataset import build_dataset

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
EVALUATION = reverse("evaluation:index")


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_the_case_list_offers_its_choices_without_reading_their_tables(client, coordinator):
    client.force_login(coordinator)
    client.get(LIST)  # the first view loads the lists into the process
    with CaptureQueriesContext(connection) as queries:
        html = client.get(LIST).content.decode()
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "directory_domain" not in read
    assert '"directory_organisation"."kind"' not in read
    federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
    assert options(html, "federation") == [
        "Toutes",
        *federations.order_by("name").values_list("name", flat=True),
    ]
    assert options(html, "domain") == [
        "Tous",
        *Domain.objects.order_by("order", "name").values_list("name", flat=True),
    ]


def test_a_federation_added_is_offered_and_accepted_at_once(client, coordinator):
    client.force_login(coordinator)
    client.get(LIST)
    added = Organisation.objects.create(
        name="Fédération nouvelle", kind=OrganisationKind.FEDERATION
    )
    response = client.get(LIST, {"federation": added.pk})
    assert "Fédération nouvelle" in options(response.content.decode(), "federation")
    assert not response.context["form"].errors
    assert response.context["form"].cleaned_data["federation"] == added


@pytest.mark.parametrize("value", ["999999", "abc", "12 13"])
def test_an_unknown_choice_is_refused_beside_its_field(client, coordinator, value):
    client.force_login(coordinator)
    response = client.get(LIST, {"domain": value, "q": "gardé"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sélectionnez un choix valide" in html.split('id="id_domain_error"')[1][:400]
    assert 'value="gardé"' in html  # nothing typed is lost


def test_the_evaluation_offers_and_accepts_only_the_territorys_communes(client, reference):
    data = build_dataset()
    client.force_login(data.coordinator)
    department = options(client.get(EVALUATION).content.decode(), "commune")
    assert {"Aix-en-Provence", "Marseille"} <= set(department)

    client.force_login(data.partner_aix)
    response = client.get(EVALUATION)
    assert options(response.content.decode(), "commune") == ["Toutes", "Aix-en-Provence"]
    # The coordination's form, built after, still offers the whole department: each form
    # narrows its own copy of the field.
    client.force_login(data.coordinator)
    assert options(client.get(EVALUATION).content.decode(), "commune") == department

    client.force_login(data.partner_aix)
    refused = client.get(EVALUATION, {"commune": data.marseille.pk})
    assert refused.context["form"].errors["commune"]
    accepted = client.get(EVALUATION, {"commune": data.aix.pk})
    assert not accepted.context["form"].errors
    assert accepted.context["form"].cleaned_data["commune"] == data.aix
