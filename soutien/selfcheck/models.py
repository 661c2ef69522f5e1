"""The self-check (auto-diagnostic): its questions, their choices and weights, and the
thresholds of each field of expertise. All are data the coordination edits; the defaults
come from soutien/selfcheck/defaults.py (``manage.py load_selfcheck``).

Anonymous answers are never stored. Only a centre's manager may keep a self-check for
the centre (SavedSelfCheck).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from soutien.directory.models import Domain, WarningSign


class Question(models.Model):
    """One short question of the self-check, in one field of expertise."""

    code = models.SlugField("code", max_length=60, unique=True)
    domain = models.ForeignKey(
        Domain, verbose_name="champ", on_delete=models.PROTECT, related_name="selfcheck_questions"
    )
    warning_sign = models.ForeignKey(
        WarningSign,
        verbose_name="signe d'alerte de la fiche",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="selfcheck_questions",
        help_text="Le signe coché dans la fiche d'information quand la réponse compte des points.",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    text = models.CharField("question", max_length=300)
    explanation = models.TextField(
        "pourquoi c'est important", help_text="Une ou deux phrases simples."
    )
    advice = models.TextField(
        "ce que le centre peut faire", help_text="Affiché dans le résultat quand un signe apparaît."
    )
    is_active = models.BooleanField("posée", default=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("code", "text", "explanation", "advice")

    class Meta:
        verbose_name = "question de l'auto-diagnostic"
        verbose_name_plural = "questions de l'auto-diagnostic"
        ordering = ["domain__order", "order", "code"]

    def __str__(self):
        return self.text


class Choice(models.Model):
    """A possible answer to a question and the points it weighs (0: no sign)."""

    question = models.ForeignKey(
        Question, verbose_name="question", on_delete=models.CASCADE, related_name="choices"
    )
    code = models.SlugField("code", max_length=40)
    label = models.CharField("réponse", max_length=200)
    weight = models.PositiveSmallIntegerField("points", default=0)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("code", "label")

    class Meta:
        verbose_name = "réponse proposée"
        verbose_name_plural = "réponses proposées"
        ordering = ["question", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="selfcheck_choice_code")
        ]

    def __str__(self):
        return self.label


class DomainThreshold(models.Model):
    """From how many points a field is « à surveiller », then « signes d'alerte »."""

    domain = models.OneToOneField(
        Domain, verbose_name="champ", on_delete=models.CASCADE, related_name="selfcheck_threshold"
    )
    watch_from = models.PositiveSmallIntegerField("« à surveiller » à partir de (points)")
    warning_from = models.PositiveSmallIntegerField("« signes d'alerte » à partir de (points)")

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "seuil de l'auto-diagnostic"
        verbose_name_plural = "seuils de l'auto-diagnostic"
        ordering = ["domain__order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(watch_from__gte=1, warning_from__gt=models.F("watch_from")),
                name="selfcheck_threshold_order",
                violation_error_message=(
                    "Le seuil « signes d'alerte » doit être plus élevé que le seuil "
                    "« à surveiller », lui-même d'au moins 1 point."
                ),
            )
        ]

    def __str__(self):
        return f"{self.domain} : {self.watch_from} / {self.warning_from}"


class SavedSelfCheck(models.Model):
    """A self-check a centre's manager chose to keep for the centre. Seen only by the
    centre's managers and employees (soutien.selfcheck.policies); never by the Caf, the
    partners, the provider or the evaluation body."""

    centre = models.ForeignKey(
        "directory.SocialCentre",
        verbose_name="centre social",
        on_delete=models.CASCADE,
        related_name="saved_selfchecks",
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    saved_at = models.DateTimeField("enregistré le", default=timezone.now)
    # Question code → choice code, as answered.
    answers = models.JSONField("réponses", default=dict)
    # Field code → level (0, 1, 2) with the thresholds of that day: the trend over time.
    levels = models.JSONField("niveaux", default=dict)
    # When the centre's managers were last invited to take the self-check again.
    reminded_at = models.DateTimeField("relance envoyée le", null=True, blank=True)
    # The request the manager chose to attach it to: from then on the self-check is read by
    # whoever reads that request's fiche (soutien.selfcheck.policies), never before.
    attached_to = models.ForeignKey(
        "cases.Case",
        verbose_name="joint à la demande",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attached_selfchecks",
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="joint par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attached_at = models.DateTimeField("joint le", null=True, blank=True)

    PERSONAL_FIELDS = ("saved_by", "attached_by")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "auto-diagnostic enregistré"
        verbose_name_plural = "auto-diagnostics enregistrés"
        ordering = ["centre", "-saved_at"]
        indexes = [models.Index(fields=["centre", "-saved_at"], name="selfcheck_saved_centre")]
        constraints = [
            # A request carries at most one self-check.
            models.UniqueConstraint(
                fields=["attached_to"],
                condition=models.Q(attached_to__isnull=False),
                name="selfcheck_one_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(attached_to__isnull=True) | models.Q(attached_at__isnull=False),
                name="selfcheck_attached_dated",
            ),
        ]

    def __str__(self):
        return f"Auto-diagnostic du {self.saved_at:%d/%m/%Y}"
