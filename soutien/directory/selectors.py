"""Reads of the directory."""

from django.db.models import QuerySet

from soutien.directory.models import Membership


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
