"""The right-of-access export shown as a readable page: French titles and column names
for the sections and keys of ``personal_data_export`` (the JSON file holds the same)."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format

SECTION_TITLES = {
    "profile": "Profil",
    "memberships": "Rattachements",
    "account_requests": "Demandes de compte",
    "two_factor_devices": "Appareils de double authentification",
    "cases_created": "Dossiers créés",
    "information_forms": "Fiches d'information remplies",
    "messages": "Messages et notes privées écrits",
    "events": "Actions inscrites à l'historique des dossiers",
    "opinions": "Avis donnés",
    "decisions": "Décisions des financeurs enregistrées",
    "reports_written": "Rapports de diagnostic rédigés",
    "reviews": "Relectures de rapports",
    "meetings_recorded": "Réunions consignées",
    "meetings_attended": "Réunions auxquelles vous avez été invité",
    "actions": "Actions du plan inscrites",
    "action_notes": "Points d'avancement",
    "satisfaction_answers": "Questionnaires de satisfaction",
    "uploads": "Pièces jointes déposées",
    "selfchecks": "Auto-diagnostics enregistrés ou joints à une demande",
    "downloads": "Documents téléchargés",
    "audit_entries": "Journal d'audit : vos connexions, consultations et téléchargements",
}

FIELD_LABELS = {
    "email": "Adresse électronique",
    "first_name": "Prénom",
    "last_name": "Nom",
    "phone": "Téléphone",
    "date_joined": "Compte créé le",
    "last_login": "Dernière connexion",
    "organisation": "Organisation",
    "role": "Rôle",
    "function": "Fonction",
    "active": "Actif",
    "since": "Depuis le",
    "name": "Nom",
    "confirmed": "Confirmé",
    "date": "Date",
    "action": "Action",
    "ip_address": "Adresse IP",
    "user_agent": "Navigateur",
    "object": "Objet",
    "case": "Dossier",
    "centre": "Centre social",
    "message": "Message",
    "status": "État",
    "requester_name": "Nom et prénom du demandeur",
    "requester_function": "Fonction",
    "requester_phone": "Téléphone",
    "requester_email": "Adresse électronique",
    "warning_signs_other": "Autres signes d'alerte",
    "description": "Description",
    "previous_attempts": "Ce qui a déjà été tenté",
    "expectations": "Attentes",
    "availability": "Disponibilités",
    "channel": "Fil",
    "text": "Texte",
    "label": "Événement",
    "comment": "Commentaire",
    "partner": "Partenaire",
    "opinion": "Avis",
    "decision": "Décision",
    "grounds": "Motifs",
    "justification": "Justification",
    "version": "Version",
    "context": "Contexte",
    "analysis": "Analyse",
    "recommendations": "Préconisations",
    "summary": "Synthèse",
    "meeting": "Réunion",
    "place": "Lieu",
    "agenda": "Ordre du jour",
    "attendees": "Personnes présentes",
    "external_guests": "Invités extérieurs",
    "owner": "Responsable",
    "due_date": "Échéance",
    "usefulness": "Utilité (sur 5)",
    "listening": "Écoute (sur 5)",
    "ownership": "Appropriation (sur 5)",
    "would_recommend": "Recommanderait la mission",
    "attached_to": "Rattachée à",
    "size": "Taille (octets)",
    "kind": "Document",
}

DATE_KEYS = {"date", "since", "date_joined", "last_login", "due_date"}


def readable(key: str, value) -> str:
    """A value of the export as shown on the page (French dates, oui / non, dash)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if key in DATE_KEYS and isinstance(value, str):
        moment = dt.datetime.fromisoformat(value)
        if isinstance(moment, dt.datetime) and timezone.is_aware(moment):
            return date_format(timezone.localtime(moment), "d/m/Y à H:i")
        return date_format(moment, "d/m/Y")
    return str(value)


def readable_sections(data: dict) -> list[dict]:
    """Each section of the export: its French title, column names and rows."""
    sections = []
    for key, title in SECTION_TITLES.items():
        content = data.get(key)
        if isinstance(content, dict):
            content = [content]
        rows = content or []
        columns = list(rows[0]) if rows else []
        sections.append(
            {
                "id": key.replace("_", "-"),
                "title": title,
                "columns": [FIELD_LABELS.get(column, column) for column in columns],
                "rows": [[readable(column, row.get(column)) for column in columns] for row in rows],
            }
        )
    return sections
