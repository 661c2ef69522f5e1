"""Attachments of a case (« pièces jointes ») and the log of their downloads.

A file is stored privately under a random UUID name; its original name is kept,
sanitised, for the download. The file itself is only served by a checked view.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from soutien.core.fields import ClockDateTimeField

USER = settings.AUTH_USER_MODEL


class AttachTo(models.TextChoices):
    """What an attachment belongs to; each kind follows the visibility of its object."""

    FORM = "form", "Fiche d'information"
    REPORT = "report", "Rapport de diagnostic"
    RESTITUTION = "restitution", "Restitution"
    ACTION = "action", "Plan d'actions"
    MESSAGE = "message", "Message"
    MEETING = "meeting", "Réunion"
    # Added by the manager once the fiche is transmitted (e.g. the accounts the Caf asks
    # for when it returns the fiche): seen by everyone who follows the case, as the fiche.
    CASE = "case", "Document complémentaire"
    # The funders' decision letter, generated when the decision is recorded (never
    # uploaded): read by everyone who sees the decision on the case page.
    DECISION = "decision", "Lettre de décision"


def _storage_name(instance, filename):  # pragma: no cover - names are set by the service
    return instance.storage_name


class Document(models.Model):
    """One uploaded file attached to a case (or to an object of the case)."""

    uuid = models.UUIDField("identifiant", default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", verbose_name="dossier", on_delete=models.CASCADE, related_name="documents"
    )
    attach_to = models.CharField("rattaché à", max_length=16, choices=AttachTo.choices)
    report_version = models.ForeignKey(
        "cases.ReportVersion",
        verbose_name="version du rapport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    meeting = models.ForeignKey(
        "cases.Meeting",
        verbose_name="réunion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    action = models.ForeignKey(
        "cases.Action",
        verbose_name="action",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    message = models.ForeignKey(
        "cases.Message",
        verbose_name="message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField("fichier", upload_to=_storage_name, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveBigIntegerField("taille (octets)")
    mimetype = models.CharField("type détecté", max_length=120)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        USER,
        verbose_name="déposé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_documents",
    )
    created_at = ClockDateTimeField("déposé le", auto_now_add=True, db_index=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("file", "original_name", "uploaded_by")
    OTHER_FIELDS = ("attach_to", "mimetype", "sha256")

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(attach_to="report") | Q(report_version__isnull=False),
                name="document_report_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(attach_to="action") | Q(action__isnull=False),
                name="document_action_has_action",
            ),
            models.CheckConstraint(
                condition=~Q(attach_to="message") | Q(message__isnull=False),
                name="document_message_has_message",
            ),
            models.CheckConstraint(
                condition=~Q(attach_to="meeting") | Q(meeting__isnull=False),
                name="document_meeting_has_meeting",
            ),
        ]
        indexes = [models.Index(fields=["case", "attach_to"])]

    def __str__(self):
        return self.original_name

    @property
    def storage_name(self) -> str:
        return f"documents/{self.uuid.hex[:2]}/{self.uuid.hex}"

    @property
    def target(self):
        """The object the document is attached to (None for the form)."""
        return {
            AttachTo.REPORT: self.report_version,
            AttachTo.MEETING: self.meeting,
            AttachTo.RESTITUTION: self.meeting,
            AttachTo.ACTION: self.action,
            AttachTo.MESSAGE: self.message,
        }.get(self.attach_to)


class PendingUpload(models.Model):
    """A file picked in the fiche's form, checked and kept while the form is shown again
    (a browser cannot re-fill a file input): it becomes a Document of the fiche when the
    form is saved, and is swept after ``ORPHAN_GRACE`` if the form never is. Seen only by
    the person who picked it."""

    uuid = models.UUIDField("identifiant", default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="dossier",
        on_delete=models.CASCADE,
        related_name="pending_uploads",
    )
    file = models.FileField("fichier", upload_to=_storage_name, max_length=255)
    original_name = models.CharField("nom du fichier", max_length=200)
    size = models.PositiveBigIntegerField("taille (octets)")
    mimetype = models.CharField("type détecté", max_length=120)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        USER,
        verbose_name="déposé par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = ClockDateTimeField("déposé le", auto_now_add=True, db_index=True)

    # Deleted with its file when the case is anonymised (like a Document).
    PERSONAL_FIELDS = ("file", "original_name", "uploaded_by")
    OTHER_FIELDS = ("mimetype", "sha256")

    class Meta:
        verbose_name = "fichier en attente"
        verbose_name_plural = "fichiers en attente"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def storage_name(self) -> str:
        # The same name as the Document it becomes: the file is never copied.
        return f"documents/{self.uuid.hex[:2]}/{self.uuid.hex}"


class DownloadLog(models.Model):
    """Who downloaded which document, and when (kept even if the audit log changes)."""

    document = models.ForeignKey(
        Document,
        verbose_name="pièce jointe",
        null=True,
        on_delete=models.SET_NULL,
        related_name="downloads",
    )
    document_name = models.CharField("nom du document", max_length=200)
    case = models.ForeignKey(
        "cases.Case", verbose_name="dossier", on_delete=models.CASCADE, related_name="downloads"
    )
    kind = models.CharField(
        "type",
        max_length=20,
        default="attachment",
        help_text="attachment, form_pdf, report_pdf, restitution_pdf, meeting_ics",
    )
    user = models.ForeignKey(
        USER, verbose_name="par", null=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    downloaded_at = ClockDateTimeField("le", auto_now_add=True, db_index=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("document_name", "user")
    OTHER_FIELDS = ("kind",)

    class Meta:
        verbose_name = "téléchargement"
        verbose_name_plural = "téléchargements"
        ordering = ["-downloaded_at", "-pk"]

    def __str__(self):
        return f"{self.document_name} — {self.downloaded_at:%d/%m/%Y %H:%M}"
