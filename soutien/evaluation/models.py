"""What the evaluation reads: one row of facts per case, kept up to date by the case's
events, and the published grid computed from a copy of them (docs/performance-evaluation.md).

No name, no text: codes, years, communes, managers, stages, dates of the current step's
clock and lead times, the questionnaire's scores. The pages group these rows on indexed
columns instead of joining the case table to centres, communes, forms and answers.

Two copies: ``CaseFacts`` (the facts as the cases stand, what the coordination reads) and
``PublishedFacts`` (the facts the published grid was computed from, what everyone else
reads, masked by that grid): a masked figure is never read from other data than the ones
its masking was computed on.
"""

from django.db import models

from soutien.cases.enums import ClosureOutcome
from soutien.cases.models import Case
from soutien.directory.models import Commune, Domain, Organisation

# What the count « en retard » reads besides the stage and the clock (the situation, and
# the columns a territory, a commune or a federation filters on).
OVERDUE_COLUMNS = ("situation", "commune", "municipality", "manager")


class Facts(models.Model):
    """What the evaluation needs of one case sent to the Caf (never a draft)."""

    submitted_at = models.DateTimeField()
    submitted_year = models.PositiveSmallIntegerField()
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    # The commune, or the city of an arrondissement.
    municipality = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    manager_kind = models.CharField(max_length=16)  # facts.ASSOCIATION or facts.FEDERATION
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
    # The impact of the mission (soutien.evaluation.facts.impact_of): the actions of the
    # plan drawn from the report's recommendations, and how many of them the centre
    # accepted or adapted; the actions completed by the centre's own team; the situation
    # answered in the 6- and 12-month follow-ups (ClosureOutcome values, blank: no
    # answer); whether the centre asked again within two years after the closure.
    recommendations_proposed = models.PositiveIntegerField(default=0)
    recommendations_adopted = models.PositiveIntegerField(default=0)
    actions_by_centre = models.PositiveIntegerField(default=0)
    followup_6 = models.CharField(max_length=32, blank=True)
    followup_12 = models.CharField(max_length=32, blank=True)
    asked_again = models.BooleanField(default=False)

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = (
        "manager_kind",
        "situation",
        "stage",
        "closure_outcome",
        "followup_6",
        "followup_12",
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"Faits du dossier {self.case_id}"


class CaseFacts(Facts):
    """The facts of a case as it stands."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="evaluation_facts"
    )

    class Meta:
        verbose_name = "faits d'un dossier (évaluation)"
        verbose_name_plural = "faits des dossiers (évaluation)"
        indexes = [
            models.Index(fields=["submitted_year", "municipality"], name="facts_year_muni"),
            models.Index(fields=["municipality", "submitted_year"], name="facts_muni_year"),
            models.Index(fields=["manager", "submitted_year"], name="facts_manager_year"),
            models.Index(fields=["submitted_at"], name="facts_submitted_at"),
            # The count « en retard » reads this index only (every column it needs).
            models.Index(
                fields=["stage", "clock_start", *OVERDUE_COLUMNS], name="facts_stage_clock"
            ),
        ]


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
    change of target durations), against which the published grid is checked; and when
    a new grid was last asked of the task worker (one task at a time)."""

    facts_version = models.PositiveBigIntegerField(default=0)
    # Changed with the version: names the facts in cache keys (a counter starts again
    # when a database is emptied; this does not).
    token = models.CharField(max_length=32, blank=True)
    grid_requested_at = models.DateTimeField(null=True)

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("token",)

    def __str__(self):
        return f"Version {self.facts_version} des faits"


class PublishedGrid(models.Model):
    """The masked grid (the figures not published), computed from the facts of one
    version as they stood at ``as_of`` (copied in its ``PublishedFacts``)."""

    facts_version = models.PositiveBigIntegerField()
    token = models.CharField(max_length=32)  # names this grid and its copy in cache keys
    as_of = models.DateTimeField()
    # The figures « en retard » of the copy stay those of ``as_of`` from just after the
    # last step that fell due before it until the next one falls due (None: no bound).
    valid_after = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True)
    suppressed = models.JSONField()  # [[period, commune, manager, measure], ...]
    computed_in_ms = models.PositiveIntegerField(default=0)
    # Its copy of the facts has been summed up into groups (``FactsGroup``…, written by
    # soutien.evaluation.groups.ensure_published the first time the grid is read).
    groups_built = models.BooleanField(default=False)

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("token",)

    class Meta:
        get_latest_by = "pk"

    def __str__(self):
        return f"Grille publiée (version {self.facts_version}, {self.as_of:%d/%m/%Y %H:%M})"


class PublishedFacts(Facts):
    """The facts of a case as they stood when a published grid was computed (a copy: no
    link to the case, which may have changed or gone since). Each grid has its own copy,
    so that a page reading a grid reads its copy even while a newer one is written."""

    # Every index of the copy starts with its grid: no index of the grid alone, which a
    # planner without statistics on a fresh copy would pick instead.
    grid = models.ForeignKey(
        PublishedGrid, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    case_id = models.IntegerField()
    # A copy never holds back the deletion of a commune or an organisation (nor fails
    # on one): it is replaced by the next grid.
    commune = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    municipality = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    manager = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = "faits publiés d'un dossier (évaluation)"
        verbose_name_plural = "faits publiés des dossiers (évaluation)"
        indexes = [
            models.Index(fields=["grid", "submitted_year", "municipality"], name="pub_year_muni"),
            models.Index(fields=["grid", "municipality", "submitted_year"], name="pub_muni_year"),
            models.Index(fields=["grid", "manager", "submitted_year"], name="pub_manager_year"),
            models.Index(fields=["grid", "submitted_at"], name="pub_submitted_at"),
            models.Index(
                fields=["grid", "stage", "clock_start", *OVERDUE_COLUMNS], name="pub_stage_clock"
            ),
            models.Index(fields=["grid", "case_id"], name="pub_case"),
        ]


class PublishedFactsDomain(models.Model):
    """A field of expertise of a case, as it stood when a published grid was computed."""

    facts = models.ForeignKey(PublishedFacts, on_delete=models.CASCADE, related_name="domains")
    domain = models.ForeignKey(
        Domain, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    def __str__(self):
        return f"Champ {self.domain_id} des faits publiés {self.facts_id}"


# The counts and sums kept for each group of facts (soutien.evaluation.groups.measures
# says what each counts; tests/evaluation/test_groups.py checks that both lists agree).
GROUP_MEASURES = (
    "total",
    "preventive",
    "crisis",
    "selfcheck_requests",
    "selfcheck_preventive",
    "validated",
    "refused",
    "without_follow_up",
    "closed",
    "satisfaction_n",
    "recommend",
    "usefulness_sum",
    "listening_sum",
    "ownership_sum",
    *(f"outcome_{outcome}" for outcome in ClosureOutcome),
    "with_recommendations",
    "proposed_sum",
    "adopted_sum",
    "by_centre",
    "by_centre_sum",
    *(f"followed_{m}{kind}" for m in (6, 12) for kind in ("", "_kept", "_worse")),
    "asked_again_n",
    # « À ce jour » (any period): cases in progress, in support.
    "in_progress",
    "support",
)


class GroupedFacts(models.Model):
    """What the groups of facts share: the published grid whose copy they sum up (None:
    the facts as they stand), and the group's year, commune, municipality, kind of
    manager and federation (None: an association-run centre). Plain integers, no link:
    a group is summed up again, never followed."""

    # No index of the grid alone: each table's index starts with it (see PublishedFacts).
    grid = models.ForeignKey(
        PublishedGrid, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    submitted_year = models.PositiveSmallIntegerField()
    commune_id = models.IntegerField()
    municipality_id = models.IntegerField()
    manager_kind = models.CharField(max_length=16)
    manager_id = models.IntegerField(null=True)  # a federation; None: an association

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("manager_kind",)

    class Meta:
        abstract = True


class FactsGroup(GroupedFacts):
    """The facts of one group summed up (soutien.evaluation.groups): what the page reads
    instead of the million rows of facts. A few thousand rows at most."""

    class Meta:
        indexes = [
            models.Index(fields=["grid", "submitted_year", "municipality_id"], name="group_year"),
            models.Index(fields=["grid", "municipality_id"], name="group_muni"),
        ]

    def __str__(self):
        return f"Groupe {self.submitted_year} / {self.municipality_id} / {self.manager_kind}"


for _measure in GROUP_MEASURES:
    FactsGroup.add_to_class(_measure, models.BigIntegerField(default=0))


class FactsGroupDomain(GroupedFacts):
    """How many requests of one group concern one field of expertise."""

    domain_id = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["grid", "submitted_year", "municipality_id"], name="group_domain_year"
            ),
        ]

    def __str__(self):
        return f"Champ {self.domain_id} : {self.n}"


class FactsDuration(models.Model):
    """How many completed steps of one kind took ``tenths`` tenths of a day, in one year,
    within a municipality (None: the whole department) and under a federation (None:
    every manager): the lead-time histograms, at the levels the page asks for."""

    grid = models.ForeignKey(
        PublishedGrid, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    submitted_year = models.PositiveSmallIntegerField()
    municipality_id = models.IntegerField(null=True)
    manager_id = models.IntegerField(null=True)
    step = models.CharField(max_length=16)
    tenths = models.IntegerField()
    n = models.BigIntegerField(default=0)

    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("step",)

    class Meta:
        indexes = [
            models.Index(
                fields=["grid", "municipality_id", "manager_id", "submitted_year", "step"],
                name="duration_level",
            ),
        ]

    def __str__(self):
        return f"{self.step} en {self.tenths} dixièmes de jour : {self.n}"
