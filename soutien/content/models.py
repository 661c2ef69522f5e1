"""Texts of the public site that the coordinator edits without a deploy."""

from django.conf import settings
from django.db import models


class PageText(models.Model):
    """The editable text of one public page, in Markdown. Missing rows use the defaults."""

    slug = models.SlugField("identifiant", max_length=60, unique=True)
    title = models.CharField("titre de la page", max_length=120)
    description = models.CharField(
        "description",
        max_length=300,
        help_text="Résumé de la page pour les moteurs de recherche (une ou deux phrases).",
    )
    body = models.TextField(
        "texte (Markdown)",
        help_text="Mise en forme Markdown : ## Intertitre, **gras**, listes avec « - ».",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("slug", "title", "description", "body")

    class Meta:
        verbose_name = "texte de page publique"
        verbose_name_plural = "textes des pages publiques"
        ordering = ["slug"]

    def __str__(self):
        return self.title


class PageTextRevision(models.Model):
    """One edit of a page text: who changed it, when, and what it said before."""

    page = models.ForeignKey(PageText, on_delete=models.CASCADE, related_name="revisions")
    previous_title = models.CharField("titre précédent", max_length=120)
    previous_description = models.CharField("description précédente", max_length=300)
    previous_body = models.TextField("texte précédent")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField("modifié le", auto_now_add=True)

    # Personal data (RGPD), read by soutien.core.personal_data.
    PERSONAL_FIELDS = ()
    OTHER_FIELDS = ("previous_title", "previous_description", "previous_body")

    class Meta:
        verbose_name = "modification d'un texte"
        verbose_name_plural = "modifications des textes"
        ordering = ["-edited_at"]

    def __str__(self):
        return f"{self.page} — {self.edited_at:%d/%m/%Y %H:%M}"
