"""Facts the legal pages state, read from the settings and rules the code applies
(never retyped in an editable text, so they cannot drift from what the platform does)."""

from dataclasses import dataclass

from django.conf import settings

from soutien.accounts.services import REFUSED_REQUEST_RETENTION_DAYS


def duration_fr(days: int) -> str:
    """« 5 ans », « 1 an », « 6 mois », « 30 jours »."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return f"{years} an{'s' if years > 1 else ''}"
    months = round(days / 30.44)
    if 60 <= days < 365 and abs(months * 30.44 - days) <= 3:
        return f"{months} mois"
    return f"{days} jour{'s' if days > 1 else ''}"


@dataclass(frozen=True)
class Retention:
    what: str
    how_long: str
    then: str


def retention_periods() -> list[Retention]:
    """What the retention command keeps, and for how long (``manage.py retention``)."""
    return [
        Retention(
            "Dossier de demande de soutien (fiche, documents, avis, rapport, plan d'actions)",
            duration_fr(settings.SOUTIEN_CASE_RETENTION_DAYS) + " après la clôture du dossier",
            "anonymisé : les noms et les textes libres sont effacés, seuls restent les "
            "chiffres de l'évaluation",
        ),
        Retention(
            "Demande de compte refusée",
            duration_fr(REFUSED_REQUEST_RETENTION_DAYS) + " après le refus",
            "supprimée",
        ),
        Retention(
            "Journal de sécurité (connexions, consultations des documents)",
            duration_fr(settings.SOUTIEN_AUDIT_RETENTION_DAYS),
            "supprimé",
        ),
        Retention(
            "Courriels envoyés par la plateforme",
            duration_fr(settings.SOUTIEN_OUTBOX_RETENTION_DAYS) + " après l'envoi",
            "supprimés ; le lien d'une invitation est effacé dès l'envoi",
        ),
        Retention(
            "Compte",
            "tant que la personne participe au dispositif",
            "désactivé, puis supprimé à sa demande ; son nom est alors remplacé dans "
            "l'historique des dossiers par « Compte supprimé »",
        ),
    ]


def host() -> dict:
    return settings.SOUTIEN_HOST


def data_protection_officer() -> dict:
    return settings.SOUTIEN_DPO
