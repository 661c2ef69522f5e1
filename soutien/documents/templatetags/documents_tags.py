"""`{% attachments_panel case attach_to target %}`: the attachments block of a screen."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from soutien.documents import policies, selectors
from soutien.documents.pdf import date_fr as format_date
from soutien.documents.pdf import typo_fr as apply_typography
from soutien.documents.validation import ACCEPT_ATTRIBUTE

register = template.Library()

# Set by the upload view when a file is refused; shown once, beside the file field.
UPLOAD_ERROR_SESSION_KEY = "documents_upload_error"

# Said beside an upload field whose readers the title does not make plain.
READERS = {
    "case": "Par exemple les comptes que la Caf vous demande. Ces documents sont lus par "
    "toutes les personnes qui suivent le dossier : le gestionnaire, la coordination (Caf), "
    "les partenaires financeurs concernés et le prestataire.",
}


def _case_documents(context, request, case) -> list:
    """The case's documents, read once per request for every panel of the screen (the
    form's, the case's, each meeting's, action's and message's): one query, not one per
    panel. The case page reads them beforehand and passes them as ``case_documents``."""
    given = context.get("case_documents")
    if given is not None:
        return given
    cache = getattr(request, "_case_documents", None)
    if cache is None:
        cache = request._case_documents = {}
    if case.pk not in cache:
        cache[case.pk] = selectors.case_documents(case)
    return cache[case.pk]


@register.inclusion_tag("documents/_attachments_panel.html", takes_context=True)
def attachments_panel(context, case, attach_to="form", target=None, title=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or case is None:
        return {"visible": False}
    visible = policies.can_view_attachments(user, case, attach_to, target)
    field_id = f"piece-{attach_to}-{getattr(target, 'pk', '') or case.pk}"
    upload_error = None
    session = getattr(request, "session", None)
    if session is not None and UPLOAD_ERROR_SESSION_KEY in session:
        errors = session[UPLOAD_ERROR_SESSION_KEY]
        upload_error = errors.pop(field_id, None)
        if upload_error:
            session[UPLOAD_ERROR_SESSION_KEY] = errors
    documents = []
    if visible:
        documents = selectors.pick_attachments(
            _case_documents(context, request, case), attach_to, target
        )
    can_attach = visible and policies.can_attach(user, case, attach_to, target)
    if attach_to in ("case", "decision", "message") and not (documents or can_attach):
        # No « Aucune pièce jointe » block for something nobody may add yet (nor under
        # each message of the thread that is not the reader's own).
        visible = False
    return {
        "visible": visible,
        "case": case,
        "attach_to": attach_to,
        "target": target,
        "title": title,
        "documents": [(doc, policies.can_delete_document(user, doc)) for doc in documents],
        "can_attach": can_attach,
        "next": request.get_full_path() if request else "",
        "accept": ACCEPT_ATTRIBUTE,
        "max_mb": settings.SOUTIEN_MAX_UPLOAD_BYTES // (1024 * 1024),
        "csrf_token": context.get("csrf_token"),
        "upload_error": upload_error,
        "field_id": field_id,
        "readers": READERS.get(attach_to, ""),
    }


@register.filter
def filesize_fr(value) -> str:
    """A size in French units: « 1,2 Mo », « 350 ko »."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}\u00a0Mo".replace(".", ",")
    if size >= 1024:
        return f"{round(size / 1024)}\u00a0ko"
    return f"{size}\u00a0octets"


@register.filter(needs_autoescape=True)
def typo_fr(value, autoescape=True):
    """Escaped text with French typography and its line breaks kept.

    The typography works on the text as typed, then the result is escaped: the other way
    round, « & » became « &amp; » and the « ; » of the entity got a narrow space, so the
    reader saw « & ; » (and the same for < > " ').
    """

    if isinstance(value, SafeData):
        # Already HTML (marked safe by the code): leave its markup alone.
        text = str(value)
    else:
        text = apply_typography(str(value or ""))
        if autoescape:
            text = conditional_escape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return mark_safe(text.replace("\n", "<br>"))  # noqa: S308 - escaped above


@register.filter
def date_fr(value, arg=""):
    """« 22 novembre 2026 »; with « heure »: « 22 novembre 2026 à 14 h 30 »."""

    return format_date(value, with_time=(arg == "heure"))
