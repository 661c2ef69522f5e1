"""Who may do what with accounts. Each rule is stated in French in its docstring."""

from soutien.directory.actors import is_coordinator


def can_review_account_requests(user) -> bool:
    """Seule la coordination examine les demandes de compte, les accepte ou les refuse."""
    return is_coordinator(user)
