"""Cross-cutting models: the email outbox."""

from django.db import models


class OutboxEmail(models.Model):
    """An email to send. Written in the same transaction as the change it reports,
    sent afterwards by a background task, retried until it goes out: never lost."""

    to = models.TextField("destinataires", help_text="Adresses séparées par des virgules.")
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    attachments = models.JSONField(
        "pièces jointes",
        default=list,
        blank=True,
        help_text="Liste de {filename, mimetype, content} (contenu texte, ex. invitation .ics).",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, blank=True)
    erase_after_sending = models.BooleanField(
        "texte effacé après l'envoi",
        default=False,
        help_text="Pour un courriel qui porte un lien à usage unique (invitation) : le lien "
        "ne reste pas en base une fois le courriel parti.",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("to", "subject", "body", "last_error")
    OTHER_FIELDS = ()

    class Meta:
        verbose_name = "courriel à envoyer"
        verbose_name_plural = "courriels à envoyer"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.to.split(",") if address.strip()]
