"""Issue #15, points 1 and 6: the case list in all its forms (a later page, a commune,
a text search, the late cases, « à faire par moi ») and « Mon espace » read a constant
number of queries for every demo role, whatever the number of cases; the to-do counts
read only the cases of their stages; the text search is bounded (the centres first, the
start of the number).

As in test_query_counts: the eleven demo accounts look at each page with one batch of
cases, then with three; a query run once per case makes the second count larger.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.accounts.models import User
from soutien.cases.awaiting import todo_counts, todo_filters, todo_for
from soutien.cases.enums import FINAL_STAGES, Stage
from soutien.cases.models import Case
from soutien.cases.selectors import case_list, search_q
from soutien.core import clock
from soutien.directory.models import SocialCentre
from tests.builders import case_at, make_cast
from tests.perf.test_query_counts import (
    ROLES,
    add_batch,
    assert_constant,
    clients,
    counts,
    demo_casts,
)
from web.cases import lists

pytestmark = pytest.mark.django_db

BUILT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

LIST = reverse("cases:list")
LIST_PAGES = {
    "Liste, page 2": lambda case: f"{LIST}?page=2",
    "Liste, commune": lambda case: f"{LIST}?commune={case.centre.commune_id}",
    "Liste, recherche par centre": lambda case: f"{LIST}?q={case.centre.name[:8]}",
    "Liste, recherche par numéro": lambda case: f"{LIST}?q={case.number[:9]}",
    "Liste, en retard": lambda case: f"{LIST}?overdue=on",
    "Liste, à faire par moi": lambda case: f"{LIST}?mine=on",
}
NO_LIST = {"evaluation@partenaires.demo", "admin@soutien.demo"}


@pytest.mark.parametrize("page", list(LIST_PAGES))
def test_each_form_of_the_list_reads_constant_queries_for_every_role(demo, monkeypatch, page):
    # Two rows a page: « page 2 » exists with one batch of cases already.
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    casts = demo_casts()
    shown = add_batch(casts)[0]
    logged_in = clients()
    small = counts(logged_in, lambda email: LIST_PAGES[page](shown))
    add_batch(casts)
    add_batch(casts)
    large = counts(logged_in, lambda email: LIST_PAGES[page](shown))
    assert_constant(page, small, large)
    statuses = {email: status for email, (status, _) in large.items()}
    assert statuses == {email: 404 if email in NO_LIST else 200 for email in ROLES}


def test_every_kind_of_every_role_lists_with_constant_queries(demo):
    """Each count of « Mon espace » links to the list of its kind: the same number of
    queries with three times the cases, for every role and every kind it has."""
    casts = demo_casts()
    add_batch(casts)
    logged_in = clients()
    kinds = {email: list(todo_filters(User.objects.get(email=email))) for email in logged_in}
    assert sum(len(names) for names in kinds.values()) >= 15  # the demo roles have their kinds

    def measure():
        return {
            (email, kind): count_of(logged_in[email], f"{LIST}?a_faire={kind}")
            for email, names in kinds.items()
            for kind in names
        }

    small = measure()
    add_batch(casts)
    add_batch(casts)
    assert measure() == small


def count_of(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- What the counts and the search read ------------------------------------------------


@pytest.mark.parametrize(
    "role", ["coordinator", "board_member", "staff", "partner_state", "consultant"]
)
def test_the_counts_read_only_the_stages_of_their_kinds(reference, role):
    """The aggregate reads only the cases at the stages of the person's kinds (an index
    on the stage serves it): the active stages, and the closed one for the satisfaction
    questionnaire."""
    cast = make_cast()
    user = getattr(cast, role)
    kinds = todo_filters(user)
    stages = set().union(*(kind.stages for kind in kinds.values()))
    with CaptureQueriesContext(connection) as queries:
        todo_counts(user)
    [aggregate] = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # The outer query's own condition: after its FROM (the subqueries read other tables).
    where = aggregate.rsplit('FROM "cases_case"', 1)[1]
    listed = re.search(r'"cases_case"\."stage" IN \(([^)]*)\)', where)
    assert listed, where
    assert set(re.findall(r"'(\w+)'", listed.group(1))) == stages
    assert not stages & (FINAL_STAGES - {Stage.CLOSED})


def test_the_search_finds_the_centre_by_part_of_its_name_and_the_number_by_its_start(reference):
    cast = make_cast()
    other = make_cast()
    case, _ = case_at(Stage.SUBMITTED, cast)
    elsewhere, _ = case_at(Stage.SUBMITTED, other)
    SocialCentre.objects.filter(pk=cast.centre.pk).update(name="Centre social Les Tilleuls")
    SocialCentre.objects.filter(pk=other.centre.pk).update(name="Centre social La Bastide")
    year, sequence = case.number.split("-")[1:]

    def found(query):
        return set(case_list(cast.coordinator, filters={"q": query}).values_list("pk", flat=True))

    both = {case.pk, elsewhere.pk}
    assert found("tilleul") == {case.pk}
    assert found("Centre social") == both
    assert found(case.number) == {case.pk}
    assert found(case.number.lower()) == {case.pk}
    assert found(f"{year}-{sequence}") == {case.pk}
    assert found(f"MSTR-{year}") == both
    assert found(year) == both
    # Neither a centre nor the start of a number: nothing, and the cases are not read.
    assert found(sequence[-2:]) == set()
    assert found("introuvable") == set()


def test_a_search_that_matches_nothing_reads_no_case(reference):
    make_cast()
    assert str(search_q("aucun centre de ce nom")) == str(search_q("zzz"))
    with CaptureQueriesContext(connection) as queries:
        assert list(Case.objects.filter(search_q("aucun centre de ce nom"))) == []
    assert not any('FROM "cases_case"' in q["sql"] for q in queries)


def test_the_late_cases_of_the_to_do_list_are_the_late_cases_of_the_list(reference):
    """« Dossiers en retard » (Mon espace) and « En retard seulement » (the list) read the
    same stored due date: the same cases."""
    cast = make_cast()
    with clock.frozen_at(BUILT):
        late = [case_at(stage, cast)[0] for stage in (Stage.SUBMITTED, Stage.DIAGNOSTIC)]
    case_at(Stage.SUBMITTED, cast)  # on time
    case_at(Stage.SUPPORT, cast)  # no clock at this stage
    with clock.frozen_at(BUILT + dt.timedelta(days=50)):
        [overdue] = [c for kind, c in todo_counts(cast.coordinator) if kind.kind == "overdue"]
        listed = set(
            case_list(cast.coordinator, filters={"overdue": True}).values_list("pk", flat=True)
        )
    assert overdue == 2
    assert listed == {case.pk for case in late}


def test_rows_without_a_clock_are_not_ordered_by_a_due_date(reference):
    """« Dossiers à clôturer » (support: no clock runs) is read in the order of waiting,
    not by the due date: ordering by it walks the list's index to its end at a million
    cases (docs/performance-lists.md); « Fiches transmises à vérifier » is."""
    cast = make_cast()
    case_at(Stage.SUPPORT, cast)
    case_at(Stage.SUBMITTED, cast)
    with CaptureQueriesContext(connection) as queries:
        todo_for(cast.coordinator)
    ids = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_case"."id" AS "pk"')]
    orders = {}
    for sql in ids:
        where, order = sql.split("ORDER BY")
        for stage in ("support", "submitted"):
            if f'"cases_case"."stage" = \'{stage}\'' in where:
                orders[stage] = order
    assert "due_at" not in orders["support"]
    assert "due_at" in orders["submitted"]
