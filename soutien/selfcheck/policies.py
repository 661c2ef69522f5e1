"""Who may take and who may edit the self-check."""

from soutien.cases.policies import can_edit_form, can_view_case, is_manager_side
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


def can_attach_selfcheck(user, case) -> bool:
    """Seul le gestionnaire joint un auto-diagnostic enregistré à une demande de son centre,
    et tant que la fiche peut encore être modifiée (brouillon ou renvoyée pour complément).
    Le salarié qui prépare le brouillon ne le fait pas : c'est un choix du gestionnaire."""
    return is_manager_side(user, case) and can_edit_form(user, case)


def can_view_attached_selfcheck(user, case) -> bool:
    """Un auto-diagnostic joint à une demande est lu par ceux qui lisent la fiche de cette
    demande (le dossier complet), et par personne d'autre : ni l'instance d'évaluation, ni
    les salariés qui ne voient que l'étape du dossier."""
    return can_view_case(user, case)


def can_view_saved_selfcheck(user, saved) -> bool:
    """Un auto-diagnostic enregistré est lu par le gestionnaire et les salariés du centre ;
    s'il a été joint à une demande, aussi par ceux qui lisent la fiche de cette demande."""
    if can_view_saved_selfchecks_of(user, saved.centre):
        return True
    return saved.attached_to is not None and can_view_attached_selfcheck(user, saved.attached_to)
