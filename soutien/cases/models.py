"""The Case and everything recorded along the MSTR workflow."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from soutien.cases.deadlines import store_due_at
from soutien.cases.enums import (
    DEFAULT_SITUATION,
    DEFAULT_TARGET_DAYS_BY_SITUATION,
    FINAL_STAGES,
    OPEN_STATUSES,
    ActionDecision,
    ActionOrigin,
    ActionStatus,
    Audience,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    MeetingKind,
    OpinionValue,
    Priority,
    ReportStatus,
    RiskLevel,
    Situation,
    Stage,
    Step,
)
from soutien.cases.workflow import TRANSITIONS
from soutien.core import clock
from soutien.core.expressions import DurationBucket, LocalYear
from soutien.core.fields import ClockDateTimeField

USER = settings.AUTH_USER_MODEL


# Lead times are stored in tenths of a day (the precision the evaluation shows).
TENTHS_PER_DAY = 10
# Each step with a target duration: the column holding its lead time once completed, and
# the dates it runs between.
LEAD_TIMES: dict[str, tuple[str, str, str]] = {
    Step.REFERRAL: ("referral_tenths", "submitted_at", "decided_at"),
    Step.REPORT: ("report_tenths", "decided_at", "first_report_at"),
    Step.VALIDATION: ("validation_tenths", "report_submitted_at", "report_validated_at"),
    Step.RESTITUTION: ("restitution_tenths", "report_validated_at", "restitution_at"),
}


def _lead_time(step: str, label: str) -> models.GeneratedField:
    _column, start, end = LEAD_TIMES[step]
    return models.GeneratedField(
        expression=DurationBucket(start, end, per_day=TENTHS_PER_DAY),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=f"{label} (dixièmes de jour)",
    )


class Case(models.Model):
    """One request for support (dossier), from the information form to closure."""

    number = models.CharField("numéro", max_length=16, unique=True, null=True, blank=True)
    centre = models.ForeignKey(
        "directory.SocialCentre",
        verbose_name="centre social",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    manager = models.ForeignKey(
        "directory.Organisation",
        verbose_name="gestionnaire",
        on_delete=models.PROTECT,
        related_name="managed_cases",
        help_text="Le gestionnaire du centre au moment de la demande.",
    )
    stage = models.CharField(
        "étape", max_length=32, choices=Stage.choices, default=Stage.DRAFT, db_index=True
    )
    situation = models.CharField("situation", max_length=16, choices=Situation.choices, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name="créé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="created_cases",
    )
    provider = models.ForeignKey(
        "directory.Organisation",
        verbose_name="prestataire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_cases",
    )
    consultant = models.ForeignKey(
        USER,
        verbose_name="consultant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultant_cases",
    )
    created_at = ClockDateTimeField("créé le", auto_now_add=True)
    updated_at = ClockDateTimeField("modifié le", auto_now=True)
    stage_changed_at = models.DateTimeField("étape depuis le", null=True, blank=True)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    referral_opened_at = models.DateTimeField("saisine ouverte le", null=True, blank=True)
    decided_at = models.DateTimeField("décision le", null=True, blank=True)
    first_report_at = models.DateTimeField("premier rapport le", null=True, blank=True)
    report_submitted_at = models.DateTimeField("rapport transmis le", null=True, blank=True)
    report_validated_at = models.DateTimeField("rapport validé le", null=True, blank=True)
    restitution_at = models.DateTimeField("restitution le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    # When the current step is due (soutien.cases.deadlines), stored so that the case list
    # orders and filters by an indexed column; NULL when no clock runs at the stage.
    due_at = models.DateTimeField("échéance de l'étape", null=True, blank=True)
    closure_outcome = models.CharField(
        "issue", max_length=20, choices=ClosureOutcome.choices, blank=True
    )
    closure_comment = models.TextField("commentaire de clôture", blank=True)
    closure_summary = models.TextField(
        "bilan de la mission",
        blank=True,
        help_text="Quelques lignes pour le gestionnaire : ce que le centre a repris à son "
        "compte, ce qui reste à faire.",
    )
    # Optimistic lock: a form carries the version it was built from.
    version = models.PositiveIntegerField("version", default=1)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    # Started from the « Demander un soutien préventif » button of a self-check (the
    # evaluation counts them; nothing of the self-check itself is kept).
    from_selfcheck = models.BooleanField("issu d'un auto-diagnostic", default=False)

    # Computed and stored by the database whenever the dates change (never set by code):
    # the evaluation groups cases by these plain integers instead of parsing dates at each
    # reading. The year is the submission's in the site's time zone; each lead time is the
    # duration of a completed step in tenths of a day, rounded up (NULL until it ends).
    submitted_year = models.GeneratedField(
        expression=LocalYear("submitted_at"),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name="année de transmission",
    )
    referral_tenths = _lead_time(Step.REFERRAL, "durée de la saisine")
    report_tenths = _lead_time(Step.REPORT, "durée du diagnostic")
    validation_tenths = _lead_time(Step.VALIDATION, "durée de la validation")
    restitution_tenths = _lead_time(Step.RESTITUTION, "durée jusqu'à la restitution")

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("closure_comment", "closure_summary", "created_by", "consultant")
    OTHER_FIELDS = ("number", "stage", "situation", "closure_outcome")

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage=Stage.DRAFT) | Q(number__isnull=False),
                name="case_submitted_has_number",
                violation_error_message="Un dossier transmis porte un numéro.",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.RESTITUTION, Stage.SUPPORT, Stage.CLOSED])
                | Q(report_validated_at__isnull=False),
                name="case_restitution_needs_validated_report",
                violation_error_message=(
                    "Un dossier ne peut pas être en restitution sans rapport validé."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(
                    stage__in=[
                        Stage.DIAGNOSTIC,
                        Stage.REPORT_REVIEW,
                        Stage.RESTITUTION,
                        Stage.SUPPORT,
                        Stage.CLOSED,
                    ]
                )
                | Q(provider__isnull=False),
                name="case_diagnostic_has_provider",
                violation_error_message="Un dossier validé est confié à un prestataire.",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CLOSED) | ~Q(closure_outcome=""),
                name="case_closed_has_outcome",
                violation_error_message="Un dossier clôturé a une issue.",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "stage_changed_at"]),
            # The evaluation filters and groups cases by their submission date.
            models.Index(fields=["stage", "submitted_at"]),
            models.Index(fields=["submitted_at"]),
            # The case list's order (soutien.cases.selectors.case_list): the nearest due
            # date first (NULLs last, PostgreSQL's default for an ascending index), then
            # the most recently moved.
            models.Index(fields=["due_at", "-stage_changed_at", "-id"], name="case_list_order"),
            # The cases in progress (a tenth of them): the to-do counts and rows of « Mon
            # espace » read them from this index alone (PostgreSQL: an index-only scan),
            # by stage then due date, then the columns their conditions read (key
            # columns: SQLite has no INCLUDE).
            models.Index(
                fields=[
                    "stage",
                    "due_at",
                    "manager",
                    "provider",
                    "consultant",
                    "created_by",
                    "report_submitted_at",
                    "anonymised_at",
                    "stage_changed_at",
                    "created_at",
                    "id",
                ],
                name="case_active_stage",
                condition=Q(stage__in=[stage for stage in Stage if stage not in FINAL_STAGES]),
            ),
            # A manager's cases by stage (a federation may have tens of thousands): the
            # counts of « Mon espace » (the satisfaction questionnaires of the closed cases
            # among them) read this index alone.
            models.Index(
                fields=[
                    "manager",
                    "stage",
                    "anonymised_at",
                    "stage_changed_at",
                    "created_at",
                    "created_by",
                    "id",
                ],
                name="case_manager_stage",
            ),
            # A consultant's cases by stage: over the years a consultant is designated on
            # thousands of cases, almost all closed; the rows of « Mon espace » (reports to
            # write) read those at one stage, not all of them (docs/performance-lists.md).
            models.Index(fields=["consultant", "stage"], name="case_consultant_stage"),
        ]

    def __str__(self):
        return f"{self.number or 'Brouillon'} — {self.centre}"

    def save(self, *args, **kwargs):
        # A full save (a creation, a fixture) stores the due date; the services' partial
        # saves name it themselves (services._move).
        if kwargs.get("update_fields") is None:
            store_due_at(self)
        super().save(*args, **kwargs)

    @property
    def display_number(self) -> str:
        return self.number or "Brouillon"


class CaseNumberSequence(models.Model):
    """Last number given per year; locked while a number is allocated."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "séquence de numérotation"

    def __str__(self):
        return f"{self.year} : {self.last}"


class InformationForm(models.Model):
    """The fiche d'information sent by the manager."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="form"
    )
    requester_name = models.CharField("nom et prénom", max_length=150, blank=True)
    requester_function = models.CharField("fonction", max_length=150, blank=True)
    requester_phone = models.CharField("téléphone", max_length=30, blank=True)
    requester_email = models.EmailField("adresse électronique", blank=True)
    warning_signs = models.ManyToManyField(
        "directory.WarningSign", verbose_name="signes d'alerte", blank=True
    )
    warning_signs_other = models.TextField("autres signes d'alerte", blank=True)
    domains = models.ManyToManyField(
        "directory.Domain", verbose_name="champs de fonctionnement concernés", blank=True
    )
    description = models.TextField("description de la situation", blank=True)
    previous_attempts = models.TextField(
        "ce qui a déjà été tenté, dont les missions d'appui antérieures", blank=True
    )
    expectations = models.TextField("attentes", blank=True)
    availability = models.TextField("disponibilités pour le diagnostic", blank=True)
    confidentiality_ack = models.BooleanField(
        "j'ai pris connaissance des règles de confidentialité", default=False
    )
    cooperation_ack = models.BooleanField("j'accepte la démarche de coopération", default=False)
    updated_at = ClockDateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = (
        "requester_name",
        "requester_function",
        "requester_phone",
        "requester_email",
        "warning_signs_other",
        "description",
        "previous_attempts",
        "expectations",
        "availability",
        "updated_by",
    )
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "fiche d'information"
        verbose_name_plural = "fiches d'information"

    def __str__(self):
        return f"Fiche d'information {self.case.display_number}"


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when, from which stage to which."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type", max_length=40)
    label = models.CharField("libellé", max_length=200)
    actor = models.ForeignKey(
        USER, verbose_name="auteur", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = ClockDateTimeField("le", auto_now_add=True, db_index=True)
    from_stage = models.CharField(max_length=32, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=32, choices=Stage.choices, blank=True)
    comment = models.TextField("commentaire", blank=True)
    audience = models.CharField(
        "visible par", max_length=20, choices=Audience.choices, default=Audience.CASE
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("label", "comment", "actor")
    OTHER_FIELDS = ("kind", "from_stage", "to_stage", "audience")

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case.display_number} — {self.label}"

    @property
    def history_label(self) -> str:
        """What the history says: a step of the workflow reads as the past event of its
        transition (« Fiche transmise »), whatever label was stored when it happened."""

        transition = TRANSITIONS.get(self.kind)
        return transition.done_label if transition else self.label


class Opinion(models.Model):
    """A concerned partner's opinion during the concerted referral (« saisine concertée »)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="opinions")
    partner = models.ForeignKey(
        "directory.Organisation",
        verbose_name="partenaire",
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    value = models.CharField(
        "avis", max_length=16, choices=OpinionValue.choices, default=OpinionValue.PENDING
    )
    comment = models.TextField("commentaire", blank=True)
    given_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    given_at = models.DateTimeField("donné le", null=True, blank=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("comment", "given_by")
    OTHER_FIELDS = ("value",)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "partner"], name="opinion_one_per_partner"),
            models.CheckConstraint(
                condition=Q(value=OpinionValue.PENDING) | Q(given_at__isnull=False),
                name="opinion_given_has_date",
            ),
        ]
        indexes = [
            # A partner's opinions still to give (« Avis à donner »): a few per partner,
            # among millions given.
            models.Index(
                fields=["partner", "case"],
                name="opinion_pending",
                condition=Q(value=OpinionValue.PENDING),
            ),
        ]

    def __str__(self):
        return f"{self.partner} : {self.get_value_display()}"


class Decision(models.Model):
    """The funders' concerted decision, recorded by the coordinator."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField("décision", max_length=32, choices=DecisionOutcome.choices)
    grounds = models.TextField("motifs", blank=True)
    justification = models.TextField(
        "justification (avis manquants)",
        blank=True,
        help_text="Obligatoire si un partenaire concerné n'a pas encore donné son avis.",
    )
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField("le")

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("grounds", "justification", "decided_by")
    OTHER_FIELDS = ("outcome",)

    class Meta:
        verbose_name = "décision des financeurs"
        verbose_name_plural = "décisions des financeurs"
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.REFUSED) | ~Q(grounds=""),
                name="refusal_has_grounds",
                violation_error_message="Un refus est motivé.",
            )
        ]

    def __str__(self):
        return f"{self.case.display_number} : {self.get_outcome_display()}"


class Meeting(models.Model):
    """A meeting of the workflow: referral meeting, interview, restitution, partners, session."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField("type", max_length=20, choices=MeetingKind.choices)
    starts_at = models.DateTimeField("date et heure")
    ends_at = models.DateTimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=255, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    attendees = models.ManyToManyField(
        USER, verbose_name="participants", blank=True, related_name="meetings"
    )
    attendees_text = models.TextField(
        "personnes présentes ou rencontrées",
        blank=True,
        help_text="Noms et fonctions, une personne par ligne.",
    )
    external_emails = models.TextField("invités extérieurs (adresses électroniques)", blank=True)
    summary = models.TextField("compte rendu", blank=True)
    created_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="created_meetings"
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    sequence = models.PositiveIntegerField("révision de l'invitation", default=0)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = (
        "place",
        "video_link",
        "agenda",
        "attendees_text",
        "external_emails",
        "summary",
        "attendees",
        "created_by",
    )
    OTHER_FIELDS = ("kind",)

    class Meta:
        verbose_name = "réunion"
        verbose_name_plural = "réunions"
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.starts_at:%d/%m/%Y}"


class Finding(models.Model):
    """The consultant's findings on one field of expertise."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    domain = models.ForeignKey("directory.Domain", verbose_name="champ", on_delete=models.PROTECT)
    observations = models.TextField("constats", blank=True)
    strengths = models.TextField("points d'appui", blank=True)
    vigilance = models.TextField("points de vigilance", blank=True)
    risk_level = models.CharField(
        "niveau de risque", max_length=10, choices=RiskLevel.choices, blank=True
    )
    recommendations = models.TextField("préconisations", blank=True)
    updated_at = ClockDateTimeField(auto_now=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("observations", "strengths", "vigilance", "recommendations")
    OTHER_FIELDS = ("risk_level",)

    class Meta:
        verbose_name = "constat"
        verbose_name_plural = "constats"
        ordering = ["domain__order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "domain"], name="finding_one_per_domain")
        ]

    def __str__(self):
        return f"{self.case.display_number} — {self.domain}"


class ReportVersion(models.Model):
    """One version of the diagnostic report. Every version is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="report_versions")
    number = models.PositiveIntegerField("version")
    status = models.CharField(
        "statut", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    context = models.TextField("contexte et déroulement du diagnostic", blank=True)
    analysis = models.TextField("analyse", blank=True)
    recommendations = models.TextField("préconisations", blank=True)
    summary = models.TextField("synthèse", blank=True)
    author = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="authored_reports"
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_reports"
    )
    reviewed_at = models.DateTimeField("relu le", null=True, blank=True)
    manager_comment = models.TextField("commentaires du gestionnaire", blank=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = (
        "context",
        "analysis",
        "recommendations",
        "summary",
        "manager_comment",
        "author",
        "reviewed_by",
    )
    OTHER_FIELDS = ("status",)

    class Meta:
        verbose_name = "version du rapport"
        verbose_name_plural = "versions du rapport"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ReportStatus.VALIDATED),
                name="report_one_validated_version",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.CHANGES_REQUESTED) | ~Q(manager_comment=""),
                name="report_changes_have_comment",
                violation_error_message="Une demande de modifications est commentée.",
            ),
        ]

    def __str__(self):
        return f"Rapport {self.case.display_number} — version {self.number}"

    @property
    def is_validated(self) -> bool:
        return self.status == ReportStatus.VALIDATED


class Recommendation(models.Model):
    """One recommendation (« préconisation ») of a report version: a field, a priority, a text.
    When the manager validates the version, each becomes a proposed action of the plan."""

    report_version = models.ForeignKey(
        ReportVersion,
        verbose_name="version du rapport",
        on_delete=models.CASCADE,
        related_name="recommendation_items",
    )
    domain = models.ForeignKey(
        "directory.Domain", verbose_name="champ de fonctionnement", on_delete=models.PROTECT
    )
    priority = models.CharField(
        "priorité", max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    text = models.TextField("préconisation")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("text",)
    OTHER_FIELDS = ("priority",)

    class Meta:
        verbose_name = "préconisation"
        verbose_name_plural = "préconisations"
        ordering = ["report_version", "position", "pk"]

    def __str__(self):
        return self.text[:60]


class Action(models.Model):
    """A commitment of the action plan, owned by a person of the centre.

    A proposed action (from a recommendation, or added by the consultant) waits for the
    centre's decision: accepted, adapted or declined with a reason. Only the centre's
    members decide and keep the status: the provider never acts « à la place de »."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    domain = models.ForeignKey(
        "directory.Domain", verbose_name="champ", null=True, blank=True, on_delete=models.PROTECT
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name="préconisation d'origine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    origin = models.CharField(
        "origine", max_length=16, choices=ActionOrigin.choices, default=ActionOrigin.CENTRE
    )
    title = models.CharField("action", max_length=200)
    description = models.TextField("description", blank=True)
    owner = models.CharField(
        "responsable",
        max_length=150,
        blank=True,
        help_text="Une personne du centre (bénévole ou salariée).",
    )
    carried_by = models.ForeignKey(
        USER,
        verbose_name="portée par (compte)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_actions",
        help_text="Un administrateur ou un salarié du centre qui a un compte : l'échéance "
        "arrive dans sa liste « À faire ».",
    )
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "état", max_length=16, choices=ActionStatus.choices, default=ActionStatus.TO_START
    )
    decision = models.CharField(
        "décision du centre", max_length=16, choices=ActionDecision.choices, blank=True
    )
    declined_reason = models.TextField("motif de la décision d'écarter l'action", blank=True)
    status_reason = models.TextField("motif", blank=True)
    # Completed by the centre's own team (what the evaluation counts); set with « done ».
    done_by_centre = models.BooleanField("réalisée par l'équipe du centre", null=True)
    completed_at = models.DateTimeField("réalisée le", null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = (
        "title",
        "description",
        "owner",
        "declined_reason",
        "status_reason",
        "carried_by",
        "created_by",
    )
    OTHER_FIELDS = ("status", "origin", "decision")

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "plan d'actions"
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DECLINED)
                | (Q(decision=ActionDecision.DECLINED) & ~Q(declined_reason="")),
                name="action_declined_has_reason",
                violation_error_message="Une action écartée l'est avec un motif.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DROPPED) | ~Q(status_reason=""),
                name="action_dropped_has_reason",
                violation_error_message="Une action abandonnée l'est avec un motif.",
            ),
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.DECLINED) & Q(decision=ActionDecision.DECLINED))
                | (
                    ~Q(status=ActionStatus.DECLINED)
                    & ~Q(decision=ActionDecision.DECLINED)
                    & (~Q(status=ActionStatus.PROPOSED) | Q(decision=""))
                ),
                name="action_decision_matches_status",
                violation_error_message=(
                    "Une action proposée attend la décision du centre ; une action écartée "
                    "porte cette décision."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.DONE) & Q(done_by_centre__isnull=False))
                | (~Q(status=ActionStatus.DONE) & Q(done_by_centre__isnull=True)),
                name="action_done_by_centre_when_done",
                violation_error_message=(
                    "Une action réalisée dit si l'équipe du centre l'a menée elle-même."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return self.title

    @property
    def is_late(self) -> bool:
        """Past its due date and still open (the page says it in words)."""

        return (
            self.due_date is not None
            and self.status in OPEN_STATUSES
            and self.due_date < timezone.localdate(clock.now())
        )


class ActionNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    text = models.TextField("point d'avancement")
    created_at = ClockDateTimeField(auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("text", "author")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "point d'avancement"
        verbose_name_plural = "points d'avancement"
        ordering = ["created_at"]

    def __str__(self):
        return self.text[:60]


class SupportSession(models.Model):
    """A support session (« séance d'accompagnement ») the consultant logs: who took part,
    what was worked on, which tools were handed over to the centre's team."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_sessions")
    held_on = models.DateField("date de la séance")
    participants = models.TextField(
        "participants", help_text="Noms et fonctions, une personne par ligne."
    )
    worked_on = models.TextField("ce qui a été travaillé")
    tools_handed_over = models.TextField(
        "outils transmis à l'équipe",
        blank=True,
        help_text="Tableaux de bord, modèles, procédures… que l'équipe garde et fait vivre.",
    )
    author = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="support_sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("participants", "worked_on", "tools_handed_over", "author")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "séance d'accompagnement"
        verbose_name_plural = "séances d'accompagnement"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"Séance du {self.held_on:%d/%m/%Y}"


class Message(models.Model):
    """A message (manager, coordination, provider) or a private note (coordination, partners)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField("fil", max_length=16, choices=Channel.choices)
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    body = models.TextField("message")
    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("body", "author")
    OTHER_FIELDS = ("channel",)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_channel_display()} — {self.created_at:%d/%m/%Y}"


class Satisfaction(models.Model):
    """The manager's answers to the short satisfaction questionnaire after closure."""

    SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    usefulness = models.PositiveSmallIntegerField(
        "utilité de la mission pour le centre", choices=SCORE_CHOICES
    )
    listening = models.PositiveSmallIntegerField(
        "écoute et respect de l'intervenant", choices=SCORE_CHOICES
    )
    ownership = models.PositiveSmallIntegerField(
        "appropriation des outils par vos équipes", choices=SCORE_CHOICES
    )
    would_recommend = models.BooleanField("recommanderiez-vous la mission à un autre centre ?")
    comment = models.TextField("commentaire libre", blank=True)
    answered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    answered_at = ClockDateTimeField(auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("comment", "answered_by")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "questionnaire de satisfaction"
        verbose_name_plural = "questionnaires de satisfaction"
        constraints = [
            models.CheckConstraint(
                condition=Q(usefulness__range=(1, 5))
                & Q(listening__range=(1, 5))
                & Q(ownership__range=(1, 5)),
                name="satisfaction_scores_1_to_5",
            )
        ]

    def __str__(self):
        return f"Satisfaction {self.case.display_number}"


class TargetDuration(models.Model):
    """Target duration of a step for one situation, in days (editable by the coordinator):
    a crisis is handled faster than a preventive request."""

    step = models.CharField("étape", max_length=20, choices=Step.choices)
    situation = models.CharField(
        "situation", max_length=16, choices=Situation.choices, default=DEFAULT_SITUATION
    )
    days = models.PositiveSmallIntegerField("délai cible (jours)")

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("step", "situation")

    class Meta:
        verbose_name = "délai cible"
        verbose_name_plural = "délais cibles"
        ordering = ["situation", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "situation"], name="target_duration_one_per_step_and_situation"
            ),
            models.CheckConstraint(
                condition=Q(days__range=(1, 365)), name="target_duration_1_to_365_days"
            ),
        ]

    def __str__(self):
        return f"{self.get_step_display()} ({self.get_situation_display()}) : {self.days} jours"

    @classmethod
    def as_table(cls) -> dict[str, dict[str, int]]:
        """Every target duration, {situation: {step: days}}, defaults filled in (one query)."""
        table = {
            str(situation): {str(step): days for step, days in steps.items()}
            for situation, steps in DEFAULT_TARGET_DAYS_BY_SITUATION.items()
        }
        for step, situation, days in cls.objects.values_list("step", "situation", "days"):
            table[situation][step] = days
        return table

    @classmethod
    def as_dict(cls, situation: str = DEFAULT_SITUATION) -> dict[str, int]:
        """The target durations of one situation, {step: days}."""
        return cls.as_table()[str(situation)]


class ReminderSettings(models.Model):
    """When the people who must act are reminded, and when the coordinator is told of a
    late step (one row, edited by the coordinator beside the target durations)."""

    lead_days = models.PositiveSmallIntegerField(
        "premier rappel (jours avant l'échéance)",
        default=3,
        help_text="0 : pas de rappel avant l'échéance.",
    )
    repeat_days = models.PositiveSmallIntegerField(
        "relance en cas de retard (tous les … jours)", default=7
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        "alerte à la coordination (après … jours de retard)", default=14
    )
    updated_at = ClockDateTimeField(auto_now=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "réglage des rappels"
        verbose_name_plural = "réglages des rappels"
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_days__lte=60)
                & Q(repeat_days__range=(1, 60))
                & Q(escalate_after_days__range=(1, 365)),
                name="reminder_settings_in_range",
            )
        ]

    def __str__(self):
        return "Réglage des rappels"

    @classmethod
    def current(cls) -> "ReminderSettings":
        """The settings in force (the defaults until the coordinator changes them)."""
        return cls.objects.order_by("pk").first() or cls()


class Reminder(models.Model):
    """One reminder sent (or due) to one person about one pending thing of a case.

    A thing is (case, kind, subject): the subject tells apart things of the same kind on
    one case (the partner whose opinion is awaited). The database refuses a second
    reminder of the same thing to the same person on the same day, and a second one for
    the same moment (``slot``) of the same deadline, so a second run sends nothing."""

    class Slot(models.TextChoices):
        BEFORE = "before", "Avant l'échéance"
        DUE = "due", "Le jour de l'échéance"
        LATE = "late", "En retard"
        ESCALATION = "escalation", "Alerte à la coordination"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("chose attendue", max_length=32)
    subject = models.CharField("précision", max_length=32, blank=True)
    recipient = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    day = models.DateField("le")
    due_on = models.DateField("échéance")
    slot = models.CharField("moment", max_length=16, choices=Slot.choices)
    rank = models.PositiveSmallIntegerField(
        "rang", default=0, help_text="Pour une relance : la combientième depuis l'échéance."
    )
    delivery = models.CharField("envoi", max_length=16)
    created_at = ClockDateTimeField(auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("recipient",)
    OTHER_FIELDS = ("kind", "subject", "slot", "delivery")

    class Meta:
        verbose_name = "rappel"
        verbose_name_plural = "rappels"
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "subject", "recipient", "day"],
                name="reminder_once_a_day_per_thing_and_person",
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "subject", "recipient", "due_on", "slot", "rank"],
                name="reminder_once_per_moment",
            ),
        ]
        indexes = [models.Index(fields=["case", "day"])]

    def __str__(self):
        return f"{self.case.display_number} — {self.kind} — {self.day:%d/%m/%Y}"


class CaseVisit(models.Model):
    """When a person last opened the page of a case: what changed since is marked
    « Nouveau depuis votre dernière visite » (soutien.cases.visits)."""

    # Emptied when the case is anonymised (who opened it is personal data).
    user = models.ForeignKey(USER, null=True, on_delete=models.CASCADE, related_name="case_visits")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    seen_at = models.DateTimeField("dernière visite le")

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("user",)
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "visite d'un dossier"
        verbose_name_plural = "visites des dossiers"
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="case_visit_one_per_person")
        ]

    def __str__(self):
        return f"{self.case_id} — {self.user_id} — {self.seen_at:%d/%m/%Y %H:%M}"
