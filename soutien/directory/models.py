"""The directory: who takes part in the Convention cadre, and the centres it serves.

Everything here is data, not code: another department loads its own organisations,
communes and contracts and the platform works the same way.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from soutien.core import clock


class OrganisationKind(models.TextChoices):
    COORDINATOR = "coordinator", "Caf coordinatrice"
    FUNDER = "funder", "Partenaire financeur"
    FEDERATION = "federation", "Fédération"
    PROVIDER = "provider", "Prestataire"
    ASSOCIATION = "association", "Association gestionnaire"
    EVALUATION = "evaluation", "Instance d'évaluation"


class FunderLevel(models.TextChoices):
    STATE = "state", "État"
    REGION = "region", "Région"
    DEPARTMENT = "department", "Département"
    CAF = "caf", "Caf"
    COMMUNE = "commune", "Commune"


class Role(models.TextChoices):
    BOARD_MEMBER = "board_member", "Administrateur bénévole"
    STAFF = "staff", "Équipe salariée"
    FEDERATION_STAFF = "federation_staff", "Salarié de fédération"
    COORDINATOR = "coordinator", "Coordination (Caf)"
    PARTNER = "partner", "Représentant d'un partenaire financeur"
    CONSULTANT = "consultant", "Consultant du prestataire"
    EVALUATOR = "evaluator", "Instance d'évaluation"


class Commune(models.Model):
    """A commune (or a Marseille arrondissement, whose parent is Marseille)."""

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name="commune de rattachement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrondissements",
        help_text="Pour un arrondissement municipal : la commune dont il fait partie.",
    )
    is_signatory = models.BooleanField("signataire de la Convention cadre", default=False)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("insee_code", "name")

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def municipality(self) -> "Commune":
        """The commune itself, or the city an arrondissement belongs to."""
        return self.parent or self


class Organisation(models.Model):
    name = models.CharField("nom", max_length=200, unique=True)
    short_name = models.CharField("nom court", max_length=60, blank=True)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    funder_level = models.CharField(
        "niveau de financeur",
        max_length=20,
        choices=FunderLevel.choices,
        blank=True,
        help_text="Pour les partenaires financeurs (et la Caf, qui finance aussi).",
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="Pour une commune partenaire : son territoire. Sinon : son siège.",
    )
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    description = models.TextField("présentation", blank=True)
    is_fictitious = models.BooleanField(
        "fictive (démonstration)",
        default=False,
        help_text="Organisation inventée pour la démonstration.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("email", "phone")
    OTHER_FIELDS = (
        "name",
        "short_name",
        "kind",
        "funder_level",
        "website",
        "address",
        "description",
    )

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="funder") | ~Q(funder_level=""),
                name="funder_has_level",
                violation_error_message="Un partenaire financeur doit avoir un niveau.",
            ),
            models.CheckConstraint(
                condition=~Q(funder_level="commune") | Q(commune__isnull=False),
                name="commune_funder_has_commune",
                violation_error_message="Une commune partenaire doit être rattachée à sa commune.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_funder(self) -> bool:
        return bool(self.funder_level)


class SocialCentre(models.Model):
    """A social centre (« centre social », « équipement social ») that may receive support."""

    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="centres"
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    priority_area = models.BooleanField(
        "quartier prioritaire (QPV, ex-CUCS)",
        default=False,
    )
    caf_approval_start = models.DateField("début de l'agrément Caf", null=True, blank=True)
    caf_approval_end = models.DateField("fin de l'agrément Caf", null=True, blank=True)
    manager = models.ForeignKey(
        Organisation,
        verbose_name="gestionnaire",
        on_delete=models.PROTECT,
        related_name="managed_centres",
        limit_choices_to={"kind__in": [OrganisationKind.ASSOCIATION, OrganisationKind.FEDERATION]},
        help_text="L'association du centre, ou la fédération qui le gère.",
    )
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_fictitious = models.BooleanField("fictif (démonstration)", default=False)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("email", "phone")
    OTHER_FIELDS = ("name", "address", "postcode")

    class Meta:
        verbose_name = "centre social"
        verbose_name_plural = "centres sociaux"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "commune"], name="centre_unique_per_commune"),
            models.CheckConstraint(
                condition=Q(caf_approval_end__isnull=True)
                | Q(caf_approval_start__isnull=True)
                | Q(caf_approval_end__gte=models.F("caf_approval_start")),
                name="centre_approval_dates_ordered",
                violation_error_message="La fin de l'agrément suit son début.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_federation_run(self) -> bool:
        return self.manager.kind == OrganisationKind.FEDERATION


class ConventionPeriod(models.Model):
    """One Convention cadre (e.g. 2015–2017) and the organisations that signed it."""

    name = models.CharField("intitulé", max_length=120, unique=True)
    start = models.DateField("début")
    end = models.DateField("fin")
    signed_on = models.DateField("date de signature", null=True, blank=True)
    has_mstr = models.BooleanField(
        "prévoit la mission de soutien technique renforcé", default=False
    )
    signatories = models.ManyToManyField(
        Organisation,
        through="Signatory",
        related_name="convention_periods",
        verbose_name="signataires",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("name",)

    class Meta:
        verbose_name = "période de la Convention cadre"
        verbose_name_plural = "périodes de la Convention cadre"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_dates_ordered",
                violation_error_message="La fin de la période suit son début.",
            )
        ]

    def __str__(self):
        return self.name


class Signatory(models.Model):
    period = models.ForeignKey(ConventionPeriod, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    is_funder = models.BooleanField("finance la mission", default=False)
    is_co_chair = models.BooleanField("co-préside", default=False)

    class Meta:
        verbose_name = "signataire"
        verbose_name_plural = "signataires"
        constraints = [
            models.UniqueConstraint(fields=["period", "organisation"], name="signatory_unique")
        ]

    def __str__(self):
        return f"{self.organisation} — {self.period}"


class ProcurementProcedure(models.TextChoices):
    MAPA = "mapa", "Marché à procédure adaptée (MAPA)"
    OPEN_TENDER = "open_tender", "Appel d'offres ouvert"
    RESTRICTED_TENDER = "restricted_tender", "Appel d'offres restreint"
    NEGOTIATED = "negotiated", "Procédure négociée"


class ProviderContractQuerySet(models.QuerySet):
    def current(self, on=None):
        """The contract in force on a date; failing that, the latest one started."""

        on = on or timezone.localtime(clock.now()).date()
        in_force = self.filter(start__lte=on, end__gte=on).order_by("-start").first()
        return in_force or self.filter(start__lte=on).order_by("-start").first()


class ProviderContract(models.Model):
    """The public contract (« marché ») that designates the provider for a period."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name="prestataire",
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    period = models.ForeignKey(
        ConventionPeriod,
        verbose_name="période",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_contracts",
    )
    procedure = models.CharField("procédure", max_length=20, choices=ProcurementProcedure.choices)
    reference = models.CharField("référence du marché", max_length=60, blank=True)
    start = models.DateField("début")
    end = models.DateField("fin")

    objects = ProviderContractQuerySet.as_manager()

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("procedure", "reference")

    class Meta:
        verbose_name = "marché du prestataire"
        verbose_name_plural = "marchés du prestataire"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="contract_dates_ordered",
                violation_error_message="La fin du marché suit son début.",
            )
        ]

    def __str__(self):
        return f"{self.provider} ({self.start:%Y}–{self.end:%Y})"


class Domain(models.Model):
    """A field of expertise (champ de fonctionnement)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("intitulé", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("code", "name")

    class Meta:
        verbose_name = "champ de fonctionnement"
        verbose_name_plural = "champs de fonctionnement"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class WarningSign(models.Model):
    """An observable signal of a coming difficulty, grouped by field."""

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=200)
    domain = models.ForeignKey(
        Domain,
        verbose_name="champ",
        on_delete=models.PROTECT,
        related_name="warning_signs",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("proposé dans la fiche", default=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("code", "label")

    class Meta:
        verbose_name = "signe d'alerte"
        verbose_name_plural = "signes d'alerte"
        ordering = ["domain__order", "order", "label"]

    def __str__(self):
        return self.label


class Membership(models.Model):
    """A user's role within an organisation. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    function = models.CharField("fonction", max_length=120, blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("function",)
    OTHER_FIELDS = ("role",)

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"
