import re

import pytest
from playwright.sync_api import expect

from soutien.accounts.models import User
from tests.browser.conftest import assert_accessible, login
from tests.security.helpers import confirmed_totp_device, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_member_logs_in_and_sees_my_space(page, demo):
    board_member = User.objects.get(email="administrateur@centre.demo")
    device = confirmed_totp_device(board_member)  # managers read cases: two factors
    page.goto(page.base_url + "/")
    assert_accessible(page)
    login(page, "administrateur@centre.demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")
    page.get_by_label(re.compile(r"^Code de vérification")).fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.get_by_text("Administrateur bénévole")).to_be_visible()
    assert page.title() == "Mon espace — Soutien"
    assert_accessible(page)
    assert page.console_errors == []


def test_keyboard_user_can_skip_to_content(page, demo):
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
