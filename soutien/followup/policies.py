"""Who may answer and read the follow-up questionnaires (« suivi à 6 et 12 mois »)."""

from soutien.cases import policies as case_policies
from soutien.cases.enums import Stage


def can_answer_followup(user, followup) -> bool:
    """Seul le gestionnaire du centre (administrateur de l'association ou salarié de la
    fédération qui le gère) répond au questionnaire de suivi, une fois qu'il lui a été
    envoyé, une seule fois, tant que le dossier clôturé n'est pas anonymisé."""
    case = followup.case
    return (
        case.stage == Stage.CLOSED
        and case_policies.can_receive_content(case)
        and followup.sent_at is not None
        and followup.answered_at is None
        and case_policies.is_manager_side(user, case)
    )


def can_view_followups(user, case) -> bool:
    """Les réponses aux questionnaires de suivi sont lues par la coordination et par le
    gestionnaire du centre ; ni les partenaires financeurs, ni le prestataire, ni
    l'instance d'évaluation (qui n'en verra que des agrégats)."""
    return case_policies.can_view_case(user, case) and (
        case_policies.is_coordinator(user) or case_policies.is_manager_side(user, case)
    )
