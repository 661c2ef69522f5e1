"""The case list's title, read from its filters: each filtered list names itself
(« Dossiers de Marseille en retard — étape : saisine concertée »)."""

from soutien.cases.awaiting import TASK_KINDS
from soutien.cases.enums import Situation, Stage
from soutien.core.french import lower_first, with_article


def list_title(filters: dict) -> str:
    """The title of the case list for these filters (the cleaned data of
    ``CaseFilterForm``): distinct filters give distinct titles."""

    title = "Dossiers"
    if commune := filters.get("commune"):
        title += " " + with_article(commune.name)
    if filters.get("overdue"):
        title += " en retard"
    if filters.get("mine"):
        title += " à traiter par moi"
    if year := filters.get("year"):
        title += f", {year}" if title != "Dossiers" else f" de {year}"
    details = []
    if kind := filters.get("a_faire"):
        details.append(f"à faire : {lower_first(TASK_KINDS[kind])}")
    if stage := filters.get("stage"):
        details.append(f"étape : {lower_first(Stage(stage).label)}")
    if situation := filters.get("situation"):
        details.append(f"situation : {lower_first(Situation(situation).label)}")
    if federation := filters.get("federation"):
        details.append(f"gestionnaire : {federation.name}")
    if domain := filters.get("domain"):
        details.append(f"champ : {lower_first(domain.name)}")
    if query := (filters.get("q") or "").strip():
        details.append(f"recherche : « {query} »")
    if details:
        title += " — " + ", ".join(details)
    return title
