"""Who must prove a second factor, and who may read the audit log."""

from django.conf import settings

from soutien.directory.actors import is_coordinator
from soutien.directory.models import Membership, Role

# Roles that can read a case file or a report (ASVS 5.0 level 2: a second factor for
# every account that reaches such data). The evaluation body only sees aggregates.
TWO_FACTOR_ROLES = (
    Role.COORDINATOR,
    Role.PARTNER,
    Role.CONSULTANT,
    Role.BOARD_MEMBER,
    Role.FEDERATION_STAFF,
    Role.STAFF,
)


def must_use_two_factor(user) -> bool:
    """La double authentification est obligatoire pour tout compte qui peut lire un
    dossier ou un rapport : la coordination, les partenaires financeurs, les consultants
    du prestataire, les gestionnaires (administrateurs bénévoles, salariés de fédération),
    les salariés des centres, ainsi que l'administration technique. L'instance
    d'évaluation, qui ne voit que des chiffres agrégés, en est dispensée."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, is_active=True, role__in=TWO_FACTOR_ROLES).exists()


def can_skip_two_factor(user) -> bool:
    """Sur la plateforme de démonstration (DEBUG activé) seulement, les comptes de
    démonstration (adresse en « .demo ») peuvent se passer du second facteur, pour
    qu'une première visite ne soit pas bloquée. Jamais en production."""
    return bool(settings.DEBUG) and user.is_authenticated and user.email.endswith(".demo")


def can_view_audit_log(user) -> bool:
    """Seules la coordination de la mission (Caf) et l'administration technique
    consultent le journal d'audit."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or is_coordinator(user)


def can_view_technical_status(user) -> bool:
    """L'administration technique (accès à l'administration des données) voit, dans « Mon
    espace », l'état technique de la plateforme : courriels en échec, journal d'audit,
    demandes de compte en attente (leur nombre seulement : la coordination en décide)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)
