"""Who a user is: their roles and organisations, read once per request.

Every policies module asks ``actor_for(user)`` rather than querying memberships itself,
so that a page asking ten questions about the same person reads their memberships once.
"""

from dataclasses import dataclass, field

from soutien.directory.models import Membership, Role


@dataclass(frozen=True)
class Actor:
    """A user's roles, read once per request."""

    user_id: int | None
    coordinator: bool = False
    evaluator: bool = False
    board_orgs: frozenset[int] = field(default_factory=frozenset)
    staff_orgs: frozenset[int] = field(default_factory=frozenset)
    federation_orgs: frozenset[int] = field(default_factory=frozenset)
    partner_orgs: frozenset[int] = field(default_factory=frozenset)
    provider_orgs: frozenset[int] = field(default_factory=frozenset)

    @property
    def manager_orgs(self) -> frozenset[int]:
        """Organisations for which the user speaks as manager (gestionnaire)."""
        return self.board_orgs | self.federation_orgs

    @property
    def centre_orgs(self) -> frozenset[int]:
        """Organisations whose centres the user belongs to (manager side or staff)."""
        return self.manager_orgs | self.staff_orgs


def actor_for(user) -> Actor:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return Actor(user_id=None)
    cached = getattr(user, "_soutien_actor", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {}
    for role, organisation_id in Membership.objects.filter(user=user, is_active=True).values_list(
        "role", "organisation_id"
    ):
        by_role.setdefault(role, set()).add(organisation_id)
    actor = Actor(
        user_id=user.pk,
        coordinator=Role.COORDINATOR in by_role,
        evaluator=Role.EVALUATOR in by_role,
        board_orgs=frozenset(by_role.get(Role.BOARD_MEMBER, ())),
        staff_orgs=frozenset(by_role.get(Role.STAFF, ())),
        federation_orgs=frozenset(by_role.get(Role.FEDERATION_STAFF, ())),
        partner_orgs=frozenset(by_role.get(Role.PARTNER, ())),
        provider_orgs=frozenset(by_role.get(Role.CONSULTANT, ())),
    )
    user._soutien_actor = actor
    return actor


def is_coordinator(user) -> bool:
    """A coordinator: a signed-in, active person who belongs to the mission's coordination
    (Caf). The one definition of the coordination, for every rights module."""
    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return actor_for(user).coordinator
