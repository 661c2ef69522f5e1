"""In a browser: the filtered case list names itself and downloads its export, the
manager's « Vos contacts » box and the coordinator's pending account requests, all
accessible (axe-core)."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from soutien.accounts.models import AccountRequest
from soutien.cases.enums import Stage
from soutien.directory.models import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import session_for  # noqa: F401 - a fixture
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_downloads_the_filtered_list(session_for, reference):  # noqa: F811
    cast = make_cast()
    case_at(Stage.REFERRAL, cast)
    case_at(Stage.REFERRAL, cast)
    case_at(Stage.SUBMITTED, cast)
    page = session_for(cast.coordinator.email)
    page.goto(f"{page.base_url}/dossiers/?stage=referral")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dossiers — étape : saisine concertée"
    )
    assert page.title() == "Dossiers — étape : saisine concertée — Soutien"
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][4] == "Étape"
    assert page.locator("table.case-table tbody tr").count() == 2
    assert [row[4] for row in rows[1:]] == ["Saisine concertée", "Saisine concertée"]
    assert page.console_errors == []


def test_the_manager_sees_their_contacts(session_for, reference):  # noqa: F811
    case, cast = case_at(Stage.DIAGNOSTIC)
    page = session_for(cast.board_member.email)
    page.goto(f"{page.base_url}/dossiers/{case.pk}/")
    box = page.get_by_role("region", name="Vos contacts")
    expect(box).to_be_visible()
    expect(box.get_by_role("link", name=cast.consultant.email)).to_be_visible()
    expect(box.get_by_role("link", name=cast.coordinator.email)).to_be_visible()
    assert_accessible(page)


def test_the_coordinator_sees_pending_account_requests_at_home(session_for, demo):  # noqa: F811
    AccountRequest.objects.create(
        first_name="Inès",
        last_name="Durand",
        email="ines.durand@exemple.test",
        organisation_name="Centre social La Treille (fictif)",
        role=Role.STAFF,
    )
    page = session_for("coordination@caf13.demo")
    section = page.get_by_role("region", name="Demandes de compte en attente")
    expect(section.get_by_role("link", name="Inès Durand")).to_be_visible()
    assert_accessible(page)
    section.get_by_role("link", name="Gérer les demandes de compte").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demandes de compte")
