"""French wording in templates: ``{{ day|date_long }}`` (« 1er janvier 2015 »),
``{{ stage|lower_first }}`` (« fiche transmise à la Caf »), ``{{ org.name|avec_article:"à" }}``
(« à la Caf des Bouches-du-Rhône »)."""

from django import template

from soutien.core import french

register = template.Library()


@register.filter
def date_long(value, arg=""):
    """« 1er janvier 2015 »; with « heure »: « 1er janvier 2015 à 14 h 30 »."""
    return french.date_fr(value, with_time=(arg == "heure"))


@register.filter
def lower_first(value):
    return french.lower_first(value)


@register.filter
def avec_article(value, preposition="de"):
    return french.with_article(value, preposition if preposition in ("de", "à") else "de")
