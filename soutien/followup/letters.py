"""The decision letter: a PDF generated when the funders' decision (validated or refused)
is recorded, attached to the case as a document, and announced to the manager by email.

What it says: the centre, the request (number, date, situation), the decision and its
date, the grounds of a refusal, the partners consulted (the institutions only: their
opinions stay between the coordination and the partners), whom to contact (the
coordination) and a recourse sentence. Its paragraphs and the recourse sentence are
texts the coordinator edits with the site's texts (soutien.content, keys
``lettre-decision-*``).

Who reads it: `soutien.documents.policies.can_view_decision_letter`, for the list of
the case's documents, the download and the email alike.

Never losing the decision: the letter is generated after the decision commits, by the
task `generate_decision_letter` (the task worker). If WeasyPrint fails, the decision
stays recorded, the error is logged, and the daily run generates the missing letters of
the last ``CATCH_UP_DAYS`` days (`generate_missing_decision_letters`). Generating twice
attaches one letter (checked under the case's row lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils.safestring import mark_safe

from soutien.accounts.models import NotificationCategory
from soutien.cases.enums import Audience, DecisionOutcome, EventKind
from soutien.cases.models import Case, Decision
from soutien.cases.services import record_event
from soutien.content.rendering import render_markdown
from soutien.content.selectors import page_texts
from soutien.core import clock, outbox
from soutien.core.french import date_fr
from soutien.directory.models import Organisation, OrganisationKind
from soutien.documents import policies as document_policies
from soutien.documents.models import AttachTo, Document
from soutien.documents.pdf import render_pdf
from soutien.followup.jobs import manager_users
from soutien.followup.notifications import DecisionLetter

logger = logging.getLogger(__name__)

LETTER_OUTCOMES = (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED)
BODY_KEYS = {
    DecisionOutcome.VALIDATED: "lettre-decision-validee",
    DecisionOutcome.REFUSED: "lettre-decision-refusee",
}
RECOURSE_KEY = "lettre-decision-recours"
CATCH_UP_DAYS = 7
CATEGORY = NotificationCategory.CASE_ACTIVITY


def coordination_contacts() -> list[Organisation]:
    """Whom the manager contacts: the coordination (« Caf des Bouches-du-Rhône »)."""
    return list(Organisation.objects.filter(kind=OrganisationKind.COORDINATOR).order_by("name"))


def letter_context(decision: Decision) -> dict:
    case = decision.case
    texts = page_texts(BODY_KEYS[decision.outcome], RECOURSE_KEY)
    return {
        "title": f"Lettre de décision — dossier {case.display_number}",
        "case": case,
        "centre": case.centre,
        "decision": decision,
        "refused": decision.outcome == DecisionOutcome.REFUSED,
        # The institutions consulted, never their opinions.
        "partners": [
            opinion.partner.display_name
            for opinion in case.opinions.select_related("partner").order_by("partner__name")
        ],
        "contacts": coordination_contacts(),
        "body": mark_safe(render_markdown(texts[BODY_KEYS[decision.outcome]].body)),  # noqa: S308 - sanitised by nh3
        "recourse": mark_safe(render_markdown(texts[RECOURSE_KEY].body)),  # noqa: S308 - sanitised by nh3
        "generated_at": clock.now(),
    }


def render_decision_letter(decision: Decision) -> bytes:
    """The letter as a tagged PDF (PDF/UA-1, French)."""
    return render_pdf("followup/pdf/decision_letter.html", letter_context(decision))


def letter_of(case) -> Document | None:
    return Document.objects.filter(case=case, attach_to=AttachTo.DECISION).first()


def decision_letter_schedule(*, case, decision, **_ignored) -> None:
    """At the end of ``case_decide`` (settings ``SOUTIEN_CASE_HOOKS``): once the decision
    commits, the task worker generates its letter (a validation or a refusal only)."""
    if decision.outcome not in LETTER_OUTCOMES or outbox.is_suppressed():
        # Loading demo data (emails suppressed): no letter, whose task would announce it
        # by email once the loading's transaction commits, outside the suppressed block.
        return
    transaction.on_commit(lambda: generate_decision_letter.enqueue(decision.pk), robust=True)


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _email_manager(case, decision, document) -> int:
    """Tell the case's managers that the letter is in the case (a link, after login)."""
    users = [u for u in manager_users(case) if document_policies.can_view_decision_letter(u, case)]
    contacts = coordination_contacts()
    context = {
        "case": case,
        "centre": case.centre,
        "outcome": decision.get_outcome_display(),
        "decided_on": date_fr(decision.decided_at),
        "url": _site_url(reverse("documents:download", args=[document.uuid])),
        "contact": ", ".join(
            " — ".join(part for part in (org.name, org.email, org.phone) if part)
            for org in contacts
        )
        or "la coordination de la mission",
    }
    return len(DecisionLetter(**context).send(to=users))


def decision_letter_generate(decision_id: int) -> Document | None:
    """Generate, attach and announce the letter of one decision, unless it exists (or the
    case is anonymised, or the decision is neither a validation nor a refusal)."""
    decision = (
        Decision.objects.select_related("case", "case__centre", "case__centre__commune")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.outcome not in LETTER_OUTCOMES:
        return None
    if decision.case.anonymised_at is not None or letter_of(decision.case) is not None:
        return None
    data = render_decision_letter(decision)  # slow: before taking the case's lock
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("centre").get(pk=decision.case_id)
        if case.anonymised_at is not None or letter_of(case) is not None:
            return None
        document = Document(
            case=case,
            attach_to=AttachTo.DECISION,
            original_name=f"Lettre de décision {case.display_number}.pdf",
            size=len(data),
            mimetype="application/pdf",
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=None,
        )
        document.file.save(document.storage_name, ContentFile(data), save=False)
        try:
            document.save()
            record_event(
                case=case,
                kind=EventKind.DECISION_LETTER,
                label="Lettre de décision jointe au dossier",
                audience=Audience.CASE,
            )
            _email_manager(case, decision, document)
        except Exception:
            document.file.storage.delete(document.file.name)
            raise
    return document


@task
def generate_decision_letter(decision_id: int) -> str | None:
    """The task run after a decision commits; returns the document's identifier."""
    try:
        document = decision_letter_generate(decision_id)
    except Exception:
        logger.exception(
            "Decision letter of decision %s not generated (retried daily)", decision_id
        )
        raise
    return str(document.uuid) if document else None


def generate_missing_decision_letters(*, now=None) -> int:
    """The daily catch-up: the letters of the validations and refusals of the last
    ``CATCH_UP_DAYS`` days that are still missing (a failed generation). Returns how many
    were generated; one failing leaves the others to be generated."""
    now = now or clock.now()
    missing = (
        Decision.objects.filter(
            outcome__in=LETTER_OUTCOMES,
            decided_at__gte=now - dt.timedelta(days=CATCH_UP_DAYS),
            case__anonymised_at__isnull=True,
        )
        .exclude(case__documents__attach_to=AttachTo.DECISION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(missing):
        try:
            if decision_letter_generate(pk) is not None:
                count += 1
        except Exception:  # one faulty letter must not stop the others
            logger.exception("Decision letter of decision %s not generated", pk)
    return count
