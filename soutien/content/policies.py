"""Who may edit the public site's texts."""

from soutien.accounts.policies import is_coordinator


def can_edit_page_text(user) -> bool:
    """Seule la coordination (ou l'administration technique) modifie les textes du site public."""
    if user and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return is_coordinator(user)
