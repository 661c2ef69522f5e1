"""Issue #15, the evaluation: its pages read the evaluation's facts, never the cases.

For every role that sees the evaluation (the coordination, the evaluation body, a
partner of the department, a commune partner), the page and its map data read the same
number of queries with one batch of cases as with three, and none of them reads the case
table (``cases_case``) or the links of the requests' fields: what is shown comes from the
facts kept up to date by the case events (soutien.evaluation.facts), summed up in groups
(soutien.evaluation.groups), and the published grid stored with them
(soutien.evaluation.publication). Of the facts themselves only the cases with a running
clock are read (the figure « en retard », which depends on the hour). One exception, the
coordination's own map data: each centre with the stage of its latest case (one indexed
subquery per centre in one query, whatever the number of cases).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.accounts.models import User
from soutien.directory.models import Commune
from tests.perf.test_query_counts import add_batch, demo_casts

EVALUATION_ROLES = [
    "coordination@caf13.demo",
    "evaluation@partenaires.demo",
    "etat@partenaires.demo",
    "marseille@partenaires.demo",
]
URLS = {
    "Évaluation": reverse("evaluation:index"),
    "Évaluation, une année": reverse("evaluation:index") + "?year=2026",
    "Données de la carte": reverse("evaluation:map_data"),
}
CASE_TABLES = ('"cases_case"', '"cases_informationform_domains"', '"cases_satisfaction"')
FACT_TABLES = (
    '"evaluation_casefacts"',
    '"evaluation_casefactsdomain"',
    '"evaluation_publishedfacts"',
    '"evaluation_publishedfactsdomain"',
)


def _read(client: Client, url: str) -> tuple[int, list[str]]:
    client.get(url)  # warm-up: the facts of the new cases, their grid, session stamps
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [query["sql"] for query in queries]


def _urls() -> dict[str, str]:
    marseille = Commune.objects.get(name="Marseille", parent=None).pk
    return URLS | {
        "Évaluation, Marseille, une année": reverse("evaluation:index")
        + f"?year=2026&commune={marseille}",
    }


def _all(clients: dict[str, Client]) -> dict:
    return {
        (email, page): _read(c, url)
        for email, c in clients.items()
        for page, url in _urls().items()
    }


@pytest.mark.django_db
def test_evaluation_reads_a_constant_number_of_queries_and_never_the_cases(demo):
    casts = demo_casts()
    add_batch(casts)
    clients = {}
    for email in EVALUATION_ROLES:
        clients[email] = Client()
        clients[email].force_login(User.objects.get(email=email))
    small = _all(clients)
    add_batch(casts)
    add_batch(casts)
    large = _all(clients)
    grown = {
        key: f"{len(small[key][1])} → {len(large[key][1])}"
        for key in small
        if len(small[key][1]) != len(large[key][1])
    }
    assert grown == {}
    assert {key: status for key, (status, _) in large.items()} == dict.fromkeys(large, 200)
    reading_cases = {
        key: [sql for sql in queries if any(table in sql for table in CASE_TABLES)]
        for key, (_, queries) in large.items()
        if key != ("coordination@caf13.demo", "Données de la carte")
    }
    assert {key: found for key, found in reading_cases.items() if found} == {}
    # Of the facts (one row per case), the pages read only the cases whose step has a
    # clock, for the figure « en retard » (it depends on the hour); every other figure is
    # summed from the groups of facts (soutien.evaluation.groups).
    reading_facts = {
        key: [
            sql
            for sql in queries
            if any(table in sql for table in FACT_TABLES) and '"clock_start"' not in sql
        ]
        for key, (_, queries) in large.items()
        if key != ("coordination@caf13.demo", "Données de la carte")
    }
    assert {key: found for key, found in reading_facts.items() if found} == {}
    # Masked figures come from the published copy of the facts, exact ones from the live
    # facts (soutien.evaluation.publication), when they are not in the cache yet.
    read = {}
    for email in EVALUATION_ROLES:
        clients[email].get(URLS["Évaluation"])
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            clients[email].get(URLS["Évaluation"])
        read[email] = " ".join(query["sql"] for query in queries)
    assert {email: '"evaluation_publishedfacts"' in sql for email, sql in read.items()} == {
        "coordination@caf13.demo": False,
        "evaluation@partenaires.demo": True,
        "etat@partenaires.demo": True,
        "marseille@partenaires.demo": True,
    }
    assert '"evaluation_casefacts"' in read["coordination@caf13.demo"]
