from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from soutien.directory.models import Role


class UserManager(BaseUserManager):
    """Users are identified by their email address, stored in lower case."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "password")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").lower()
        super().save(*args, **kwargs)


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    APPROVED = "approved", "Acceptée"
    REFUSED = "refused", "Refusée"


class AccountRequest(models.Model):
    """A person asks for an account; nothing exists until the coordinator approves it."""

    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse électronique")
    organisation_name = models.CharField("organisation ou centre social", max_length=200)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    message = models.TextField("message", blank=True)
    status = models.CharField(
        "état",
        max_length=10,
        choices=AccountRequestStatus.choices,
        default=AccountRequestStatus.PENDING,
    )
    created_at = models.DateTimeField("reçue le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name="décidée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField("motif du refus", blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name="organisation retenue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="compte créé",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_requests",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = (
        "first_name",
        "last_name",
        "email",
        "organisation_name",
        "message",
        "refusal_reason",
    )
    OTHER_FIELDS = ("role", "status")

    class Meta:
        verbose_name = "demande de compte"
        verbose_name_plural = "demandes de compte"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (models.Q(user__isnull=False) & models.Q(decided_at__isnull=False)),
                name="approved_request_has_user",
                violation_error_message="Une demande acceptée a un compte et une date.",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Invitation(models.Model):
    """A single-use, expiring link to choose one's password. Only a hash of the token is kept."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("utilisée le", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name="envoyée par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    account_request = models.ForeignKey(
        AccountRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("token_hash",)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.user} ({self.created_at:%d/%m/%Y})"


class AccountEvent(models.Model):
    """What happened to an account request or an invitation: who, when, what."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "Demande reçue"
        APPROVED = "approved", "Demande acceptée"
        REFUSED = "refused", "Demande refusée"
        INVITED = "invited", "Invitation envoyée"
        INVITATION_USED = "invitation_used", "Mot de passe choisi"
        PROFILE_UPDATED = "profile_updated", "Profil modifié"
        PASSWORD_CHANGED = "password_changed", "Mot de passe modifié"
        NOTIFICATIONS_CHANGED = "notifications", "Préférences de notification modifiées"

    action = models.CharField("action", max_length=20, choices=Action.choices)
    account_request = models.ForeignKey(
        AccountRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField("commentaire", blank=True)
    at = models.DateTimeField("le", auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("comment",)
    OTHER_FIELDS = ("action",)

    class Meta:
        verbose_name = "événement de compte"
        verbose_name_plural = "événements de compte"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"


class NotificationCategory(models.TextChoices):
    """The kinds of emails a person may choose how to receive."""

    CASE_ACTIVITY = "case_activity", "Activité de mes dossiers"
    REMINDERS = "reminders", "Rappels et retards"
    MEETINGS = "meetings", "Réunions"
    ACCOUNT = "account", "Compte et sécurité"


# Account and security emails always leave at once: they cannot be changed.
LOCKED_CATEGORIES = {NotificationCategory.ACCOUNT}


class Delivery(models.TextChoices):
    """How a person is told of one category of notifications."""

    IMMEDIATE = "immediate", "Tout de suite (un courriel à chaque fois)"
    DIGEST = "digest", "Dans un récapitulatif quotidien"
    NONE = "none", "Jamais"


class NotificationPreference(models.Model):
    """How one person is told of one category of notifications (no row: at once)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField("notifications", max_length=20, choices=NotificationCategory)
    delivery = models.CharField(
        "envoi", max_length=12, choices=Delivery, default=Delivery.IMMEDIATE
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("category", "delivery")

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        ordering = ["user", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="notification_preference_one_per_category"
            ),
            models.CheckConstraint(
                condition=~models.Q(category=NotificationCategory.ACCOUNT)
                | models.Q(delivery=Delivery.IMMEDIATE),
                name="notification_account_always_immediate",
                violation_error_message="Les courriels de compte et de sécurité partent toujours.",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_category_display()} : {self.get_delivery_display()}"


class NotificationDigest(models.Model):
    """One daily digest sent to one person (at most one a day; the next one lists what
    changed since this one)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="digests")
    day = models.DateField("jour")
    sent_at = models.DateTimeField("envoyé le")
    items = models.PositiveIntegerField("éléments", default=0)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "récapitulatif quotidien"
        verbose_name_plural = "récapitulatifs quotidiens"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notification_digest_once_a_day")
        ]

    def __str__(self):
        return f"Récapitulatif de {self.user} — {self.day:%d/%m/%Y}"
