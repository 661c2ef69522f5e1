"""Who must have a second factor: every account that can read a case or a report
(ASVS 5.0 level 2). The table is written by hand, never computed by the code."""

import re

import pytest
from django.urls import reverse

from soutien.cases.enums import Stage
from soutien.directory.models import Role
from soutien.security.policies import must_use_two_factor
from tests.builders import case_at
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MY_SPACE = "/mon-espace/"

# Role of the account's only active membership → must it have a second factor?
MUST_HAVE_SECOND_FACTOR = {
    Role.COORDINATOR: True,  # every case of the department
    Role.PARTNER: True,  # cases of their territory, validated reports
    Role.CONSULTANT: True,  # the cases entrusted to the provider
    Role.BOARD_MEMBER: True,  # manager: their centres' cases and reports
    Role.FEDERATION_STAFF: True,  # manager: the cases of the centres the federation runs
    Role.STAFF: True,  # centre employee: the drafts they write, the stage of the others
    Role.EVALUATOR: False,  # aggregates only, never a case
}


def test_the_table_covers_every_role():
    assert set(MUST_HAVE_SECOND_FACTOR) == set(Role)


@pytest.mark.parametrize("role", list(MUST_HAVE_SECOND_FACTOR), ids=str)
def test_policy_follows_the_table(role):
    user = MembershipFactory(role=role).user
    assert must_use_two_factor(user) is MUST_HAVE_SECOND_FACTOR[role]


@pytest.mark.parametrize("role", list(MUST_HAVE_SECOND_FACTOR), ids=str)
def test_after_the_password_the_page_follows_the_table(client, role):
    user = MembershipFactory(role=role).user
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "soutien-demo"}
    )
    assert response.status_code == 302
    response = client.get(MY_SPACE)
    if MUST_HAVE_SECOND_FACTOR[role]:
        assert response.status_code == 302
        assert (
            response["Location"] == reverse("security:two_factor_setup") + "?next=%2Fmon-espace%2F"
        )
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("make_user", "expected"),
    [
        (lambda: UserFactory(), False),  # no organisation: sees no case
        (lambda: UserFactory(is_superuser=True, is_staff=True), True),
        (lambda: MembershipFactory(role=Role.BOARD_MEMBER, is_active=False).user, False),
        (
            lambda: (
                MembershipFactory(
                    role=Role.STAFF,
                    user=MembershipFactory(role=Role.EVALUATOR).user,
                ).user
            ),
            True,  # one role that reads cases is enough
        ),
    ],
    ids=["sans-organisation", "administration", "rattachement-inactif", "deux-roles"],
)
def test_accounts_outside_the_table(make_user, expected):
    assert must_use_two_factor(make_user()) is expected


def _enrol_by_email(client, mailoutbox, django_capture_on_commit_callbacks):
    setup = reverse("security:two_factor_setup")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(setup, {"methode": "courriel", "action": "envoyer"})
    code = re.search(r"code de connexion à Soutien : (\d{6})", mailoutbox[-1].body).group(1)
    response = client.post(setup, {"methode": "courriel", "token": code})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10


@pytest.mark.parametrize("member", ["board_member", "staff"])
def test_a_centre_member_without_a_device_cannot_read_a_case_before_enrolling(
    client, reference, mailoutbox, django_capture_on_commit_callbacks, member
):
    from soutien.cases import services
    from tests.builders import make_cast

    cast = make_cast()
    if member == "staff":  # the employee reads the drafts they wrote
        case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    else:
        case, _ = case_at(Stage.SUPPORT, cast)
    user = getattr(cast, member)
    client.post(reverse("accounts:login"), {"username": user.email, "password": "soutien-demo"})
    detail = reverse("cases:detail", args=[case.pk])
    for url in (detail, reverse("cases:list"), reverse("cases:form", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("security:two_factor_setup") + "?next=")
        assert response.content == b""
    _enrol_by_email(client, mailoutbox, django_capture_on_commit_callbacks)
    response = client.get(detail)
    assert response.status_code == 200
    assert response.context["case"].pk == case.pk


def test_a_federation_manager_is_sent_to_the_setup_page(client, reference):
    from tests.builders import make_cast

    case, cast = case_at(Stage.SUPPORT, make_cast(federation=True))
    client.post(
        reverse("accounts:login"),
        {"username": cast.board_member.email, "password": "soutien-demo"},
    )
    response = client.get(reverse("cases:report", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security:two_factor_setup"))
