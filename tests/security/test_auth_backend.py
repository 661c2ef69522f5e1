"""The authentication backend reads the signed-in user and their active memberships in
one query (soutien.security.backends): the roles it gives are those of the database at
each request, never kept from one request to the next."""

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from soutien.directory.actors import actor_for
from soutien.directory.models import Organisation, OrganisationKind, Role
from soutien.security.backends import ModelBackendWithMemberships
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client):
    """The user as ``AuthenticationMiddleware`` reads it for the client's session."""
    request = RequestFactory().get("/")
    request.session = client.session
    return get_user(request)


def test_the_user_and_their_active_memberships_come_in_one_query(client):
    association = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
    other = OrganisationFactory(kind=OrganisationKind.ASSOCIATION)
    user = MembershipFactory(organisation=association, role=Role.BOARD_MEMBER).user
    MembershipFactory(user=user, organisation=other, role=Role.STAFF)
    MembershipFactory(
        user=user,
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
        is_active=False,
    )
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        read = signed_in(client)
        actor = actor_for(read)
    statements = [q["sql"] for q in queries if "django_session" not in q["sql"]]
    assert len(statements) == 1
    assert read.pk == user.pk
    assert actor.board_orgs == {association.pk}
    assert actor.staff_orgs == {other.pk}
    assert actor.coordinator is False  # the inactive membership gives nothing


def test_a_membership_ended_between_two_requests_is_seen_at_the_next_one(client):
    membership = MembershipFactory(
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
    )
    client.force_login(membership.user)
    assert actor_for(signed_in(client)).coordinator is True
    membership.is_active = False
    membership.save()
    assert actor_for(signed_in(client)).coordinator is False


def test_a_user_without_membership_has_no_role_and_an_inactive_user_is_not_read():
    user = UserFactory()
    backend = ModelBackendWithMemberships()
    actor = actor_for(backend.get_user(user.pk))
    assert (actor.user_id, actor.coordinator, actor.centre_orgs, actor.partner_orgs) == (
        user.pk,
        False,
        frozenset(),
        frozenset(),
    )
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None
    assert backend.get_user(user.pk + 1000) is None
