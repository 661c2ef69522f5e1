"""Who may take and who may edit the self-check."""

from soutien.directory.actors import is_coordinator


def can_take_selfcheck(user) -> bool:
    """Tout le monde peut faire l'auto-diagnostic, sans compte : les réponses ne sont pas
    enregistrées."""
    return True


def can_edit_selfcheck(user) -> bool:
    """Seule la coordination modifie les questions, les points et les seuils de
    l'auto-diagnostic."""
    return is_coordinator(user)
