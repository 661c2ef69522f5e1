"""The follow-up questionnaires sent to the manager 6 and 12 months after closure."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from soutien.followup.enums import ActionsContinued, Milestone, Situation, WouldAskAgain


class FollowUp(models.Model):
    """One follow-up questionnaire of a closed case (« suivi à 6 mois / 12 mois »).

    Planned at closure (due 6 and 12 months after ``closed_at``), sent by the daily run on
    its due date, reminded twice at most, answered once by the case's manager. The
    answers are read by the coordination and the case's managers only."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="dossier", on_delete=models.CASCADE, related_name="followups"
    )
    milestone = models.PositiveSmallIntegerField("échéance", choices=Milestone.choices)
    due_on = models.DateField("à envoyer le")
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    reminded_at = models.DateTimeField("dernière relance le", null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("relances envoyées", default=0)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="répondu par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    situation = models.CharField(
        "situation du centre aujourd'hui", max_length=20, choices=Situation.choices, blank=True
    )
    actions_continued = models.CharField(
        "actions du plan poursuivies", max_length=8, choices=ActionsContinued.choices, blank=True
    )
    new_difficulties = models.BooleanField("nouvelles difficultés", null=True, blank=True)
    new_difficulties_text = models.TextField("nouvelles difficultés (précisions)", blank=True)
    would_ask_again = models.CharField(
        "referait appel à la mission", max_length=8, choices=WouldAskAgain.choices, blank=True
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("new_difficulties_text", "answered_by")
    OTHER_FIELDS = ("situation", "actions_continued", "would_ask_again")

    class Meta:
        verbose_name = "questionnaire de suivi"
        verbose_name_plural = "questionnaires de suivi"
        ordering = ["case", "milestone"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "milestone"], name="followup_one_per_milestone"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (
                    ~Q(situation="")
                    & ~Q(actions_continued="")
                    & Q(new_difficulties__isnull=False)
                    & ~Q(would_ask_again="")
                ),
                name="followup_answered_is_complete",
                violation_error_message="Un questionnaire de suivi répondu l'est entièrement.",
            ),
        ]
        indexes = [models.Index(fields=["due_on", "answered_at"])]

    def __str__(self):
        return f"{self.case.display_number} — {self.get_milestone_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
