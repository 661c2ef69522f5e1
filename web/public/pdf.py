"""The blank information form (fiche d'information) as a tagged PDF, rendered by WeasyPrint.

Kept here until the generic PDF module of soutien/documents exists.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string

from soutien.content.selectors import coordinators
from soutien.directory.models import Domain, WarningSign


def blank_information_form_context() -> dict:
    signs = WarningSign.objects.filter(is_active=True).order_by("order", "label")
    domains = Domain.objects.prefetch_related(
        Prefetch("warning_signs", queryset=signs, to_attr="active_signs")
    ).order_by("order", "name")
    return {"domains": list(domains), "coordinators": coordinators()}


def render_blank_information_form() -> bytes:
    """The fiche d'information, empty, ready to print or fill in by hand (PDF/UA, lang fr)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_to_string(
        "public/pdf/blank_information_form.html", blank_information_form_context()
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
