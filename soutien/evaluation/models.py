"""What the evaluation reads: one row of facts per case, kept up to date by the case's
events, and the published grid computed from them (docs/performance-evaluation.md).

No name, no text: codes, years, communes, managers, stages, dates of the current step's
clock and lead times, the questionnaire's scores. The pages group these rows on indexed
columns instead of joining the case table to centres, communes, forms and answers.
"""

from django.db import models

from soutien.cases.models import Case
from soutien.directory.models import Commune, Domain, Organisation


class CaseFacts(models.Model):
    """What the evaluation needs of one case sent to the Caf (never a draft)."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="evaluation_facts"
    )
    submitted_at = models.DateTimeField()
    submitted_year = models.PositiveSmallIntegerField()
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    # The commune, or the city of an arrondissement.
    municipality = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    manager_kind = models.CharField(max_length=16)  # grid.ASSOCIATION or grid.FEDERATION
    situation = models.CharField(max_length=16, blank=True)
    stage = models.CharField(max_length=32)
    from_selfcheck = models.BooleanField(default=False)
    closure_outcome = models.CharField(max_length=32, blank=True)
    # When the clock of the current step started (soutien.cases.deadlines.CLOCKS).
    clock_start = models.DateTimeField(null=True)
    # Lead times of the completed steps, tenths of a day (the case's generated columns).
    referral_tenths = models.IntegerField(null=True)
    report_tenths = models.IntegerField(null=True)
    validation_tenths = models.IntegerField(null=True)
    restitution_tenths = models.IntegerField(null=True)
    # The satisfaction questionnaire (no comment).
    answered = models.BooleanField(default=False)
    recommend = models.BooleanField(default=False)
    usefulness = models.PositiveSmallIntegerField(null=True)
    listening = models.PositiveSmallIntegerField(null=True)
    ownership = models.PositiveSmallIntegerField(null=True)

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("manager_kind", "situation", "stage", "closure_outcome")

    class Meta:
        verbose_name = "faits d'un dossier (évaluation)"
        verbose_name_plural = "faits des dossiers (évaluation)"
        indexes = [
            models.Index(fields=["submitted_year", "municipality"], name="facts_year_municipality"),
            models.Index(fields=["municipality", "submitted_year"], name="facts_municipality_year"),
            models.Index(fields=["manager", "submitted_year"], name="facts_manager_year"),
            models.Index(fields=["submitted_at"], name="facts_submitted_at"),
            models.Index(fields=["stage", "clock_start"], name="facts_stage_clock"),
        ]

    def __str__(self):
        return f"Faits du dossier {self.case_id}"


class CaseFactsDomain(models.Model):
    """A field of expertise of a case's request (its information form)."""

    facts = models.ForeignKey(CaseFacts, on_delete=models.CASCADE, related_name="domains")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facts", "domain"], name="facts_domain_once")
        ]

    def __str__(self):
        return f"Champ {self.domain_id} du dossier {self.facts_id}"


class DirtyCase(models.Model):
    """A case whose facts must be computed again (written by the signals of
    soutien.evaluation.receivers, read and emptied by soutien.evaluation.facts)."""

    case_id = models.IntegerField(primary_key=True)

    def __str__(self):
        return f"Dossier {self.case_id} à recalculer"


class EvaluationState(models.Model):
    """One row: the version of the facts, bumped whenever facts change (a refresh, a
    change of target durations), against which the published grid is checked."""

    facts_version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Version {self.facts_version} des faits"


class PublishedGrid(models.Model):
    """The masked grid (the figures not published), computed from the facts of one
    version as they stood at ``as_of``."""

    facts_version = models.PositiveBigIntegerField()
    as_of = models.DateTimeField()
    suppressed = models.JSONField()  # [[period, commune, manager, measure], ...]
    computed_in_ms = models.PositiveIntegerField(default=0)

    class Meta:
        get_latest_by = "pk"

    def __str__(self):
        return f"Grille publiée (version {self.facts_version}, {self.as_of:%d/%m/%Y %H:%M})"
