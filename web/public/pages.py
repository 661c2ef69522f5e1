"""The public site's text pages, as one table: each page shows an editable text (or two)
and, for some, facts read from the directory (the funders of the period, the provider's
contract, the contacts, the host, the retention periods). One view serves them all."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from soutien.content import facts as content_facts
from soutien.content import selectors as content


@dataclass(frozen=True)
class TextPage:
    """A public page: its address, its URL name, the editable texts it shows (context
    name → slug), its template and the facts it adds."""

    route: str
    name: str
    texts: dict[str, str]
    template: str = "public/page.html"
    facts: Callable[[], dict] = field(default=lambda: {})


def _funders() -> dict:
    period = content.current_mstr_period()
    return {"period": period, "funders": content.funders_of(period)}


def _contacts() -> dict:
    return {
        "coordinators": content.coordinators(),
        "federations": content.relay_federations(content.current_mstr_period()),
    }


def _privacy() -> dict:
    return {
        "retention": content_facts.retention_periods(),
        "dpo": content_facts.data_protection_officer(),
    }


PAGES: tuple[TextPage, ...] = (
    TextPage("", "home", {"text": "accueil"}, "public/home.html"),
    TextPage(
        "comment-ca-marche/",
        "how_it_works",
        {"text": "comment-ca-marche"},
        "public/how_it_works.html",
    ),
    TextPage(
        "qui-peut-saisir/", "who_may_ask", {"text": "qui-peut-saisir"}, "public/who_may_ask.html"
    ),
    TextPage("qui-finance/", "funders", {"text": "qui-finance"}, "public/funders.html", _funders),
    TextPage(
        "qui-intervient/",
        "provider",
        {"text": "qui-intervient"},
        "public/provider.html",
        lambda: {"contract": content.current_provider_contract()},
    ),
    TextPage(
        "qui-contacter/", "contact", {"text": "qui-contacter"}, "public/contact.html", _contacts
    ),
    TextPage("accompagnement/", "support", {"text": "accompagnement"}),
    TextPage(
        "historique/",
        "history",
        {"text": "historique", "timeline": "historique-frise"},
        "public/history.html",
    ),
    TextPage("accessibilite/", "accessibility", {"text": "accessibilite"}),
    TextPage("accessibilite/schema/", "accessibility_scheme", {"text": "schema-accessibilite"}),
    TextPage(
        "mentions-legales/",
        "legal_notice",
        {"text": "mentions-legales"},
        "public/legal_notice.html",
        lambda: {"host": content_facts.host()},
    ),
    TextPage(
        "donnees-personnelles/",
        "privacy",
        {"text": "donnees-personnelles"},
        "public/privacy.html",
        _privacy,
    ),
)


@login_not_required
@require_safe
def text_page(request, page: TextPage):
    texts = content.page_texts(*page.texts.values())
    context = {name: texts[slug] for name, slug in page.texts.items()}
    return render(request, page.template, {**context, **page.facts()})


def urlpatterns() -> list:
    return [path(page.route, text_page, {"page": page}, name=page.name) for page in PAGES]


# Where each editable text is shown (for the back-office's "see the page" links).
PAGE_URL_NAMES = {
    **{slug: f"public:{page.name}" for page in PAGES for slug in page.texts.values()},
    "questions-frequentes": "help:faq",
}
