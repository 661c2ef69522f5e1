"""Generated PDFs (WeasyPrint): tagged PDF/UA-1, French language, a title, French typography.

`render_pdf(template, context)` is the generic helper; the builders below give each
document of a case its context. Templates live in web/templates/documents/pdf/.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

from django.conf import settings
from django.template.loader import get_template, render_to_string

from soutien.cases import policies as case_policies
from soutien.cases.action_plan import plan_summary
from soutien.cases.enums import ActionStatus, MeetingKind, ReportStatus
from soutien.core import clock
from soutien.core.french import NBSP, date_fr  # noqa: F401 - re-exported
from soutien.directory.models import Organisation, OrganisationKind

# PDF/UA-1 makes WeasyPrint tag the structure (headings, lists, tables) and requires
# a title (HTML <title>) and a language (<html lang="fr">), both taken from the template.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}

NNBSP = "\u202f"  # narrow no-break space, before ; ! ? in French


def typo_fr(text: str) -> str:
    """French typography: no-break spaces before « ; : ! ? » and inside guillemets.

    Only punctuation followed by a space or the end of a line is touched, so URLs
    (« https://…?a=1 ») and times (« 14:30 ») are left alone.
    """
    if not text:
        return ""
    text = str(text)
    text = re.sub(r"[ \u00a0\u202f]*([;!?])(?=\s|$)", NNBSP + r"\1", text, flags=re.M)
    text = re.sub(r"[ \u00a0\u202f]*:(?=\s|$)", NBSP + ":", text, flags=re.M)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(r"[ \u00a0\u202f]*»", NBSP + "»", text)
    return text


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render an HTML template to a tagged PDF (PDF/UA-1, lang and title from the HTML)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(**PDF_OPTIONS)


# Every template of a generated PDF (compiled once per process by the cached loader).
PDF_TEMPLATES = (
    "documents/pdf/information_form.html",
    "documents/pdf/report.html",
    "documents/pdf/restitution.html",
    "documents/pdf/action_plan.html",
)
WARM_UP_TEMPLATE = "documents/pdf/warm_up.html"


def warm_up() -> float:
    """Load, before the first request, what a process's first PDF would otherwise load:
    the template engine and its tag libraries, the PDF templates, WeasyPrint's modules,
    fontconfig's font list and every face and size of the PDF stylesheet (by rendering a
    one-page document made of the same boxes as the real ones). Return the seconds it
    took. Called by each gunicorn worker after the fork (config/gunicorn.conf.py)."""
    started = time.perf_counter()
    for name in PDF_TEMPLATES:
        get_template(name)
    placeholder = SimpleNamespace(display_number="MSTR-0000-0000")
    render_pdf(
        WARM_UP_TEMPLATE,
        {"case": placeholder, "generated_at": clock.now(), "title": "Préchauffage"},
    )
    return time.perf_counter() - started


def _common(case) -> dict:
    return {
        "case": case,
        "centre": case.centre,
        "generated_at": clock.now(),
    }


# --- Information form -----------------------------------------------------------------


def form_pdf_context(case) -> dict:
    form = getattr(case, "form", None)
    context = _common(case)
    context.update(
        {
            "form": form,
            "warning_signs": list(form.warning_signs.order_by("order", "label")) if form else [],
            "domains": list(form.domains.order_by("order", "name")) if form else [],
            "title": f"Fiche d'information — dossier {case.display_number}",
        }
    )
    return context


def render_form_pdf(case) -> bytes:
    """The information form as sent, as the manager filled it in."""
    return render_pdf("documents/pdf/information_form.html", form_pdf_context(case))


# --- Diagnostic report ------------------------------------------------------------------


def report_recipients(case) -> list[str]:
    """Who receives the report: the manager first; after validation, the coordination and
    the concerned funders (the programme's confidentiality rule)."""

    recipients = [f"le gestionnaire du centre : {case.manager.name}"]
    if case.provider_id:
        consultant = case.consultant
        who = consultant.get_full_name() or consultant.email if consultant else ""
        recipients.append(f"le prestataire : {case.provider.name}" + (f" ({who})" if who else ""))
    coordinators = Organisation.objects.filter(kind=OrganisationKind.COORDINATOR).order_by("name")
    partners = [opinion.partner.name for opinion in case.opinions.select_related("partner")]
    after = [f"la coordination : {org.name}" for org in coordinators]
    after += [f"le partenaire financeur concerné : {name}" for name in partners]
    return recipients, after


def report_pdf_context(version, *, viewer) -> dict:
    """What the version's PDF holds for `viewer`: the findings only if the case page shows
    them to this person (the same policy decides both)."""
    case = version.case
    context = _common(case)
    first, after_validation = report_recipients(case)
    findings = []
    if case_policies.can_view_findings(viewer, case):
        findings = list(case.findings.select_related("domain").order_by("domain__order"))
    context.update(
        {
            "version": version,
            "validated": version.status == ReportStatus.VALIDATED,
            "findings": findings,
            "recipients": first,
            "recipients_after_validation": after_validation,
            "title": f"Rapport de diagnostic — dossier {case.display_number} — version "
            f"{version.number}",
        }
    )
    return context


def render_report_pdf(version, *, viewer) -> bytes:
    """A version of the report: marked « non validée » as long as the manager has not
    validated it, with the confidentiality notice and the list of recipients."""
    return render_pdf("documents/pdf/report.html", report_pdf_context(version, viewer=viewer))


# --- Restitution minutes --------------------------------------------------------------


def restitution_meeting(case):
    return (
        case.meetings.filter(kind=MeetingKind.RESTITUTION, cancelled_at__isnull=True)
        .exclude(summary="")
        .prefetch_related("attendees")
        .order_by("-starts_at")
        .first()
    )


def restitution_attendees(meeting) -> list[str]:
    """Each person present once: the lines typed, then the accounts ticked (restitutions
    recorded before the form had one field) that no line already names."""
    if meeting is None:
        return []
    lines = [line.strip() for line in meeting.attendees_text.splitlines() if line.strip()]
    typed = " ".join(lines).casefold()
    people = list(dict.fromkeys(lines))
    for user in meeting.attendees.all():
        name = user.get_full_name() or user.email
        if name.casefold() not in typed and name not in people:
            people.append(name)
    return people


def restitution_pdf_context(meeting, *, viewer) -> dict:
    """The minutes of `meeting` (checked by the caller with
    documents.policies.can_download_restitution_pdf); the action plan only if the case page
    shows it to `viewer`."""
    case = meeting.case
    context = _common(case)
    actions = []
    if case_policies.can_view_action_plan(viewer, case):
        # Proposed actions too (the restitution is where they are discussed), but not the
        # ones the centre declined or dropped.
        actions = list(
            case.actions.exclude(
                status__in=[ActionStatus.DECLINED, ActionStatus.DROPPED]
            ).select_related("domain")
        )
    context.update(
        {
            "meeting": meeting,
            "attendees": restitution_attendees(meeting),
            "validated_version": case.report_versions.filter(status=ReportStatus.VALIDATED).first(),
            "actions": actions,
            "title": f"Compte rendu de restitution — dossier {case.display_number}",
        }
    )
    return context


def render_restitution_pdf(meeting, *, viewer) -> bytes:
    """The minutes of the restitution to the manager."""
    return render_pdf(
        "documents/pdf/restitution.html", restitution_pdf_context(meeting, viewer=viewer)
    )


# --- Action plan --------------------------------------------------------------------------


def action_plan_pdf_context(case) -> dict:
    """The plan as its page shows it (checked by the caller with
    cases.policies.can_view_action_plan): every action grouped by field, the progress."""

    context = _common(case)
    context.update(
        {
            "summary": plan_summary(case),
            "title": f"Plan d'actions — dossier {case.display_number}",
        }
    )
    return context


def render_action_plan_pdf(case) -> bytes:
    """The centre's action plan, grouped by field, with its progress."""
    return render_pdf("documents/pdf/action_plan.html", action_plan_pdf_context(case))
