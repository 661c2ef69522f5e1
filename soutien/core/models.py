"""Cross-cutting models: the email outbox."""

from django.db import models


class OutboxEmail(models.Model):
    """An email to one recipient. Written in the same transaction as the change it
    reports, sent afterwards by a background task, retried until it goes out: never lost.
    Whoever sends it first claims it (``claim_token``), so it never goes out twice at once."""

    to = models.TextField(
        "destinataire",
        help_text="Une seule adresse : chaque destinataire reçoit son propre courriel.",
    )
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("texte")
    attachments = models.JSONField(
        "pièces jointes",
        default=list,
        blank=True,
        help_text="Liste de {filename, mimetype, content} (contenu texte, ex. invitation .ics).",
    )
    headers = models.JSONField(
        "en-têtes",
        default=dict,
        blank=True,
        help_text="En-têtes ajoutés au message (ex. List-Unsubscribe), {nom: valeur}.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    next_attempt_at = models.DateTimeField(
        "prochaine tentative",
        null=True,
        blank=True,
        help_text="Pendant un envoi, le courriel est réservé jusqu'à cette heure ; "
        "après un échec, il est retenté à cette heure.",
    )
    claim_token = models.CharField(
        "jeton de la tentative en cours",
        max_length=32,
        blank=True,
        help_text="Posé par l'expéditeur qui a réservé le courriel, effacé à l'issue de l'envoi.",
    )
    erase_after_sending = models.BooleanField(
        "texte effacé après l'envoi",
        default=False,
        help_text="Pour un courriel qui porte un lien à usage unique (invitation) : le lien "
        "ne reste pas en base une fois le courriel parti.",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ("to", "subject", "body", "last_error")
    OTHER_FIELDS = ("claim_token",)

    class Meta:
        verbose_name = "courriel à envoyer"
        verbose_name_plural = "courriels à envoyer"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"
