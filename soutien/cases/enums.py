from enum import StrEnum

from django.db import models


class Stage(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Fiche transmise à la Caf"
    RETURNED = "returned", "À compléter"
    REFERRAL = "referral", "Saisine concertée"
    DIAGNOSTIC = "diagnostic", "Diagnostic flash"
    REPORT_REVIEW = "report_review", "Rapport en relecture par le gestionnaire"
    RESTITUTION = "restitution", "Restitution"
    SUPPORT = "support", "Accompagnement"
    CLOSED = "closed", "Clôturé"
    REFUSED = "refused", "Refusé"
    CLOSED_WITHOUT_FOLLOW_UP = "closed_without_follow_up", "Classé sans suite"


# Stages at which the case is over, one way or another.
FINAL_STAGES = {Stage.CLOSED, Stage.REFUSED, Stage.CLOSED_WITHOUT_FOLLOW_UP}
# Stages after the funders' validation: the provider is at work.
PROVIDER_STAGES = {
    Stage.DIAGNOSTIC,
    Stage.REPORT_REVIEW,
    Stage.RESTITUTION,
    Stage.SUPPORT,
    Stage.CLOSED,
}


class Situation(models.TextChoices):
    PREVENTIVE = "preventive", "Démarche préventive"
    CRISIS = "crisis", "Crise avérée"


class OpinionValue(models.TextChoices):
    PENDING = "pending", "En attente"
    FAVOURABLE = "favourable", "Favorable"
    RESERVED = "reserved", "Réservé"
    UNFAVOURABLE = "unfavourable", "Défavorable"


class DecisionOutcome(models.TextChoices):
    VALIDATED = "validated", "Validée (soutien accordé)"
    REFUSED = "refused", "Refusée"
    CLOSED_WITHOUT_FOLLOW_UP = "closed_without_follow_up", "Classée sans suite"


class RiskLevel(models.TextChoices):
    LOW = "low", "Faible"
    MODERATE = "moderate", "Modéré"
    HIGH = "high", "Élevé"
    CRITICAL = "critical", "Critique"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "En rédaction"
    SUBMITTED = "submitted", "Transmis au gestionnaire"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    VALIDATED = "validated", "Validé par le gestionnaire"


class MeetingKind(models.TextChoices):
    REFERRAL = "referral", "Réunion de saisine concertée"
    INTERVIEW = "interview", "Entretien ou visite du diagnostic"
    RESTITUTION = "restitution", "Restitution au gestionnaire"
    PARTNER_MEETING = "partner_meeting", "Rencontre avec les partenaires"
    SUPPORT_SESSION = "support_session", "Séance d'accompagnement"


class ActionStatus(models.TextChoices):
    """Where an action of the plan stands. A proposed action (from a recommendation of the
    report, or added by the consultant) waits for the centre's decision; a declined one is
    not part of the plan."""

    PROPOSED = "proposed", "Proposée, en attente de la décision du centre"
    DECLINED = "declined", "Écartée par le centre"
    TO_START = "to_start", "À démarrer"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    POSTPONED = "postponed", "Reportée"
    DROPPED = "dropped", "Abandonnée"


# The statuses of the actions the centre has taken up (the plan itself).
PLAN_STATUSES = (
    ActionStatus.TO_START,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.POSTPONED,
    ActionStatus.DROPPED,
)
# The statuses a member of the centre may choose for an action of the plan.
SETTABLE_STATUSES = PLAN_STATUSES
# Still to be done: a closure warns about them; they reach their owners' to-do lists.
OPEN_STATUSES = (
    ActionStatus.PROPOSED,
    ActionStatus.TO_START,
    ActionStatus.IN_PROGRESS,
    ActionStatus.POSTPONED,
)
# Statuses that need a reason (DB constraint and service).
STATUSES_WITH_REASON = (ActionStatus.DROPPED,)


class ActionDecision(models.TextChoices):
    """The centre's answer to a proposed action."""

    ACCEPTED = "accepted", "Acceptée"
    ADAPTED = "adapted", "Adaptée"
    DECLINED = "declined", "Écartée"


class ActionOrigin(models.TextChoices):
    RECOMMENDATION = "recommendation", "Préconisation du rapport"
    CONSULTANT = "consultant", "Proposée par le consultant"
    CENTRE = "centre", "Ajoutée par le centre"


class Priority(models.TextChoices):
    HIGH = "haute", "Haute"
    MEDIUM = "moyenne", "Moyenne"
    LOW = "basse", "Basse"


class ClosureOutcome(models.TextChoices):
    IMPROVED = "improved", "Situation améliorée"
    STABILISED = "stabilised", "Situation stabilisée"
    DETERIORATED = "deteriorated", "Situation dégradée"
    CENTRE_CLOSED = "centre_closed", "Centre fermé"


class Channel(models.TextChoices):
    MESSAGE = "message", "Message (gestionnaire, coordination, prestataire)"
    PRIVATE_NOTE = "private_note", "Note privée (coordination et partenaires)"


class Audience(models.TextChoices):
    """Who may read a timeline event."""

    CASE = "case", "Toutes les personnes qui suivent le dossier"
    PARTNERS = "partners", "Coordination et partenaires financeurs"
    MANAGER_AND_PROVIDER = "manager_provider", "Gestionnaire, coordination et prestataire"
    COORDINATION = "coordination", "Coordination seulement"


class Step(models.TextChoices):
    """Steps with a target duration (editable by the coordinator)."""

    REFERRAL = "referral", "Saisine (de la transmission à la décision des financeurs)"
    REPORT = "report", "Rapport (de la décision au premier rapport transmis)"
    VALIDATION = "validation", "Validation du rapport par le gestionnaire"
    RESTITUTION = "restitution", "Restitution (de la validation à la restitution)"


# Target durations in days, by situation: a crisis is handled faster than a preventive
# request. The coordinator edits them (TargetDuration rows override these defaults).
DEFAULT_TARGET_DAYS_BY_SITUATION = {
    Situation.PREVENTIVE: {
        Step.REFERRAL: 30,
        Step.REPORT: 45,
        Step.VALIDATION: 15,
        Step.RESTITUTION: 30,
    },
    Situation.CRISIS: {
        Step.REFERRAL: 15,
        Step.REPORT: 30,
        Step.VALIDATION: 10,
        Step.RESTITUTION: 15,
    },
}
# The situation whose durations apply to a case without one (a draft).
DEFAULT_SITUATION = Situation.PREVENTIVE
DEFAULT_TARGET_DAYS = DEFAULT_TARGET_DAYS_BY_SITUATION[DEFAULT_SITUATION]


class EventKind(StrEnum):
    """Every kind of event of a case's history. `record_event` refuses any other, so the
    readers of the history (the anonymisation's neutral labels, the « new since your last
    visit » mark, the digest, the reminders' escalation) never miss a misspelt kind. The
    transitions of the workflow table are events of their own name (a test checks that
    each one is here)."""

    # The transitions (soutien.cases.workflow.TRANSITIONS)
    SUBMIT = "submit"
    RETURN_FOR_COMPLETION = "return_for_completion"
    OPEN_REFERRAL = "open_referral"
    WITHDRAW = "withdraw"
    VALIDATE = "validate"
    REFUSE = "refuse"
    CLOSE_WITHOUT_FOLLOW_UP = "close_without_follow_up"
    SUBMIT_REPORT = "submit_report"
    REQUEST_CHANGES = "request_changes"
    VALIDATE_REPORT = "validate_report"
    RECORD_RESTITUTION = "record_restitution"
    CLOSE = "close"
    # The fiche and the saisine
    CREATE = "create"
    HAND_OVER = "hand_over"
    OPINION = "opinion"
    DECISION_JUSTIFICATION = "decision_justification"
    DECISION_LETTER = "decision_letter"
    SELFCHECK_ATTACHED = "selfcheck_attached"
    SELFCHECK_DETACHED = "selfcheck_detached"
    # The diagnostic and the action plan
    ASSIGN = "assign"
    ACTION_ADD = "action_add"
    ACTION_UPDATE = "action_update"
    ACTIONS_PROPOSED = "actions_proposed"
    ACTION_ACCEPT = "action_accept"
    ACTION_ADAPT = "action_adapt"
    ACTION_DECLINE = "action_decline"
    SUPPORT_SESSION = "support_session"
    SATISFACTION = "satisfaction"
    # Meetings (``meeting_<kind>`` records one), their invitations and date polls
    MEETING_REFERRAL = "meeting_referral"
    MEETING_INTERVIEW = "meeting_interview"
    MEETING_PARTNER_MEETING = "meeting_partner_meeting"
    MEETING_RESTITUTION = "meeting_restitution"
    MEETING_SUPPORT_SESSION = "meeting_support_session"
    MEETING_INVITATION = "meeting_invitation"
    MEETING_RESCHEDULE = "meeting_reschedule"
    MEETING_CANCEL = "meeting_cancel"
    MEETING_POLL = "meeting_poll"
    MEETING_POLL_ANSWER = "meeting_poll_answer"
    # Documents
    DOCUMENT_UPLOAD = "document_upload"
    DOCUMENT_DELETE = "document_delete"
    # After the closure, reminders, retention
    FOLLOWUP_EMAIL = "followup_email"
    FOLLOWUP_6 = "followup_6"
    FOLLOWUP_12 = "followup_12"
    REMINDER = "reminder"
    ANONYMISE = "anonymise"

    @classmethod
    def meeting(cls, kind: str) -> "EventKind":
        """The event that records a meeting of this kind."""
        return cls(f"meeting_{kind}")
