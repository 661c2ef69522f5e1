"""Writes on documents: attach a checked file, keep a file picked in a form shown again,
remove it, record a download, sweep the files no document refers to any more."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from soutien.audit.actions import AuditAction
from soutien.audit.services import audit_record
from soutien.cases import policies as case_policies
from soutien.cases import services as case_services
from soutien.cases.enums import EventKind
from soutien.cases.models import Action, Case, Meeting, Message, ReportVersion
from soutien.cases.services import (
    ANONYMISED_CASE_REFUSES,
    CaseError,
    NotPermitted,
    record_event,
)
from soutien.core import clock
from soutien.documents import policies
from soutien.documents.models import AttachTo, Document, DownloadLog, PendingUpload
from soutien.documents.validation import Rejected, check_upload

TARGET_MODELS = {
    AttachTo.REPORT: (ReportVersion, "report_version"),
    AttachTo.ACTION: (Action, "action"),
    AttachTo.MESSAGE: (Message, "message"),
    AttachTo.MEETING: (Meeting, "meeting"),
    AttachTo.RESTITUTION: (Meeting, "meeting"),
}


class DocumentRejected(CaseError):
    """The file itself was refused (type, size, name); shown beside the file field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


def _audit(*, action, by, case, target=None, request=None, details=None):
    audit_record(
        action=action,
        actor=by,
        request=request,
        target=target,
        case=case,
        details=details or {},
    )


def target_for(case: Case, attach_to: str, target_id) -> object | None:
    """The object of `case` the document goes to (None for the form); 404-like error else."""
    if attach_to not in AttachTo.values:
        raise CaseError("Type de pièce jointe inconnu.")
    if attach_to not in TARGET_MODELS:  # the fiche, the case: no object to point at
        return None
    model, _ = TARGET_MODELS[attach_to]
    if target_id in (None, ""):
        if attach_to == AttachTo.RESTITUTION:
            return None
        raise CaseError("Précisez à quoi rattacher le fichier.")
    try:
        return model.objects.get(case=case, pk=int(target_id))
    except (model.DoesNotExist, ValueError, TypeError):
        raise CaseError("Précisez à quoi rattacher le fichier.") from None


@transaction.atomic
def document_upload(
    *, case: Case, by, attach_to: str, uploaded, target=None, request=None
) -> Document:
    """Attach a file: checked by its content, stored under a random name, private."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case_policies.can_receive_content(case):
        raise NotPermitted(ANONYMISED_CASE_REFUSES.format(what="de pièce jointe"))
    if target is not None and getattr(target, "case_id", None) != case.pk:
        raise NotPermitted()
    if not policies.can_attach(by, case, attach_to, target):
        raise NotPermitted()
    try:
        checked, data = check_upload(uploaded)
    except Rejected as exc:
        raise DocumentRejected(exc.message) from None
    document = Document(
        case=case,
        attach_to=attach_to,
        original_name=checked.name,
        size=checked.size,
        mimetype=checked.mimetype,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    if attach_to in TARGET_MODELS and target is not None:
        setattr(document, TARGET_MODELS[attach_to][1], target)
    document.file.save(document.storage_name, ContentFile(data), save=False)
    try:
        document.save()
        record_event(
            case=case,
            kind=EventKind.DOCUMENT_UPLOAD,
            label=f"Pièce jointe ajoutée ({AttachTo(attach_to).label}) : {checked.name}",
            by=by,
            audience=policies.upload_event_audience(attach_to, target),
        )
    except Exception:
        # The file was written before the row: do not leave it behind.
        document.file.storage.delete(document.file.name)
        raise
    return document


# --- Files picked in a form that is shown again --------------------------------------


@transaction.atomic
def pending_upload_keep(*, case: Case, by, uploaded) -> PendingUpload:
    """Keep a file chosen in the fiche when the fiche comes back with an error: it is checked
    by its content like any attachment, stored privately, and becomes an attachment of the
    fiche only when the fiche is saved (a browser never fills a file field in again)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not policies.can_attach(by, case, AttachTo.FORM):
        raise NotPermitted()
    try:
        checked, data = check_upload(uploaded)
    except Rejected as exc:
        raise DocumentRejected(exc.message) from None
    pending = PendingUpload(
        case=case,
        original_name=checked.name,
        size=checked.size,
        mimetype=checked.mimetype,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    pending.file.save(pending.storage_name, ContentFile(data), save=False)
    try:
        pending.save()
    except Exception:
        pending.file.storage.delete(pending.file.name)
        raise
    return pending


@transaction.atomic
def pending_uploads_discard(*, by, uploads) -> None:
    """Remove a kept file before the fiche is saved: only the person who chose it."""
    for pending in uploads:
        if pending.uploaded_by_id != by.pk:
            raise NotPermitted()
        name, storage = pending.file.name, pending.file.storage
        pending.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))


def _attach_pending(*, case: Case, by, uploads) -> list[Document]:
    """Turn kept files into attachments of the fiche (the file stays where it is)."""
    if not uploads:
        return []
    if not policies.can_attach(by, case, AttachTo.FORM):
        raise NotPermitted()
    rows = PendingUpload.objects.select_for_update().filter(
        case=case, uploaded_by=by, pk__in=[pending.pk for pending in uploads]
    )
    documents = []
    for pending in rows:
        document = Document(
            uuid=pending.uuid,
            case=case,
            attach_to=AttachTo.FORM,
            original_name=pending.original_name,
            size=pending.size,
            mimetype=pending.mimetype,
            sha256=pending.sha256,
            uploaded_by=by,
        )
        document.file.name = pending.file.name
        document.save()
        pending.delete()
        record_event(
            case=case,
            kind=EventKind.DOCUMENT_UPLOAD,
            label=f"Pièce jointe ajoutée ({AttachTo.FORM.label}) : {document.original_name}",
            by=by,
            audience=policies.upload_event_audience(AttachTo.FORM, None),
        )
        documents.append(document)
    return documents


@transaction.atomic
def information_form_save_with_files(*, case: Case, by, kept=(), removed=(), **arguments) -> Case:
    """Save the fiche and its files together: the kept files become attachments of the fiche,
    and those the person removes are removed, in the same transaction as its fields."""
    case = case_services.information_form_save(case=case, by=by, **arguments)
    _attach_pending(case=case, by=by, uploads=kept)
    uuids = [str(value) for value in removed]
    for document in Document.objects.filter(case=case, attach_to=AttachTo.FORM):
        if str(document.uuid) in uuids:
            document_delete(document=document, by=by)
    return case


@transaction.atomic
def message_post_with_files(*, case: Case, by, channel: str, body: str, files=()):
    """Post a message or a private note with its attachments: each file is checked like the
    others and read only by the people who read the message; if one file is refused,
    nothing is posted."""
    message = case_services.message_post(case=case, by=by, channel=channel, body=body)
    for uploaded in files:
        try:
            document_upload(
                case=case, by=by, attach_to=AttachTo.MESSAGE, uploaded=uploaded, target=message
            )
        except DocumentRejected as exc:
            name = getattr(uploaded, "name", "") or "Le fichier"
            raise CaseError(f"« {name} » n'est pas joint : {exc.message}", field="files") from None
    return message


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    """Remove an attachment: its author, as long as they could still attach it."""
    document = Document.objects.select_for_update().select_related("case").get(pk=document.pk)
    if not policies.can_delete_document(by, document):
        raise NotPermitted()
    name = document.file.name
    storage = document.file.storage
    case = document.case
    label = document.original_name
    attach_to, target = document.attach_to, document.target
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    record_event(
        case=case,
        kind=EventKind.DOCUMENT_DELETE,
        label=f"Pièce jointe retirée : {label}",
        by=by,
        audience=policies.upload_event_audience(attach_to, target),
    )


@transaction.atomic
def download_record(
    *, case: Case, by, kind: str, document: Document | None = None, name: str = "", request=None
) -> DownloadLog:
    """Record a download: who, when, which document (attachment or generated PDF)."""
    log = DownloadLog.objects.create(
        document=document,
        document_name=(document.original_name if document else name)[:200],
        case=case,
        kind=kind,
        user=by,
    )
    # The audit log names the document by its identifier, never by its file name: the
    # log cannot be edited, and a file name may name someone (see case_anonymise).
    _audit(
        action=AuditAction.DOCUMENT_DOWNLOAD,
        by=by,
        case=case,
        target=case,
        request=request,
        details={"kind": kind, "document": str(document.uuid) if document else None},
    )
    return log


# Files younger than this are left alone: an upload may be writing its row right now.
ORPHAN_GRACE = dt.timedelta(days=1)
DOCUMENTS_DIRECTORY = "documents"


def _stored_names(storage, directory: str):
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in directories:
        yield from _stored_names(storage, f"{directory}/{sub}")


def orphan_files_purge(*, now=None, storage=None) -> int:
    """Delete the stored files no document refers to (left by a transaction rolled back
    after the file was written, or by a crash), once older than ``ORPHAN_GRACE``: an
    attachment must not outlive its record. Returns how many were deleted."""
    storage = storage or default_storage
    cutoff = (now or clock.now()) - ORPHAN_GRACE
    # A file kept for a form never saved is short-lived: its row goes first, then its file.
    PendingUpload.objects.filter(created_at__lt=cutoff).delete()
    known = set(Document.objects.values_list("file", flat=True))
    known |= set(PendingUpload.objects.values_list("file", flat=True))
    deleted = 0
    for name in _stored_names(storage, DOCUMENTS_DIRECTORY):
        if name in known or storage.get_modified_time(name) >= cutoff:
            continue
        storage.delete(name)
        deleted += 1
    return deleted


def download_logs_purge(*, older_than) -> int:
    """Delete the download log's lines older than `older_than` (an access log, kept as
    long as the audit log). Returns how many."""
    deleted, _ = DownloadLog.objects.filter(downloaded_at__lt=older_than).delete()
    return deleted
