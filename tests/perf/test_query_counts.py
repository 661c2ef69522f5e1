"""Issue #15, point 6: each page reads a constant number of queries whatever the number
of cases, for every demo role.

The eleven demo accounts look at the same pages twice: once with one batch of cases
(every stage, on the board member's demo centre and on a centre of the demo federation),
then with two more identical batches (three times the cases). A query run once per case,
per opinion or per event makes the second count larger, and the test fails naming the
page and the role.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.accounts.models import User
from soutien.cases.enums import Stage
from soutien.directory.demo import DEMO_BOARD_CENTRE, DEMO_FEDERATION, demo_accounts
from soutien.directory.models import SocialCentre
from tests.builders import Cast, case_at

ROLES = [account.email for account in demo_accounts()]
BATCH = [Stage.SUBMITTED, Stage.REFERRAL, Stage.DIAGNOSTIC, Stage.SUPPORT, Stage.CLOSED]
FEDERATION_BATCH = [Stage.SUBMITTED, Stage.DIAGNOSTIC, Stage.CLOSED]


def demo_casts() -> tuple[Cast, Cast]:
    """The demo accounts in builder casts: the board member's centre, a federation's."""
    users = {email: User.objects.get(email=email) for email in ROLES}
    common = {
        "coordinator": users["coordination@caf13.demo"],
        "partner_state": users["etat@partenaires.demo"],
        "partner_commune": users["marseille@partenaires.demo"],
        "partner_other_commune": users["region@partenaires.demo"],
        "consultant": users["consultant@prestataire.demo"],
        "other_consultant": users["consultant@prestataire.demo"],
        "evaluator": users["evaluation@partenaires.demo"],
        "outsider": users["departement@partenaires.demo"],
    }
    board_centre = SocialCentre.objects.get(name=DEMO_BOARD_CENTRE)
    federation_centre = SocialCentre.objects.filter(manager__name=DEMO_FEDERATION).first()
    association = Cast(
        centre=board_centre,
        association=board_centre.manager,
        board_member=users["administrateur@centre.demo"],
        staff=users["salarie@centre.demo"],
        **common,
    )
    federation = Cast(
        centre=federation_centre,
        association=federation_centre.manager,
        board_member=users["federation@federation.demo"],
        staff=users["federation@federation.demo"],
        **common,
    )
    return association, federation


def add_batch(casts) -> list:
    association, federation = casts
    cases = [case_at(stage, association)[0] for stage in BATCH]
    cases += [case_at(stage, federation)[0] for stage in FEDERATION_BATCH]
    return cases


def clients() -> dict[str, Client]:
    logged_in = {}
    for email in ROLES:
        client = Client()
        client.force_login(User.objects.get(email=email))
        logged_in[email] = client
    return logged_in


def count_queries(client: Client, url: str) -> tuple[int, int]:
    client.get(url)  # warm-up: per-session work done once (device, audit stamps)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def counts(logged_in: dict[str, Client], url_for) -> dict[str, tuple[int, int]]:
    return {email: count_queries(client, url_for(email)) for email, client in logged_in.items()}


def assert_constant(page: str, small: dict, large: dict) -> None:
    grown = {
        email: f"{small[email][1]} → {large[email][1]} requêtes (HTTP {large[email][0]})"
        for email in small
        if small[email] != large[email]
    }
    assert not grown, f"{page} : le nombre de requêtes dépend du nombre de dossiers : {grown}"


PAGES = {
    "Mon espace": lambda case: reverse("web:my_space"),
    "Liste des dossiers": lambda case: reverse("cases:list"),
    "Liste des dossiers filtrée": lambda case: (
        reverse("cases:list") + f"?q=Centre&commune={case.centre.commune_id}&situation=preventive"
    ),
    "Page d'un dossier": lambda case: reverse("cases:detail", args=[case.pk]),
    "Évaluation": lambda case: reverse("evaluation:index"),
}
FEDERATION = "federation@federation.demo"
# Who gets the page (200); the others get a 404. The case shown is at the support stage
# on the board member's centre, and at the diagnostic stage on the federation's centre
# for the federation's employee.
OUT_OF_SCOPE = {
    "Mon espace": {},
    "Liste des dossiers": {"evaluation@partenaires.demo", "admin@soutien.demo"},
    "Liste des dossiers filtrée": {"evaluation@partenaires.demo", "admin@soutien.demo"},
    "Page d'un dossier": {"evaluation@partenaires.demo", "admin@soutien.demo"},
    "Évaluation": {
        FEDERATION,
        "administrateur@centre.demo",
        "salarie@centre.demo",
        "consultant@prestataire.demo",
        "admin@soutien.demo",
    },
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_query_count_does_not_grow_with_the_number_of_cases(demo, page):
    casts = demo_casts()
    first = add_batch(casts)
    shown = first[BATCH.index(Stage.SUPPORT)]
    shown_to_federation = first[len(BATCH) + FEDERATION_BATCH.index(Stage.DIAGNOSTIC)]

    def url_for(email):
        return PAGES[page](shown_to_federation if email == FEDERATION else shown)

    logged_in = clients()
    small = counts(logged_in, url_for)
    add_batch(casts)
    add_batch(casts)
    large = counts(logged_in, url_for)
    assert_constant(page, small, large)
    # The counts mean something: each role got the page, or its 404, as it should.
    statuses = {email: status for email, (status, _) in large.items()}
    assert statuses == {email: 404 if email in OUT_OF_SCOPE[page] else 200 for email in ROLES}
