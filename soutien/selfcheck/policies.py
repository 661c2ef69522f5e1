"""Who may take and who may edit the self-check."""

from soutien.directory.actors import actor_for, is_coordinator


def can_take_selfcheck(user) -> bool:
    """Tout le monde peut faire l'auto-diagnostic, sans compte : les réponses ne sont pas
    enregistrées."""
    return True


def can_edit_selfcheck(user) -> bool:
    """Seule la coordination modifie les questions, les points et les seuils de
    l'auto-diagnostic."""
    return is_coordinator(user)


def can_save_selfcheck_for(user, centre) -> bool:
    """Seul le gestionnaire du centre (un administrateur de l'association, ou la fédération
    qui gère le centre) enregistre un auto-diagnostic pour le centre."""
    return centre.manager_id in actor_for(user).manager_orgs


def can_view_saved_selfchecks_of(user, centre) -> bool:
    """Les auto-diagnostics enregistrés d'un centre ne sont vus que par son gestionnaire et
    ses salariés : jamais par la Caf, les partenaires, le prestataire ni l'instance
    d'évaluation, ni par l'administration technique."""
    return centre.manager_id in actor_for(user).centre_orgs


def can_view_saved_selfchecks(user) -> bool:
    """La page « Auto-diagnostics enregistrés » est celle des membres d'un centre
    (gestionnaire ou salarié)."""
    return bool(actor_for(user).centre_orgs)
