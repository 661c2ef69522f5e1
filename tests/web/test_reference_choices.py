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
from tests.builders import case_at as build_case_at
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


def filter_fields(html: str) -> str:
    return html.split('aria-label="Filtrer les dossiers">', 1)[1].split(
        '<div class="d-flex gap-2">'
    )[0]


def test_the_blank_filters_are_rendered_once_and_the_same_as_a_fresh_form(client, reference):
    from web.cases import forms as case_forms
    from web.cases.lists import _filters_html, blank_filters

    _case, cast = build_case_at("submitted")
    fresh = _filters_html(case_forms.CaseFilterForm()).strip()
    shown = []
    for person in (cast.coordinator, cast.board_member):
        client.force_login(person)
        for query in ({}, {"page": "1"}):
            shown.append(filter_fields(client.get(LIST, query).content.decode()).strip())
    assert shown == [fresh] * 4
    assert blank_filters.get() is blank_filters.get()  # kept in the process

    added = Organisation.objects.create(name="Fédération du jour", kind=OrganisationKind.FEDERATION)
    html = client.get(LIST).content.decode()
    assert "Fédération du jour" in options(html, "federation")
    assert str(added.pk) in filter_fields(html)


def test_typed_filters_are_shown_as_typed(client, coordinator):
    client.force_login(coordinator)
    html = client.get(LIST, {"q": "Tilleuls", "stage": "diagnostic"}).content.decode()
    fields = filter_fields(html)
    assert 'value="Tilleuls"' in fields
    assert re.search(r'<option value="diagnostic"[^>]* selected>', fields)
    blank = filter_fields(client.get(LIST).content.decode())
    assert "Tilleuls" not in blank and " selected>" not in blank.replace('value="" selected', "")
