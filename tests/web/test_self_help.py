"""Each person can help themselves (issue #12, points 4 and 7): the menu leads to the
account and help pages, a profile and a password can be changed while signed in, help is
written per role, and a refused form leads to its fields."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from soutien.accounts.models import AccountEvent
from soutien.directory.models import Organisation, OrganisationKind, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_member(reference):
    association = OrganisationFactory(name="Association Horizon", kind=OrganisationKind.ASSOCIATION)
    user = UserFactory(email="benevole@exemple.test", first_name="Inès", last_name="Martin")
    MembershipFactory(user=user, organisation=association, role=Role.BOARD_MEMBER)
    return user


def menu(html: str) -> str:
    return re.search(r'(?s)<nav[^>]*id="menu-principal".*?</nav>', html).group(0)


def test_the_menu_leads_to_the_account_pages_and_help(client, board_member):
    client.force_login(board_member)
    nav = menu(client.get(reverse("web:my_space")).content.decode())
    for name in ["profile:index", "profile:password_change", "security:index", "help:index"]:
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("security:audit_log")}"' not in nav


def test_the_coordinator_finds_the_audit_log_in_the_menu(client, coordinator):
    client.force_login(coordinator)
    nav = menu(client.get(reverse("web:my_space")).content.decode())
    assert f'href="{reverse("security:audit_log")}"' in nav
    assert f'href="{reverse("public:manage")}"' in nav


def test_the_skip_link_reaches_the_menu_at_every_width(client):
    html = client.get(reverse("public:home")).content.decode()
    assert 'href="#menu-principal">Aller au menu' in html
    # The target is the <nav> itself, visible at every width (the collapsed list is not).
    assert re.search(r'<nav [^>]*id="menu-principal"[^>]*tabindex="-1"', html)


def test_no_autofocus_jumps_over_the_skip_links(client, board_member):
    assert "autofocus" not in client.get(reverse("accounts:login")).content.decode()
    client.force_login(board_member, verified=False)
    assert "autofocus" not in client.get(reverse("security:two_factor_setup")).content.decode()


def test_a_person_edits_their_profile_and_functions(client, board_member):
    client.force_login(board_member)
    membership = board_member.memberships.get()
    response = client.post(
        reverse("profile:index"),
        {
            "first_name": "Inès",
            "last_name": "Martin-Roux",
            "phone": "06 12 34 56 78",
            f"function_{membership.pk}": "Présidente",
        },
    )
    assert response.status_code == 302
    board_member.refresh_from_db()
    membership.refresh_from_db()
    assert (board_member.last_name, board_member.phone) == ("Martin-Roux", "06 12 34 56 78")
    assert membership.function == "Présidente"
    assert (
        AccountEvent.objects.filter(
            user=board_member, action=AccountEvent.Action.PROFILE_UPDATED
        ).count()
        == 1
    )
    page = client.get(reverse("profile:index")).content.decode()
    assert "Association Horizon" in page
    assert "Administrateur bénévole — Présidente" in page


def test_a_refused_profile_keeps_what_was_typed_and_says_why(client, board_member):
    client.force_login(board_member)
    response = client.post(reverse("profile:index"), {"first_name": "", "last_name": "Roux"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Roux"' in html
    assert "<title>Erreur — Mon compte — Soutien</title>" in html
    summary = re.search(r'(?s)<div class="alert alert-danger error-summary".*?</div>', html)
    assert summary, "an error summary at the top of the form"
    assert 'tabindex="-1"' in summary.group(0)
    assert 'href="#id_first_name"' in summary.group(0)
    assert "Le formulaire contient une erreur" in summary.group(0)
    board_member.refresh_from_db()
    assert board_member.last_name == "Martin"


def test_nobody_edits_another_persons_profile(board_member):
    from django.core.exceptions import PermissionDenied

    from soutien.accounts.services import profile_update

    other = UserFactory()
    with pytest.raises(PermissionDenied):
        profile_update(user=board_member, by=other, first_name="Pirate")


def test_a_password_changed_while_signed_in_keeps_the_session(client, board_member):
    board_member.set_password("ancien-mot-de-passe-long")
    board_member.save()
    client.force_login(board_member)
    response = client.post(
        reverse("profile:password_change"),
        {
            "old_password": "ancien-mot-de-passe-long",
            "new_password1": "un nouveau mot de passe solide",
            "new_password2": "un nouveau mot de passe solide",
        },
    )
    assert response.status_code == 302
    board_member.refresh_from_db()
    assert board_member.check_password("un nouveau mot de passe solide")
    assert client.get(reverse("web:my_space")).status_code == 200
    assert AccountEvent.objects.filter(
        user=board_member, action=AccountEvent.Action.PASSWORD_CHANGED
    ).exists()


def test_a_wrong_old_password_is_refused_beside_its_field(client, board_member):
    client.force_login(board_member)
    html = client.post(
        reverse("profile:password_change"),
        {"old_password": "faux", "new_password1": "x" * 14, "new_password2": "x" * 14},
    ).content.decode()
    assert 'id="id_old_password_error"' in html
    assert 'href="#id_old_password"' in html


def test_help_speaks_to_each_role_with_the_screens_words(client, board_member, reference):
    client.force_login(board_member)
    html = html_lib.unescape(client.get(reverse("help:index")).content.decode())
    assert "Demander un soutien" in html
    assert "« Enregistrer et transmettre à la Caf »" in html
    assert "Donner l'avis de votre institution" not in html

    partner = UserFactory()
    state = Organisation.objects.get(name__startswith="Préfecture")
    MembershipFactory(user=partner, organisation=state, role=Role.PARTNER)
    client.force_login(partner)
    html = html_lib.unescape(client.get(reverse("help:index")).content.decode())
    assert "Donner l'avis de votre institution" in html
    assert "Demander un soutien" not in html


def test_the_buttons_named_in_the_help_exist_on_screen():
    """Each « … » quoted in a guide is a label of the templates, the panels or the
    workflow table (whose buttons the case page shows)."""
    from pathlib import Path

    from soutien.cases.workflow import STEPS_IN_ORDER
    from web.help.guides import GUIDES

    root = Path(__file__).resolve().parents[2] / "web"
    screens = "".join(
        path.read_text()
        for pattern in ("templates/**/*.html", "cases/*.py")
        for path in root.glob(pattern)
    ) + "".join(step.label for step in STEPS_IN_ORDER)
    quoted = {
        label
        for guides in GUIDES.values()
        for guide in guides
        for step in guide.steps
        for label in re.findall(r"« (.+?) »", step)
    }
    missing = sorted(label for label in quoted if label not in screens)
    assert missing == []


def test_the_faq_is_public_and_the_coordinator_edits_it(client, coordinator):
    response = client.get(reverse("help:faq"))
    assert response.status_code == 200
    assert "Questions fréquentes" in response.content.decode()
    client.force_login(coordinator)
    client.post(
        reverse("public:page_text_edit", args=["questions-frequentes"]),
        {
            "title": "Questions fréquentes",
            "description": "Réponses.",
            "body": "## Nouvelle question ?\n\nOui.",
        },
    )
    assert "Nouvelle question ?" in client.get(reverse("help:faq")).content.decode()
