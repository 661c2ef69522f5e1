"""Reference data kept in the process (soutien.core.refcache): read once, and a change
made through the models (admin, shell, migration) is seen on the next read; a change
made elsewhere (another process, raw SQL) after at most ``max_age`` seconds."""

import pytest
from django.db.models.signals import post_save

from soutien.cases import selectors as case_selectors
from soutien.core import refcache
from soutien.core.refcache import ProcessCache
from soutien.directory.models import Domain, Organisation, OrganisationKind, Role
from soutien.selfcheck import selectors as selfcheck_selectors
from soutien.selfcheck.defaults import load_selfcheck_defaults
from soutien.selfcheck.models import DomainThreshold
from tests.builders import make_cast
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def reads(django_assert_num_queries, count, read):
    with django_assert_num_queries(count):
        return read()


def test_the_fields_thresholds_are_read_once_and_a_change_is_seen_at_once(
    django_assert_num_queries,
):
    load_selfcheck_defaults()
    first = reads(django_assert_num_queries, 1, selfcheck_selectors.domain_specs_cached)
    assert reads(django_assert_num_queries, 0, selfcheck_selectors.domain_specs_cached) == first

    threshold = DomainThreshold.objects.select_related("domain").order_by("pk").first()
    threshold.watch_from = 1
    threshold.warning_from = 2
    threshold.save()
    changed = {spec.code: spec for spec in selfcheck_selectors.domain_specs_cached()}
    spec = changed[threshold.domain.code]
    assert (spec.watch_from, spec.warning_from) == (1, 2)

    domain = threshold.domain
    domain.name = "Gouvernance renommée"
    domain.save()
    names = {spec.code: spec.name for spec in selfcheck_selectors.domain_specs_cached()}
    assert names[domain.code] == "Gouvernance renommée"

    threshold.delete()
    codes = {spec.code for spec in selfcheck_selectors.domain_specs_cached()}
    assert domain.code not in codes


def contacts():
    shown = case_selectors.case_contacts(type("NoConsultant", (), {"consultant_id": None})())
    return (
        {user.email for user in shown["coordinators"]},
        {organisation.name for organisation in shown["coordination"]},
    )


def test_the_coordination_contacts_follow_accounts_memberships_and_the_directory(
    django_assert_num_queries,
):
    cast = make_cast()
    coordinator = cast.coordinator
    reads(django_assert_num_queries, 2, contacts)
    people, _ = reads(django_assert_num_queries, 0, contacts)
    assert coordinator.email in people

    newcomer = MembershipFactory(
        organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
        role=Role.COORDINATOR,
    ).user
    assert newcomer.email in contacts()[0]

    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert coordinator.email not in contacts()[0]

    membership = newcomer.memberships.get()
    membership.is_active = False
    membership.save()
    assert newcomer.email not in contacts()[0]

    caf = Organisation.objects.get(kind=OrganisationKind.COORDINATOR)
    caf.name = "Caf des Bouches-du-Rhône (coordination)"
    caf.email = "mstr@caf13.test"
    caf.save()
    assert "Caf des Bouches-du-Rhône (coordination)" in contacts()[1]


def test_a_change_made_by_another_process_is_seen_after_max_age(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock[0])
    names = ProcessCache("test.domains", lambda: set(Domain.objects.values_list("name", flat=True)))
    before = names.get()
    domain = Domain.objects.order_by("pk").first()
    # QuerySet.update sends no signal, as a change made by another process.
    Domain.objects.filter(pk=domain.pk).update(name="Renommé ailleurs")
    clock[0] += names.max_age - 1
    assert names.get() == before
    clock[0] += 2
    assert "Renommé ailleurs" in names.get()


def test_a_value_read_while_a_change_happens_is_not_kept():
    loads = []

    def load():
        loads.append(1)
        if len(loads) == 1:  # the table changes while the first read runs
            post_save.send(sender=Domain, instance=None, created=False)
        return len(loads)

    value = ProcessCache("test.race", load).watch(Domain)
    assert value.get() == 1
    assert value.get() == 2
    assert value.get() == 2
