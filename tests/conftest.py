"""Shared fixtures.

Logging users in (two-factor authentication is enforced in tests, DEBUG being off):
- ``client.force_login(user)`` gives a session that has passed the second factor when
  the user needs one (coordinator, partner, consultant, superuser, or anyone enrolled):
  the autouse fixture below creates a confirmed TOTP device and stores it in the
  session, as django-otp does. Use ``client.force_login(user, verified=False)`` for a
  session stuck before the second step.
- ``client.login(...)`` (given a request from 127.0.0.1, as django-axes requires) or
  posting to the login page is the real password step only:
  such a user is then sent to the 2FA pages; finish with
  ``tests.security.helpers.verify_two_factor(client, user)`` (posts a TOTP code).
- ``tests.security.helpers.login_verified(client, user)`` does force_login + verified.
"""

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from soutien.core import refcache
from soutien.directory.reference import load_reference_data
from tests.security.helpers import mark_session_verified, needs_second_factor

_django_force_login = Client.force_login


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(monkeypatch):
    """``Client.force_login`` also passes the second factor (see above)."""

    def force_login(self, user, backend=None, verified=True):
        _django_force_login(self, user, backend)
        if verified and needs_second_factor(user):
            mark_session_verified(self, user)
        elif not verified:
            session = self.session
            session.pop(DEVICE_ID_SESSION_KEY, None)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rate-limit counters live there) and empty
    process caches (soutien.core.refcache: a rolled-back test sends no signal)."""
    cache.clear()
    refcache.clear_all()
    yield
    cache.clear()
    refcache.clear_all()


_django_login = Client.login


@pytest.fixture(autouse=True)
def client_login_passes_a_request(monkeypatch):
    """django-axes refuses ``authenticate()`` without a request; ``Client.login``
    gives none, so pass one (from 127.0.0.1) unless the test does."""

    def login(self, **credentials):
        if "request" not in credentials:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
            credentials["request"] = request
        return _django_login(self, **credentials)

    monkeypatch.setattr(Client, "login", login)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once per test database: each test then runs in a
    transaction rolled back at its end, so the data stays for the next one."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference(db):
    """The reference data of the Bouches-du-Rhône (communes, partners, fields).

    Always request this fixture when a test needs them: a browser test (transactional)
    empties the database after it runs, and this reloads what is missing."""
    from soutien.directory.models import ConventionPeriod

    if not ConventionPeriod.objects.filter(has_mstr=True).exists():
        load_reference_data()


@pytest.fixture
def demo(reference, settings):
    """Reference data plus the fictitious demo centres and accounts."""
    from soutien.directory.demo import load_demo_data

    settings.DEBUG = True
    load_demo_data()
    settings.DEBUG = False


@pytest.fixture
def coordinator(reference):
    """A coordinator of the Caf des Bouches-du-Rhône."""
    from soutien.directory.models import Organisation, OrganisationKind, Role
    from tests.factories import MembershipFactory, UserFactory

    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    user = UserFactory(email="coordination@exemple.test")
    MembershipFactory(user=user, organisation=caf, role=Role.COORDINATOR)
    return user
