"""« Mon espace » is a to-do list for every role (issue #14, point 2; issue #15).

One world, built through the real services with the clock frozen on 2 March 2026, is
looked at forty days later (11 April 2026): every person's to-do rows are compared with
a table written by hand, each count with its rows and with the case list it links to
(``?a_faire=<kind>``), and the number of queries of each home with one world and with
three.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.cases import services
from soutien.cases.awaiting import ROWS_PER_KIND, todo_counts, todo_for
from soutien.cases.enums import Audience, DecisionOutcome, EventKind, OpinionValue, Stage
from soutien.cases.models import Case, CaseVisit
from soutien.cases.visits import record_visit
from soutien.core import clock
from soutien.core.models import OutboxEmail
from soutien.directory.models import Membership
from tests.builders import Cast, case_at, make_cast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# An event of the history, of any kind (its audience is what these tests are about).
NOTE = EventKind.ACTION_UPDATE

BUILT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NOW = BUILT + dt.timedelta(days=40)  # 11 April 2026


def unassigned(cast: Cast) -> Case:
    """A case the funders validated, whose provider has not designated a consultant."""
    case, _ = case_at(Stage.REFERRAL, cast)
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE)
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome=DecisionOutcome.VALIDATED,
        justification="Décidé en comité des financeurs.",
    )
    return case


def build_world(cast: Cast) -> dict[str, Case]:
    """One case of every kind of thing to do, around the centre of `cast`."""
    with clock.frozen_at(BUILT):
        cases = {
            "draft_board": case_at(Stage.DRAFT, cast)[0],
            "draft_staff": services.case_create_draft(centre=cast.centre, by=cast.staff),
            "submitted": case_at(Stage.SUBMITTED, cast)[0],
            "returned": case_at(Stage.RETURNED, cast)[0],
            "referral": case_at(Stage.REFERRAL, cast)[0],
            "unassigned": unassigned(cast),
            "diagnostic": case_at(Stage.DIAGNOSTIC, cast)[0],
            "revise": case_at(Stage.REPORT_REVIEW, cast)[0],
            "report_review": case_at(Stage.REPORT_REVIEW, cast)[0],
            "restitution": case_at(Stage.RESTITUTION, cast)[0],
            "support": case_at(Stage.SUPPORT, cast)[0],
            "closed": case_at(Stage.CLOSED, cast)[0],
        }
        services.report_request_changes(
            case=cases["revise"], by=cast.board_member, comment="Ajoutez le budget prévisionnel."
        )
        # The centre's own actions (« à démarrer »): one the consultant proposes would
        # first await the centre's decision (kind « actions_proposed »).
        services.action_add(
            case=cases["support"],
            by=cast.board_member,
            title="Plan de trésorerie mensuel",
            owner="Le référent famille",
            due_date=dt.date(2026, 4, 5),
        )
        services.action_add(
            case=cases["support"],
            by=cast.board_member,
            title="Assemblée générale extraordinaire",
            owner="La présidente",
            due_date=dt.date(2026, 6, 30),
        )
    return cases


@pytest.fixture
def world(reference):
    cast = make_cast()
    Membership.objects.filter(user=cast.staff).update(function="Référent famille")
    return cast, build_world(cast)


def rows_of(user) -> list[tuple]:
    """(case, kind, reason, due date, days late) of each row, in the order shown."""
    with clock.frozen_at(NOW):
        todo = todo_for(user)
    return [(row.case.pk, row.kind, row.reason, row.due_on, row.days_late) for row in todo.rows]


def expected_rows(cases, table) -> list[tuple]:
    return [(cases[name].pk, kind, reason, due, late) for name, kind, reason, due, late in table]


APRIL_1 = dt.date(2026, 4, 1)  # 30 days after the submission (referral), or the validation
APRIL_16 = dt.date(2026, 4, 16)  # 45 days after the decision (report)
MARCH_17 = dt.date(2026, 3, 17)  # 15 days after the report was sent (validation)
LATE_ACTION = "« Plan de trésorerie mensuel » (échéance le 05/04/2026)"

# Written by hand: who must do what, why, by when, the most urgent first.
EXPECTED = {
    "coordinator": [
        ("report_review", "overdue", "Étape : rapport en relecture par le gestionnaire",
         MARCH_17, 25),
        ("submitted", "check_form", "", APRIL_1, 10),
        ("submitted", "overdue", "Étape : fiche transmise à la Caf", APRIL_1, 10),
        ("referral", "decide", "", APRIL_1, 10),
        ("referral", "opinion", "", APRIL_1, 10),  # the Caf's, given by the coordination
        ("referral", "overdue", "Étape : saisine concertée", APRIL_1, 10),
        ("restitution", "overdue", "Étape : restitution", APRIL_1, 10),
        ("support", "close", "", None, 0),
    ],
    "board_member": [
        ("report_review", "validate_report", "", MARCH_17, 25),
        ("support", "actions_due", LATE_ACTION, dt.date(2026, 4, 5), 6),
        # Undated, the longest waiting first: all of them since the same moment (the world
        # is built under one frozen clock), so in the order they were created.
        ("draft_board", "draft", "", None, 0),
        ("draft_staff", "draft", "", None, 0),
        ("returned", "complete_form", "Message de la Caf : Précisez.", None, 0),
        ("closed", "satisfaction", "", None, 0),
    ],
    "staff": [
        ("support", "my_actions", LATE_ACTION, dt.date(2026, 4, 5), 6),
        ("draft_staff", "draft", "", None, 0),
    ],
    "partner_state": [("referral", "opinion", "", APRIL_1, 10)],
    "partner_commune": [("referral", "opinion", "", APRIL_1, 10)],
    "consultant": [
        ("restitution", "restitution", "", APRIL_1, 10),
        ("unassigned", "assign_consultant", "", APRIL_16, 0),
        ("diagnostic", "interviews", "", APRIL_16, 0),
        ("diagnostic", "report", "", APRIL_16, 0),
        ("revise", "revise_report",
         "Commentaires du gestionnaire sur la version 1 : Ajoutez le budget prévisionnel.",
         APRIL_16, 0),
    ],
    "other_consultant": [("unassigned", "assign_consultant", "", APRIL_16, 0)],
    "partner_other_commune": [],
    "outsider": [],
}  # fmt: skip


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_has_exactly_its_rows_by_urgency(world, role):
    cast, cases = world
    assert rows_of(getattr(cast, role)) == expected_rows(cases, EXPECTED[role])


def listed(client: Client, user, query: str) -> list[int]:
    client.force_login(user)
    with clock.frozen_at(NOW):
        response = client.get(f"{reverse('cases:list')}?{query}")
    assert response.status_code == 200
    return sorted(case.pk for case in response.context["page"].object_list)


@pytest.mark.parametrize("role", [r for r, rows in EXPECTED.items() if rows])
def test_counts_equal_rows_equal_the_linked_list(client, world, role):
    cast, _ = world
    user = getattr(cast, role)
    client.force_login(user)
    with clock.frozen_at(NOW):
        response = client.get(reverse("web:my_space"))
    page = response.content.decode()
    groups = [group for group in response.context["todo"].groups if group.count]
    assert groups
    for group in groups:
        rows = sorted(row.case.pk for row in group.rows)
        assert group.count == len(rows), group.title
        assert listed(client, user, group.list_query) == rows, group.title
        assert f'href="{reverse("cases:list")}?{group.list_query}"' in page
    # Everything listed in the table, once per row.
    assert page.count('<th scope="row"') == len(response.context["todo"].rows)


def test_a_kind_that_is_not_theirs_lists_nothing(client, world):
    cast, _ = world
    assert listed(client, cast.partner_state, "a_faire=check_form") == []
    assert listed(client, cast.staff, "a_faire=validate_report") == []


def test_an_unknown_kind_is_refused_beside_its_field(client, world):
    cast, cases = world
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"), {"a_faire": "tout-et-rien", "q": "Centre"})
    assert response.status_code == 200
    assert response.context["form"].errors["a_faire"]
    assert 'value="Centre"' in response.content.decode()


def test_the_filtered_list_names_itself(client, world):
    cast, _ = world
    client.force_login(cast.partner_state)
    html = client.get(reverse("cases:list"), {"a_faire": "opinion"}).content.decode()
    assert "<title>Dossiers — à faire : avis à donner — Soutien</title>" in html


def test_late_is_said_in_words(client, world):
    cast, _ = world
    client.force_login(cast.board_member)
    with clock.frozen_at(NOW):
        page = client.get(reverse("web:my_space")).content.decode()
    assert "En retard de 25 jours" in page
    assert "En retard de 6 jours" in page
    assert "Message de la Caf : Précisez." in page
    assert "<caption" in page and 'scope="col"' in page


def test_each_kind_shows_at_most_n_rows_and_links_to_all(client, reference):
    cast = make_cast()
    many = ROWS_PER_KIND + 2
    for _ in range(many):
        case_at(Stage.SUBMITTED, cast)
    with clock.frozen_at(NOW):
        todo = todo_for(cast.coordinator)
    [check] = [group for group in todo.groups if group.kind.kind == "check_form"]
    assert (check.count, len(check.rows), check.more) == (many, ROWS_PER_KIND, True)
    client.force_login(cast.coordinator)
    page = client.get(reverse("web:my_space")).content.decode()
    assert f"Voir les {many}" in page
    assert len(listed(client, cast.coordinator, "a_faire=check_form")) == many


def test_an_opinion_given_leaves_the_list(world):
    cast, cases = world
    services.opinion_give(
        case=cases["referral"], by=cast.partner_state, value=OpinionValue.FAVOURABLE
    )
    assert rows_of(cast.partner_state) == []
    assert [row[1] for row in rows_of(cast.partner_commune)] == ["opinion"]


# --- « Nouveau depuis votre dernière visite » -------------------------------------------


def is_new(user, case) -> bool:
    with clock.frozen_at(NOW):
        rows = todo_for(user).rows
    return any(row.is_new for row in rows if row.case.pk == case.pk)


def test_the_case_page_records_one_visit_per_person(client, world):
    cast, cases = world
    client.force_login(cast.consultant)
    url = reverse("cases:detail", args=[cases["diagnostic"].pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert CaseVisit.objects.filter(user=cast.consultant, case=cases["diagnostic"]).count() == 1


def test_a_case_changed_since_the_last_visit_is_marked(client, world):
    cast, cases = world
    case = cases["diagnostic"]
    client.force_login(cast.consultant)
    client.get(reverse("cases:detail", args=[case.pk]))
    assert not is_new(cast.consultant, case)
    # Events the consultant may not read, or their own, are not news.
    services.record_event(
        case=case,
        kind=NOTE,
        label="Note",
        by=cast.coordinator,
        audience=Audience.COORDINATION,
    )
    services.record_event(case=case, kind=NOTE, label="Note", by=cast.consultant)
    assert not is_new(cast.consultant, case)
    services.record_event(case=case, kind=NOTE, label="Point d'étape", by=cast.coordinator)
    assert is_new(cast.consultant, case)
    with clock.frozen_at(NOW):
        page = client.get(reverse("web:my_space")).content.decode()
    assert page.count("Nouveau depuis votre dernière visite") == 2  # interviews, report
    listing = client.get(reverse("cases:list")).content.decode()
    assert listing.count("Nouveau depuis votre dernière visite") == 1
    # Seen again: no longer new.
    client.get(reverse("cases:detail", args=[case.pk]))
    assert not is_new(cast.consultant, case)


def test_a_case_never_opened_is_not_marked(world):
    cast, cases = world
    services.record_event(case=cases["referral"], kind=NOTE, label="Note", by=cast.coordinator)
    assert not is_new(cast.partner_state, cases["referral"])


def test_a_visit_is_one_upsert(world):
    cast, cases = world
    record_visit(user=cast.staff, case=cases["support"])
    with CaptureQueriesContext(connection) as queries:
        record_visit(user=cast.staff, case=cases["support"])
    assert len(queries) == 1
    assert CaseVisit.objects.filter(user=cast.staff).count() == 1


# --- Constant work whatever the number of cases -----------------------------------------

ROLES = [role for role in EXPECTED if role != "outsider"] + ["evaluator"]


# Each role's home, and the list one of its counts links to (or the whole list).
LINKED = {
    "coordinator": "a_faire=overdue",
    "board_member": "a_faire=actions_due",
    "staff": "a_faire=my_actions",
    "partner_state": "a_faire=opinion",
    "consultant": "a_faire=revise_report",
}


def home_queries(clients: dict[str, Client]) -> dict[str, int]:
    counts = {}
    for role, client in clients.items():
        urls = [reverse("web:my_space")]
        if role in LINKED:
            urls.append(f"{reverse('cases:list')}?{LINKED[role]}")
        for url in urls:
            client.get(url)  # warm-up: per-session work done once
            with CaptureQueriesContext(connection) as queries, clock.frozen_at(NOW):
                assert client.get(url).status_code == 200
            counts[(role, url)] = len(queries)
    return counts


def test_every_home_reads_a_constant_number_of_queries(world):
    cast, cases = world
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(getattr(cast, role))
    for role in ROLES:  # each has seen a case: the « new » marker has rows to read
        record_visit(user=getattr(cast, role), case=cases["referral"])
    small = home_queries(clients)
    build_world(cast)
    build_world(cast)
    large = home_queries(clients)
    assert large == small


# --- A useful home for those who follow no case -----------------------------------------


def test_the_evaluation_body_gets_its_figures_and_exports(client, world):
    cast, _ = world
    client.force_login(cast.evaluator)
    with clock.frozen_at(NOW):
        response = client.get(reverse("web:my_space"))
    page = response.content.decode()
    assert response.context["todo"] is None
    assert f'href="{reverse("evaluation:index")}?year=2025"' in page
    assert f'href="{reverse("evaluation:export_xlsx")}?year=2025"' in page
    assert f'href="{reverse("evaluation:annual_report")}?year=2025"' in page
    assert "État technique" not in page


def test_the_technical_admin_sees_the_state_of_the_platform(client, reference):
    admin = UserFactory(is_staff=True)
    OutboxEmail.objects.create(to="a@exemple.test", subject="Rappel", body="…", attempts=2,
                               last_error="Connexion refusée")  # fmt: skip
    OutboxEmail.objects.create(to="b@exemple.test", subject="Rappel", body="…")
    client.force_login(admin)
    page = client.get(reverse("web:my_space")).content.decode()
    assert "État technique de la plateforme" in page
    assert "1 courriel en échec" in page
    assert "2 courriels en attente d'envoi." in page
    assert "Aucune demande de compte en attente." in page
    assert reverse("admin:core_outboxemail_changelist") in page


def test_the_technical_state_is_not_shown_to_others(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    assert "État technique" not in client.get(reverse("web:my_space")).content.decode()


def test_listed_numbers_match_the_table_for_the_partner(client, world):
    """The rows of the home page and the linked list name the same case numbers."""
    cast, cases = world
    client.force_login(cast.partner_state)
    with clock.frozen_at(NOW):
        page = client.get(reverse("web:my_space")).content.decode()
    assert set(re.findall(r"MSTR-\d{4}-\d{4}", page)) == {cases["referral"].number}


def test_the_anonymisation_forgets_who_opened_the_case(world):
    cast, cases = world
    record_visit(user=cast.board_member, case=cases["closed"])
    services.case_anonymise(case=cases["closed"])
    assert list(CaseVisit.objects.filter(case=cases["closed"]).values_list("user", flat=True)) == [
        None
    ]


@pytest.mark.parametrize(
    "role", ["coordinator", "board_member", "staff", "partner_state", "consultant"]
)
def test_the_counts_are_one_plain_aggregate(world, role):
    """Issue #15: one COUNT query over the cases the person may see, no DISTINCT, no
    « id IN (subquery) » over every case."""
    cast, _ = world
    with CaptureQueriesContext(connection) as queries, clock.frozen_at(NOW):
        todo_counts(getattr(cast, role))
    counts = [q["sql"].upper() for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "DISTINCT" not in counts[0]
    assert not re.search(r"\bIN \(\s*SELECT", counts[0])


def test_news_follow_who_may_read_the_event(world):
    """An event is news only for those who may read it in the history
    (policies.visible_audiences): the centre's employee does not read the exchanges of the
    manager and the provider; the concerned partners read the partners' events."""
    cast, cases = world
    support, referral = cases["support"], cases["referral"]
    for user in (cast.staff, cast.board_member):
        record_visit(user=user, case=support)
    for user in (cast.partner_state, cast.partner_commune):
        record_visit(user=user, case=referral)
    services.record_event(case=support, kind=NOTE, label="Point", by=cast.consultant,
                          audience=Audience.MANAGER_AND_PROVIDER)  # fmt: skip
    services.record_event(case=referral, kind=NOTE, label="Avis", by=cast.coordinator,
                          audience=Audience.PARTNERS)  # fmt: skip
    assert not is_new(cast.staff, support)
    assert is_new(cast.board_member, support)
    assert is_new(cast.partner_state, referral)
    assert is_new(cast.partner_commune, referral)


def test_actions_proposed_by_the_consultant_await_the_centres_decision(world):
    cast, cases = world
    with clock.frozen_at(BUILT):
        services.action_add(
            case=cases["support"],
            by=cast.consultant,
            title="Tableau de bord mensuel",
            owner="",
            due_date=dt.date(2026, 5, 15),
        )
    proposed = [row for row in rows_of(cast.board_member) if row[1] == "actions_proposed"]
    assert proposed == [
        (cases["support"].pk, "actions_proposed", "« Tableau de bord mensuel » (échéance le "
         "15/05/2026)", None, 0)
    ]  # fmt: skip
    assert [row for row in rows_of(cast.staff) if row[1] == "actions_proposed"] == proposed
    assert not [row for row in rows_of(cast.consultant) if row[1] == "actions_proposed"]
