from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from soutien.accounts.models import User
from soutien.directory.demo import demo_accounts
from soutien.directory.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SocialCentre,
)

pytestmark = pytest.mark.django_db


def test_demo_command_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not User.objects.exists()
    assert not SocialCentre.objects.exists()


def test_demo_command_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo")
    first = (User.objects.count(), SocialCentre.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), SocialCentre.objects.count(), Membership.objects.count()) == first


def test_demo_centres_are_fictitious_and_spread(demo):
    centres = SocialCentre.objects.select_related("manager", "commune")
    assert 35 <= centres.count() <= 45
    assert all(centre.is_fictitious and "(fictif)" in centre.name for centre in centres)
    assert {centre.commune.insee_code for centre in centres} == set(
        SocialCentre.objects.values_list("commune__insee_code", flat=True)
    )
    assert len({centre.commune_id for centre in centres}) == 9
    federation_run = [c for c in centres if c.manager.kind == OrganisationKind.FEDERATION]
    assert 0.25 <= len(federation_run) / centres.count() <= 0.4
    assert len(Counter(c.manager_id for c in federation_run)) == 5


def test_demo_accounts_and_roles(demo):
    expected = {
        "coordination@caf13.demo": Role.COORDINATOR,
        "etat@partenaires.demo": Role.PARTNER,
        "region@partenaires.demo": Role.PARTNER,
        "departement@partenaires.demo": Role.PARTNER,
        "marseille@partenaires.demo": Role.PARTNER,
        "federation@federation.demo": Role.FEDERATION_STAFF,
        "administrateur@centre.demo": Role.BOARD_MEMBER,
        "salarie@centre.demo": Role.STAFF,
        "consultant@prestataire.demo": Role.CONSULTANT,
        "evaluation@partenaires.demo": Role.EVALUATOR,
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert user.check_password("soutien-demo")
        assert list(user.memberships.values_list("role", flat=True)) == [role]
    admin = User.objects.get(email="admin@soutien.demo")
    assert admin.is_superuser and admin.is_staff
    assert {a.email for a in demo_accounts()} == set(expected) | {"admin@soutien.demo"}


def test_board_member_and_employee_share_a_marseille_association(demo):
    board = Membership.objects.get(user__email="administrateur@centre.demo")
    staff = Membership.objects.get(user__email="salarie@centre.demo")
    assert board.organisation == staff.organisation
    assert board.organisation.kind == OrganisationKind.ASSOCIATION
    centre = board.organisation.managed_centres.get()
    assert centre.commune.name == "Marseille"


def test_federation_account_manages_several_centres(demo):
    membership = Membership.objects.get(user__email="federation@federation.demo")
    assert membership.organisation.managed_centres.count() >= 2


def test_marseille_partner_belongs_to_the_city(demo):
    membership = Membership.objects.get(user__email="marseille@partenaires.demo")
    assert membership.organisation.commune.insee_code == "13055"
    assert Organisation.objects.filter(kind=OrganisationKind.FUNDER).count() == 12
