"""Who may do what with accounts. Each rule is stated in French in its docstring."""

from soutien.directory.models import Membership, Role


def is_coordinator(user) -> bool:
    """Est coordinateur : une personne connectée, active, rattachée à la coordination (Caf)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return Membership.objects.filter(user=user, role=Role.COORDINATOR, is_active=True).exists()


def can_review_account_requests(user) -> bool:
    """Seule la coordination examine les demandes de compte, les accepte ou les refuse."""
    return is_coordinator(user)
