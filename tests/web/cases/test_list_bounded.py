"""Issue #15, point 1: the case list reads only what it shows. No DISTINCT, a count
bounded at « plus de 1 000 », the page's ids read first then their rows, and a commune
filter typed with proposals instead of a list of every commune."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.cases.enums import Stage
from soutien.directory.models import Commune
from tests.builders import case_at, make_cast
from web.cases import lists

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference):
    """Two cases in Marseille, one in Aix-en-Provence."""
    marseille = make_cast(commune_code="13055")
    aix = make_cast(commune_code="13001")
    cases = {
        "marseille_referral": case_at(Stage.REFERRAL, marseille)[0],
        "marseille_support": case_at(Stage.SUPPORT, marseille)[0],
        "aix": case_at(Stage.SUBMITTED, aix)[0],
    }
    return marseille, cases


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


def test_the_commune_filter_is_a_text_box_with_proposals(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"))
    html = response.content.decode()
    assert 'name="commune"' in html
    assert 'list="communes-proposees"' in html
    assert '<datalist id="communes-proposees"></datalist>' in html
    assert '<select name="commune"' not in html
    assert "Marseille (13055)" not in html  # no commune is listed before one types
    assert 'for="id_commune">Commune</label>' in html
    assert 'aria-describedby="id_commune_helptext"' in html


@pytest.mark.parametrize("typed", ["Marseille (13055)", "marseille", " Marseille "])
def test_a_commune_typed_or_proposed_filters_the_list(client, world, typed):
    cast, cases = world
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"), {"commune": typed})
    assert set(listed(response)) == {cases["marseille_referral"].pk, cases["marseille_support"].pk}
    assert response.context["list_title"] == "Dossiers de Marseille"
    assert 'value="Marseille (13055)"' in response.content.decode()


def test_a_link_with_the_commune_identifier_still_filters_and_reads_as_a_name(client, world):
    cast, cases = world
    client.force_login(cast.coordinator)
    aix = Commune.objects.get(insee_code="13001")
    response = client.get(reverse("cases:list"), {"commune": str(aix.pk)})
    assert listed(response) == [cases["aix"].pk]
    assert 'value="Aix-en-Provence (13001)"' in response.content.decode()


@pytest.mark.parametrize("typed", ["Atlantis", "Cassis", "99999999999999999999", "x" * 500])
def test_an_unknown_commune_is_said_beside_the_field_and_kept(client, world, typed):
    """Cassis exists but has no centre followed here: it is not one of the choices."""
    cast, _ = world
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"), {"commune": typed, "stage": "referral"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["commune"] == [
        "Aucune commune de ce nom n'a de centre social suivi : choisissez-en une dans la "
        "liste proposée."
    ]
    html = response.content.decode()
    if len(typed) < 140:
        assert f'value="{typed}"' in html  # what was typed is kept
    assert 'value="referral" selected' in html


def test_the_proposals_are_few_and_only_communes_with_a_centre(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    url = reverse("cases:commune_options")
    response = client.get(url, {"commune": "aix"}, headers={"HX-Request": "true"})
    assert response.content.decode().strip() == '<option value="Aix-en-Provence (13001)"></option>'
    by_code = client.get(url, {"commune": "1305"}).content.decode()
    assert by_code.strip() == '<option value="Marseille (13055)"></option>'
    assert client.get(url, {"commune": "a"}).content.decode().strip() == ""
    assert client.get(url, {"commune": "cassis"}).content.decode().strip() == ""
    assert client.get(url, {"commune": "\x00"}).status_code == 200


def test_the_proposals_are_refused_to_those_who_have_no_case_list(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("cases:commune_options"), {"commune": "mars"})
    assert response.status_code == 404


def test_the_count_stops_at_the_limit_and_says_more(client, world, monkeypatch):
    cast, cases = world
    monkeypatch.setattr(lists, "COUNT_LIMIT", 2)
    client.force_login(cast.coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"))
    assert response.context["page"].paginator.count == 2
    assert response.context["page"].paginator.capped is True
    assert "Plus de 2 dossiers : les 2 premiers sont listés" in response.content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 3" in counts[0].upper()
    monkeypatch.setattr(lists, "COUNT_LIMIT", 3)
    response = client.get(reverse("cases:list"))
    assert response.context["page"].paginator.capped is False
    assert "3 dossiers." in response.content.decode()


def test_the_page_reads_its_ids_then_their_rows_without_distinct(client, world):
    cast, cases = world
    client.force_login(cast.coordinator)
    client.get(reverse("cases:list"))  # warm-up of the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"), {"q": "Centre", "stage": "referral"})
    assert listed(response) == [cases["marseille_referral"].pk]
    sqls = [q["sql"] for q in queries]
    assert not any("DISTINCT" in sql.upper() for sql in sqls)
    case_table = connection.ops.quote_name("cases_case")
    # The ordered read selects the ids alone, a page at most; the rows are read by their ids.
    only_ids = f"SELECT {case_table}.{connection.ops.quote_name('id')} AS "
    only_ids += f"{connection.ops.quote_name('pk')} FROM "
    ids_reads = [sql for sql in sqls if sql.startswith(only_ids) and "ORDER BY" in sql]
    assert len(ids_reads) == 1
    assert ids_reads[0].endswith("LIMIT 1")  # the page: the one case matching
    rows = [sql for sql in sqls if sql.startswith(f"SELECT {case_table}.") and "ORDER BY" in sql]
    assert rows == ids_reads  # the rows themselves are read by id, unordered
    count = next(sql for sql in sqls if "COUNT(" in sql.upper())
    assert "CASE WHEN" not in count.upper()  # nothing computed per row to count them
