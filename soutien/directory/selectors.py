"""Reads of the directory."""

from django.db.models import Q, QuerySet

from soutien.core.refcache import ProcessCache
from soutien.directory.models import (
    Commune,
    Domain,
    Membership,
    Organisation,
    OrganisationKind,
    SocialCentre,
)


def memberships_of(user) -> QuerySet[Membership]:
    """The active memberships of a user, with their organisation."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "organisation__commune")
        .order_by("organisation__name", "role")
    )


def roles_of(user) -> set[str]:
    return set(memberships_of(user).values_list("role", flat=True))


# Reference lists offered by the filters of the case list and of the evaluation on every
# view: they change only through the admin or a command (soutien.core.refcache).
federations = ProcessCache(
    "directory.federations",
    lambda: tuple(
        Organisation.objects.filter(kind=OrganisationKind.FEDERATION).order_by("name", "pk")
    ),
).watch(Organisation)

domains = ProcessCache(
    "directory.domains", lambda: tuple(Domain.objects.order_by("order", "name", "pk"))
).watch(Domain)

# The communes the evaluation can be filtered by: signatories, and those with a centre
# (in one of their districts for Marseille).
evaluated_communes = ProcessCache(
    "directory.evaluated_communes",
    lambda: tuple(
        Commune.objects.filter(parent__isnull=True)
        .filter(
            Q(is_signatory=True)
            | Q(centres__isnull=False)
            | Q(arrondissements__centres__isnull=False)
        )
        .distinct()
        .order_by("name", "pk")
    ),
).watch(Commune, SocialCentre)
