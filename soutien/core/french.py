"""French wording shared by pages, PDFs and emails: dates, articles, capitals.

Everything here is plain text in, plain text out (escaping is the template's business).
"""

from __future__ import annotations

from django.utils import timezone

NBSP = "\u00a0"

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def date_fr(value, with_time: bool = False) -> str:
    """« 22 novembre 2026 », « 1er décembre 2026 » (and « à 14 h 30 » with the time)."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "hour", None) is not None:
        if timezone.is_aware(value):
            value = timezone.localtime(value)
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day}{NBSP}{MONTHS[value.month - 1]} {value.year}"
    if with_time and hasattr(value, "hour"):
        minutes = f"{value.minute:02d}" if value.minute else ""
        text += f" à {value.hour}{NBSP}h{NBSP if minutes else ''}{minutes}"
    return text


def lower_first(text: str) -> str:
    """« Fiche transmise à la Caf » → « fiche transmise à la Caf » (proper nouns keep
    their capital, unlike ``str.lower``)."""
    text = str(text or "")
    return text[:1].lower() + text[1:]


# The first word of an organisation's name, and its gender: it decides the article
# (« de la Caf », « du Département », « de l'Association »). Unknown words (acronyms,
# commune names) take no article: « de Marseille », « à CCO ».
_NOUN_GENDER = {
    "association": "f",
    "caf": "f",
    "caisse": "f",
    "communauté": "f",
    "direction": "f",
    "fédération": "f",
    "instance": "f",
    "maison": "f",
    "mairie": "f",
    "métropole": "f",
    "préfecture": "f",
    "région": "f",
    "union": "f",
    "ville": "f",
    "cabinet": "m",
    "centre": "m",
    "collectif": "m",
    "comité": "m",
    "conseil": "m",
    "département": "m",
    "espace": "m",
    "institut": "m",
    "office": "m",
}
_ARTICLES = {
    # preposition: (masculine, feminine, elided, plural)
    "de": ("du ", "de la ", "de l'", "des "),
    "à": ("au ", "à la ", "à l'", "aux "),
}
_VOWELS = set("aàâeéèêëiîïoôuùûyhAÀÂEÉÈÊËIÎÏOÔUÙÛYH")


def with_article(name: str, preposition: str = "de") -> str:
    """« de » or « à » before an organisation's name, with the right article:
    « de l'Association Horizon », « à la Caf des Bouches-du-Rhône », « du Cabinet X »,
    « au Centre social Y »; a name that begins with its own article is contracted
    (« Le Relais » → « du Relais »)."""
    name = str(name or "").strip()
    masculine, feminine, elided, plural = _ARTICLES[preposition]
    head, _, rest = name.partition(" ")
    lowered = head.lower()
    if lowered == "le" and rest:
        return masculine + rest
    if lowered == "les" and rest:
        return plural + rest
    if lowered == "la" and rest:
        return f"{preposition} la {rest}"
    if lowered.startswith("l'") or lowered.startswith("l’"):
        return f"{preposition} {name}"
    gender = _NOUN_GENDER.get(lowered)
    if gender is None:
        elide = preposition == "de" and name[:1] in _VOWELS
        return f"d'{name}" if elide else f"{preposition} {name}"
    if name[:1] in _VOWELS:
        return elided + name
    return (masculine if gender == "m" else feminine) + name
