"""Reads of the public site's texts."""

from soutien.content.defaults import DEFAULT_TEXTS
from soutien.content.models import PageText
from soutien.directory.models import (
    ConventionPeriod,
    FunderLevel,
    Organisation,
    OrganisationKind,
    ProviderContract,
    Signatory,
)


def _default(slug: str) -> PageText:
    default = DEFAULT_TEXTS[slug]
    return PageText(
        slug=slug, title=default.title, description=default.description, body=default.body
    )


def page_texts(*slugs: str) -> dict[str, PageText]:
    """The texts as edited by the coordinator, or the defaults (unsaved), in one query."""
    found = {text.slug: text for text in PageText.objects.filter(slug__in=slugs)}
    return {slug: found.get(slug) or _default(slug) for slug in slugs}


def page_text(slug: str) -> PageText:
    return page_texts(slug)[slug]


def editable_pages() -> list[PageText]:
    """Every editable page, in the order of the defaults, edited or not."""
    texts = page_texts(*DEFAULT_TEXTS)
    return [texts[slug] for slug in DEFAULT_TEXTS]


# --- Directory facts shown on the public pages (data, never text) ---------------------------


def current_mstr_period() -> ConventionPeriod | None:
    """The latest Convention cadre period that provides for the MSTR."""
    return ConventionPeriod.objects.filter(has_mstr=True).order_by("-start").first()


def funders_of(period: ConventionPeriod | None) -> dict[str, list[Organisation]]:
    """The period's funding partners: institutions first, then communes (alphabetical)."""
    if period is None:
        return {"institutions": [], "communes": []}
    signatories = (
        Signatory.objects.filter(period=period, is_funder=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    organisations = [signatory.organisation for signatory in signatories]
    level_order = {level: index for index, level in enumerate(FunderLevel.values)}
    institutions = sorted(
        (org for org in organisations if org.funder_level != FunderLevel.COMMUNE),
        key=lambda org: level_order.get(org.funder_level, len(level_order)),
    )
    communes = sorted(
        (org for org in organisations if org.funder_level == FunderLevel.COMMUNE),
        key=lambda org: org.display_name,
    )
    return {"institutions": institutions, "communes": communes}


def current_provider_contract() -> ProviderContract | None:
    return ProviderContract.objects.select_related("provider", "period").current()


def coordinators() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.COORDINATOR, is_fictitious=False))


def relay_federations(period: ConventionPeriod | None) -> list[Organisation]:
    """The federations that signed the period (relays); failing that, every real federation."""
    federations = Organisation.objects.filter(
        kind=OrganisationKind.FEDERATION, is_fictitious=False
    ).order_by("name")
    if period is not None:
        signed = federations.filter(signatory__period=period)
        if signed.exists():
            return list(signed)
    return list(federations)
