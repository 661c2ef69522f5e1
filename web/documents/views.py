"""Attachments and generated PDFs. Views parse, call one service, answer."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from soutien.cases.selectors import case_for
from soutien.cases.services import CaseError, NotPermitted
from soutien.documents import pdf, policies, selectors, services
from soutien.documents.templatetags.documents_tags import UPLOAD_ERROR_SESSION_KEY
from soutien.documents.validation import max_upload_bytes


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _private(response: HttpResponse, filename: str) -> HttpResponse:
    """Headers of every confidential download."""

    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Attachments ---------------------------------------------------------------------


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops spooling a file as soon as it passes the limit, yet counts its real size.

    Past the limit the chunks are only counted, never handed to the handlers that store
    them; the part already stored is closed (deleted) and the file is replaced by an empty
    one that keeps its name and real size, so that the refusal can say « pèse 23,4 Mo ».
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        self.received = 0
        self.too_large = False
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            return None  # counted, not stored
        return raw_data

    def file_complete(self, file_size):
        if not self.too_large:
            return None
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self and hasattr(handler, "file"):
                handler.file.close()
        return UploadedFile(
            io.BytesIO(), name=self.file_name, content_type=self.content_type, size=self.received
        )


@csrf_exempt  # the token is checked below, once the upload handlers are in place
@require_POST
def upload(request, pk):
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _upload(request, pk)


@csrf_protect
def _upload(request, pk):
    case = case_for(request.user, pk)
    default = reverse("cases:detail", args=[case.pk])
    next_url = _next_url(request, default)
    attach_to = request.POST.get("attach_to", "")
    try:
        target = services.target_for(case, attach_to, request.POST.get("target"))
    except CaseError:
        raise Http404("Objet introuvable") from None
    if not policies.can_view_attachments(request.user, case, attach_to, target):
        raise Http404("Objet introuvable")
    field_id = f"piece-{attach_to}-{getattr(target, 'pk', '') or case.pk}"
    uploaded = request.FILES.get("file")  # a file over the limit comes empty, with its size
    try:
        document = services.document_upload(
            case=case,
            by=request.user,
            attach_to=attach_to,
            uploaded=uploaded,
            target=target,
            request=request,
        )
    except services.DocumentRejected as exc:
        request.session[UPLOAD_ERROR_SESSION_KEY] = {field_id: exc.message}
        messages.error(request, f"Le fichier n'a pas été joint : {exc.message}")
        return redirect(f"{next_url}#{field_id}")
    except NotPermitted as exc:
        messages.error(request, exc.message)
        return redirect(next_url)
    messages.success(request, f"« {document.original_name} » a été joint.")
    return redirect(f"{next_url}#{field_id}")


@require_GET
def download(request, uuid):
    document = selectors.document_for(request.user, uuid)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("Document introuvable") from None
    with handle:
        content = handle.read()
    services.download_record(
        case=document.case, by=request.user, kind="attachment", document=document, request=request
    )
    response = HttpResponse(content, content_type=document.mimetype)
    return _private(response, document.original_name)


@require_POST
def delete(request, uuid):
    document = selectors.document_for(request.user, uuid)
    next_url = _next_url(request, reverse("cases:detail", args=[document.case_id]))
    name = document.original_name
    try:
        services.document_delete(document=document, by=request.user)
    except NotPermitted:
        raise Http404("Document introuvable") from None
    messages.success(request, f"« {name} » a été retiré.")
    return redirect(next_url)


# --- Generated PDFs ----------------------------------------------------------------


def _pdf_response(request, case, content: bytes, filename: str, kind: str) -> HttpResponse:
    services.download_record(case=case, by=request.user, kind=kind, name=filename, request=request)
    return _private(HttpResponse(content, content_type="application/pdf"), filename)


@require_GET
def form_pdf(request, pk):
    case = case_for(request.user, pk)
    if not policies.can_download_form_pdf(request.user, case):
        raise Http404("Dossier introuvable")
    return _pdf_response(
        request,
        case,
        pdf.render_form_pdf(case),
        f"fiche-information-{case.display_number}.pdf",
        "form_pdf",
    )


@require_GET
def report_pdf(request, pk, number):
    case = case_for(request.user, pk)
    version = case.report_versions.filter(number=number).first()
    if version is None or not policies.can_download_report_pdf(request.user, version):
        raise Http404("Rapport introuvable")
    version.case = case
    return _pdf_response(
        request,
        case,
        pdf.render_report_pdf(version, viewer=request.user),
        f"rapport-{case.display_number}-v{version.number}.pdf",
        "report_pdf",
    )


@require_GET
def restitution_pdf(request, pk):
    case = case_for(request.user, pk)
    meeting = pdf.restitution_meeting(case)
    if meeting is None:
        raise Http404("Restitution introuvable")
    meeting.case = case
    # The minutes of one meeting: exactly the people who see that meeting on the case page.
    if not policies.can_download_restitution_pdf(request.user, meeting):
        raise Http404("Restitution introuvable")
    return _pdf_response(
        request,
        case,
        pdf.render_restitution_pdf(meeting, viewer=request.user),
        f"restitution-{case.display_number}.pdf",
        "restitution_pdf",
    )
