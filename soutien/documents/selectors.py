"""Reads of documents, always scoped by the documents policies."""

import uuid as uuid_module

from django.db.models import QuerySet
from django.http import Http404

from soutien.documents import policies
from soutien.documents.models import AttachTo, Document, PendingUpload

TARGET_FIELD = {
    AttachTo.REPORT: "report_version",
    AttachTo.ACTION: "action",
    AttachTo.MESSAGE: "message",
    AttachTo.MEETING: "meeting",
    AttachTo.RESTITUTION: "meeting",
}


def attachments_of(case, attach_to: str, target=None) -> QuerySet[Document]:
    """Documents attached to one object of the case (no permission check: see below)."""
    queryset = Document.objects.filter(case=case, attach_to=attach_to).select_related("uploaded_by")
    field = TARGET_FIELD.get(attach_to)
    if field and target is not None:
        queryset = queryset.filter(**{field: target})
    elif field and attach_to != AttachTo.RESTITUTION:
        return queryset.none()
    return queryset.order_by("created_at", "pk")


def case_documents(case) -> list[Document]:
    """Every document of the case, oldest first, in one query (no permission check: a
    screen picks each panel's share with ``pick_attachments`` after its policy)."""
    documents = list(
        Document.objects.filter(case=case)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )
    for document in documents:
        document.case = case  # the policies read it: no query per document
    return documents


def pick_attachments(documents, attach_to: str, target=None) -> list[Document]:
    """Among ``case_documents``, those of one object: the same as ``attachments_of``."""
    field = TARGET_FIELD.get(attach_to)
    if field and target is None and attach_to != AttachTo.RESTITUTION:
        return []
    picked = [doc for doc in documents if doc.attach_to == attach_to]
    if field and target is not None:
        picked = [doc for doc in picked if getattr(doc, f"{field}_id") == target.pk]
        for doc in picked:
            setattr(doc, field, target)  # the policies read it: no query per document
    return picked


def attachments_visible_to(user, case, attach_to: str, target=None) -> list[Document]:
    """What the user may see among the attachments of one object (empty when out of scope)."""
    if not policies.can_view_attachments(user, case, attach_to, target):
        return []
    return list(attachments_of(case, attach_to, target))


def document_for(user, uuid) -> Document:
    """The document if the user may download it; 404 otherwise (never revealing it)."""

    try:
        document = Document.objects.select_related(
            "case", "report_version", "meeting", "action", "message"
        ).get(uuid=uuid)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("Document introuvable") from None
    if not policies.can_view_document(user, document):
        raise Http404("Document introuvable")
    return document


def pending_uploads_for(user, case, uuids) -> list[PendingUpload]:
    """The files this user picked for this case's fiche and that the form sends back (a
    kept file is never anyone else's); unknown or malformed identifiers are ignored."""

    wanted = []
    for value in uuids:
        try:
            wanted.append(uuid_module.UUID(str(value)))
        except ValueError:
            continue
    if not wanted:
        return []
    return list(
        PendingUpload.objects.filter(case=case, uploaded_by=user, uuid__in=wanted).order_by(
            "created_at", "pk"
        )
    )
