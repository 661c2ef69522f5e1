"""Who a user is: their roles and organisations, read once per request.

Every policies module asks ``actor_for(user)`` rather than querying memberships itself,
so that a page asking ten questions about the same person reads their memberships once.
"""

from dataclasses import dataclass, field

from django.db.models import CharField, Q, StringAgg, Value
from django.db.models.functions import Cast, Concat

from soutien.directory.models import Membership, Role

# The annotation ``with_memberships`` adds: "role:organisation_id" of each active
# membership, comma-separated (None when there is none).
MEMBERSHIPS_ANNOTATION = "active_memberships"


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


def with_memberships(users):
    """``users`` with each one's active memberships read in the same query (the
    authentication backend reads the signed-in user so: ``actor_for`` then sends no
    query)."""
    membership = Concat(
        "memberships__role",
        Value(":"),
        Cast("memberships__organisation_id", output_field=CharField()),
        output_field=CharField(),
    )
    return users.annotate(
        **{
            MEMBERSHIPS_ANNOTATION: StringAgg(
                membership, delimiter=Value(","), filter=Q(memberships__is_active=True)
            )
        }
    )


def _memberships_of(user) -> list[tuple[str, int]]:
    """(role, organisation id) of the user's active memberships: from the annotation
    when the user was read with them, else one query."""
    if hasattr(user, MEMBERSHIPS_ANNOTATION):
        text = getattr(user, MEMBERSHIPS_ANNOTATION) or ""
        pairs = (item.rpartition(":") for item in text.split(",") if item)
        return [(role, int(organisation_id)) for role, _, organisation_id in pairs]
    return list(
        Membership.objects.filter(user=user, is_active=True).values_list("role", "organisation_id")
    )


def actor_for(user) -> Actor:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return Actor(user_id=None)
    cached = getattr(user, "_soutien_actor", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {}
    for role, organisation_id in _memberships_of(user):
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
