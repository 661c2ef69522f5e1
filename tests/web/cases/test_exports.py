"""Case list exports (CSV and spreadsheet): the filters applied, exactly the rows and
columns of the reader's list, no formula, audited, limited per account, constant
queries."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from soutien.audit.models import AuditEntry
from soutien.cases.deadlines import refresh_due_at
from soutien.cases.enums import Stage
from soutien.cases.models import Case
from tests.builders import case_at, make_cast
from tests.web.cases.conftest import html
from tests.web.cases.test_access import make_cases

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")

HEADER = [
    "Dossier",
    "Centre social",
    "Commune",
    "Situation",
    "Étape",
    "Échéance de l'étape",
    "En retard",
]
ROLES = [
    "coordinator",
    "partner_state",
    "partner_commune",
    "partner_other_commune",
    "board_member",
    "staff",
    "consultant",
    "other_consultant",
    "outsider",
]


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def listed_numbers(client, params=None) -> list[str]:
    response = client.get(reverse("cases:list"), params or {})
    assert response.status_code == 200
    return [case.display_number for case in response.context["page"].paginator.object_list]


@pytest.fixture
def world(reference):
    """Cases at several stages for one centre, and one for a centre elsewhere."""
    cast = make_cast()
    referral, _ = case_at(Stage.REFERRAL, cast)
    diagnostic, _ = case_at(Stage.DIAGNOSTIC, cast)
    draft, _ = case_at(Stage.DRAFT, cast)
    elsewhere, _ = case_at(Stage.SUBMITTED, make_cast(commune_code="13001"))
    return cast, {"referral": referral, "diagnostic": diagnostic, "draft": draft, "x": elsewhere}


def test_the_coordinator_exports_the_filtered_list_in_csv(client, world):
    cast, cases = world
    client.force_login(cast.coordinator)
    case = cases["diagnostic"]
    # Decided on 2 March 2026 at noon: the report is due 45 days later (default target).
    decided = dt.datetime(2026, 3, 2, 12, 0, tzinfo=PARIS)
    Case.objects.filter(pk=case.pk).update(decided_at=decided)
    refresh_due_at(Case.objects.filter(pk=case.pk))  # the date was set behind the services
    response = client.get(reverse("cases:export_csv"), {"stage": "diagnostic"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="dossiers-mstr-')
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert csv_rows(response) == [
        HEADER,
        [
            case.number,
            cast.centre.name,
            "Marseille",
            "Démarche préventive",
            "Diagnostic flash",
            "16/04/2026",
            "oui" if timezone.localdate() > dt.date(2026, 4, 16) else "non",
        ],
    ]


def test_the_spreadsheet_holds_the_same_rows_as_the_csv(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    params = {"commune": cast.centre.commune_id}
    from_csv = csv_rows(client.get(reverse("cases:export_csv"), params))
    response = client.get(reverse("cases:export_xlsx"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0] == HEADER
    assert [row[0] for row in rows] == [row[0] for row in from_csv]
    assert len(rows) == 3  # the header, the referral and the diagnostic (not the other town)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_exports_exactly_its_list(client, world, role):
    cast, _ = world
    client.force_login(getattr(cast, role))
    for params in ({}, {"stage": "referral"}, {"overdue": "on"}):
        listed = listed_numbers(client, params)
        exported = csv_rows(client.get(reverse("cases:export_csv"), params))
        assert exported[0] == HEADER
        assert [row[0] for row in exported[1:]] == listed
        spreadsheet = xlsx_rows(client.get(reverse("cases:export_xlsx"), params))
        assert [row[0] for row in spreadsheet[1:]] == listed


def test_what_each_role_exports_is_written_by_hand(client, world):
    """The scope itself, not only its equality with the list."""
    cast, cases = world
    numbers = {name: case.display_number for name, case in cases.items()}
    expected = {
        "coordinator": {numbers["referral"], numbers["diagnostic"], numbers["x"]},
        "partner_state": {numbers["referral"], numbers["diagnostic"]},
        "partner_other_commune": set(),
        "board_member": {numbers["referral"], numbers["diagnostic"], "Brouillon"},
        "staff": {numbers["referral"], numbers["diagnostic"]},
        "consultant": {numbers["diagnostic"]},
        "other_consultant": set(),
        "outsider": set(),
    }
    observed = {}
    for role in expected:
        client.force_login(getattr(cast, role))
        rows = csv_rows(client.get(reverse("cases:export_csv")))
        observed[role] = {row[0] for row in rows[1:]}
    assert observed == expected


def test_the_evaluation_body_has_no_export(client, world):
    cast, _ = world
    client.force_login(cast.evaluator)
    assert client.get(reverse("cases:export_csv")).status_code == 404
    assert client.get(reverse("cases:export_xlsx")).status_code == 404
    client.logout()
    response = client.get(reverse("cases:export_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_centre_named_like_a_formula_is_exported_as_text(client, reference):
    cast = make_cast()
    cast.centre.name = '=HYPERLINK("http://exemple.test","Cliquez")'
    cast.centre.save(update_fields=["name"])
    case_at(Stage.SUBMITTED, cast)
    client.force_login(cast.coordinator)
    rows = csv_rows(client.get(reverse("cases:export_csv")))
    assert rows[1][1] == """'=HYPERLINK("http://exemple.test","Cliquez")"""
    response = client.get(reverse("cases:export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == """'=HYPERLINK("http://exemple.test","Cliquez")"""
    assert sheet["B2"].data_type == "s"


@pytest.mark.parametrize("view", ["cases:export_csv", "cases:export_xlsx"])
def test_an_export_keeps_a_constant_number_of_queries(client, reference, view):
    cast = make_cast()
    client.force_login(cast.coordinator)
    url = reverse(view)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"stage": "submitted"})
            if response.streaming:
                b"".join(response.streaming_content)
        return len(queries)

    make_cases(3, cast)
    count()  # the first request also fills per-process caches
    few = count()
    make_cases(40, cast)
    assert count() == few


def test_each_export_is_audited_with_its_filters(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    client.get(reverse("cases:export_csv"), {"stage": "referral", "page": "2"})
    client.get(reverse("cases:export_xlsx"))
    entries = AuditEntry.objects.filter(action="cases.export", actor_id=cast.coordinator.pk)
    details = sorted(
        (entry.details["format"], entry.details["filters"], entry.details["rows"])
        for entry in entries
    )
    assert details == [
        ("csv", "stage=referral", 1),
        ("xlsx", "", 3),
    ]


def test_exports_are_limited_per_account(client, world, settings):
    settings.SOUTIEN_CASE_EXPORT_RATE = (2, 3600)
    cast, _ = world
    client.force_login(cast.coordinator)
    url = reverse("cases:export_csv")
    assert client.get(url).status_code == 200
    assert client.get(reverse("cases:export_xlsx")).status_code == 200
    response = client.get(url, {"stage": "referral"})
    assert response.status_code == 429
    page = html(response)
    assert "Vous avez demandé beaucoup d&#x27;exports en peu de temps" in page
    assert 'value="referral" selected' in page  # the filters are kept
    assert AuditEntry.objects.filter(action="cases.export").count() == 2
    # Another account is not held back.
    client.force_login(cast.partner_state)
    assert client.get(url).status_code == 200


def test_an_invalid_filter_is_shown_beside_its_field_and_nothing_is_exported(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:export_csv"), {"stage": "zzz", "q": "Horizon"})
    assert response.status_code == 400
    page = html(response)
    assert "Corrigez les filtres signalés avant d&#x27;exporter la liste." in page
    assert response.context["form"].errors["stage"]
    assert 'value="Horizon"' in page
    assert not AuditEntry.objects.filter(action="cases.export").exists()


def test_the_list_links_both_exports_with_its_filters(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    page = html(client.get(reverse("cases:list"), {"stage": "referral", "page": "1"}))
    assert f'href="{reverse("cases:export_csv")}?stage=referral"' in page
    assert f'href="{reverse("cases:export_xlsx")}?stage=referral"' in page
    assert "Exporter (CSV)" in page
    assert "Exporter (tableur)" in page
    client.force_login(cast.evaluator)
    assert client.get(reverse("cases:list")).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"page": "99999999999999999999"},
        {"q": "\x00"},
        {"q": "a" * 5000},
        {"commune": "99999999999999999999"},
        {"federation": "-1"},
        {"domain": "abc"},
        {"situation": "\x00"},
        {"overdue": "\x00"},
    ],
)
def test_odd_query_strings_never_give_a_server_error(client, world, params):
    cast, _ = world
    client.raise_request_exception = False
    client.force_login(cast.coordinator)
    for view in ("cases:export_csv", "cases:export_xlsx"):
        assert client.get(reverse(view), params).status_code in (200, 400)


def test_exports_answer_reads_only(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    for view in ("cases:export_csv", "cases:export_xlsx"):
        assert client.post(reverse(view)).status_code == 405
    assert not AuditEntry.objects.filter(action="cases.export").exists()


def test_a_long_search_is_cut_in_the_audit_log(client, world):
    cast, _ = world
    client.force_login(cast.coordinator)
    assert client.get(reverse("cases:export_xlsx"), {"q": "a" * 5000}).status_code == 200
    entry = AuditEntry.objects.get(action="cases.export")
    assert entry.details["filters"] == "q=" + "a" * 498
    assert entry.details["rows"] == 0


def test_the_employee_sees_no_situation_in_the_list_nor_in_the_export(client, world):
    """Found while writing the export: the list showed the employee of an association
    centre the situation (préventive or crise) of cases of which they see only the stage."""
    cast, cases = world
    client.force_login(cast.staff)
    page = html(client.get(reverse("cases:list")))
    assert page.count('<td data-label="Situation">—</td>') >= 2
    assert "Démarche préventive</td>" not in page
    rows = csv_rows(client.get(reverse("cases:export_csv")))
    assert {row[3] for row in rows[1:]} == {""}
    assert {row[3] for row in xlsx_rows(client.get(reverse("cases:export_xlsx")))[1:]} == {""}
    client.force_login(cast.board_member)
    assert '<td data-label="Situation">Démarche préventive</td>' in html(
        client.get(reverse("cases:list"))
    )
    rows = csv_rows(client.get(reverse("cases:export_csv")))
    situations = {row[0]: row[3] for row in rows[1:]}
    assert situations[cases["referral"].number] == "Démarche préventive"


def test_the_staff_author_of_a_draft_sees_its_situation(client, reference):
    from soutien.cases import services
    from soutien.cases.enums import Situation

    cast = make_cast()
    draft = services.case_create_draft(centre=cast.centre, by=cast.staff)
    Case.objects.filter(pk=draft.pk).update(situation=Situation.CRISIS)
    client.force_login(cast.staff)
    rows = csv_rows(client.get(reverse("cases:export_csv")))
    assert rows[1:] == [
        ["Brouillon", cast.centre.name, "Marseille", "Crise avérée", "Brouillon", "", "non"]
    ]
