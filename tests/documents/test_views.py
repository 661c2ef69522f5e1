"""Uploading, downloading and deleting attachments through the web views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from soutien.cases import services as case_services
from soutien.cases.enums import Channel, Stage
from soutien.documents.models import AttachTo, Document, DownloadLog
from tests.builders import case_at, fill_form
from tests.documents.samples import GOOD, pdf_bytes, zip_bomb_docx

pytestmark = pytest.mark.django_db


def _upload(client, case, name, data, attach_to="form", target=None):
    payload = {
        "attach_to": attach_to,
        "file": SimpleUploadedFile(name, data),
        "next": reverse("cases:detail", args=[case.pk]),
    }
    if target is not None:
        payload["target"] = target.pk
    return client.post(reverse("documents:upload", args=[case.pk]), payload)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_allowed_type_uploads_and_is_stored_privately_under_a_uuid(client, reference, name):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    factory, mimetype = GOOD[name]
    response = _upload(client, case, name, factory())
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert document.mimetype == mimetype
    assert document.uploaded_by == cast.board_member
    assert document.file.name == f"documents/{document.uuid.hex[:2]}/{document.uuid.hex}"
    assert name.rsplit(".", 1)[0] not in document.file.name
    with document.file.open("rb") as handle:
        assert handle.read() == GOOD[name][0]()


def test_a_rejected_file_is_not_stored_and_the_error_is_shown_beside_the_field(client, reference):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = _upload(client, case, "rapport.docx", zip_bomb_docx())
    assert response.status_code == 302
    assert not Document.objects.filter(case=case).exists()
    page = client.get(response["Location"].split("#")[0])
    html = page.content.decode()
    assert "démesuré" in html


def test_someone_who_cannot_edit_the_form_cannot_attach_to_it(client, reference):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    _upload(client, case, "rapport.pdf", pdf_bytes())
    assert not Document.objects.filter(case=case).exists()


def test_upload_to_a_case_out_of_scope_answers_404(client, reference):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.outsider)
    assert _upload(client, case, "rapport.pdf", pdf_bytes()).status_code == 404


def _form_document(reference_case=None, stage=Stage.SUBMITTED):
    case, cast = case_at(Stage.DRAFT)
    from django.test import Client

    client = Client()
    client.force_login(cast.board_member)
    _upload(client, case, "statuts.pdf", pdf_bytes())
    if stage != Stage.DRAFT:
        fill_form(case, cast.board_member)
        case_services.case_submit(case=case, by=cast.board_member)
    return Document.objects.get(case=case), case, cast


def test_download_is_an_attachment_not_cached_and_is_logged(client, reference):
    document, case, cast = _form_document()
    client.force_login(cast.coordinator)
    response = client.get(reverse("documents:download", args=[document.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "statuts.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response.content == pdf_bytes()
    log = DownloadLog.objects.get(document=document)
    assert log.user == cast.coordinator
    assert log.case == case
    assert log.kind == "attachment"


def test_download_is_recorded_in_the_audit_log(client, reference):
    audit_models = pytest.importorskip("soutien.audit.models")
    document, case, cast = _form_document()
    client.force_login(cast.board_member)
    client.get(reverse("documents:download", args=[document.uuid]))
    assert audit_models.AuditEntry.objects.filter(action="document.download").exists()


@pytest.mark.parametrize("who", ["outsider", "evaluator", "other_consultant", "staff"])
def test_a_user_outside_the_case_gets_404_on_a_document(client, reference, who):
    document, case, cast = _form_document()
    client.force_login(getattr(cast, who))
    response = client.get(reverse("documents:download", args=[document.uuid]))
    assert response.status_code == 404
    assert not DownloadLog.objects.exists()


def test_an_unknown_document_answers_404(client, reference):
    _, _, cast = _form_document()
    client.force_login(cast.board_member)
    url = reverse("documents:download", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_uploader_may_delete_while_the_form_is_editable(
    client, reference, django_capture_on_commit_callbacks
):
    document, case, cast = _form_document(stage=Stage.DRAFT)
    storage, name = document.file.storage, document.file.name
    client.force_login(cast.board_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:delete", args=[document.uuid]))
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)


def test_a_submitted_form_keeps_its_attachments(client, reference):
    document, case, cast = _form_document()
    client.force_login(cast.board_member)
    response = client.post(reverse("documents:delete", args=[document.uuid]))
    assert response.status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_report_attachments_follow_the_version(client, reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    version = case_services.report_save(
        case=case, by=cast.consultant, analysis="Analyse.", recommendations="Préconisations."
    )
    client.force_login(cast.consultant)
    _upload(client, case, "annexe.pdf", pdf_bytes(), attach_to=AttachTo.REPORT, target=version)
    document = Document.objects.get(case=case, attach_to=AttachTo.REPORT)
    url = reverse("documents:download", args=[document.uuid])
    client.force_login(cast.board_member)
    assert client.get(url).status_code == 404  # a draft is the consultant's alone
    case_services.report_submit(case=case, by=cast.consultant)
    assert client.get(url).status_code == 200
    client.force_login(cast.partner_state)
    assert client.get(url).status_code == 404  # not validated yet
    case_services.report_validate(case=case, by=cast.board_member)
    assert client.get(url).status_code == 200


def test_private_note_attachments_are_hidden_from_the_manager_and_the_provider(client, reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    note = case_services.message_post(
        case=case, by=cast.coordinator, channel=Channel.PRIVATE_NOTE, body="Note interne."
    )
    client.force_login(cast.coordinator)
    _upload(client, case, "note.pdf", pdf_bytes(), attach_to=AttachTo.MESSAGE, target=note)
    document = Document.objects.get(case=case, attach_to=AttachTo.MESSAGE)
    url = reverse("documents:download", args=[document.uuid])
    for who in ("board_member", "consultant"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404
    client.force_login(cast.partner_state)
    assert client.get(url).status_code == 200


def test_an_oversize_upload_is_refused_with_the_limit_in_the_message(client, reference, settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 2000
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = _upload(client, case, "gros.pdf", pdf_bytes() + b"\n" * 5000)
    assert response.status_code == 302
    assert not Document.objects.filter(case=case).exists()
    html = client.get(response["Location"].split("#")[0]).content.decode()
    assert "limite" in html


def test_an_oversize_upload_names_its_real_size_not_the_part_received(
    client, reference, settings, tmp_path
):
    """Past the limit the chunks (64 Kio each) are counted, not stored: 300 ko, not 128 ko."""
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 100 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024  # spooled to disk up to the limit
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = pdf_bytes() + b"\n" * (300 * 1024 - len(pdf_bytes()))
    response = _upload(client, case, "gros.pdf", data)
    assert response.status_code == 302
    assert not Document.objects.filter(case=case).exists()
    assert list(tmp_path.iterdir()) == []  # the part spooled before the limit is deleted
    html = client.get(response["Location"].split("#")[0]).content.decode()
    assert "Ce fichier pèse 300\u00a0ko : la limite est de 100\u00a0ko." in html


def test_the_upload_still_checks_the_csrf_token(reference):
    from django.test import Client

    case, cast = case_at(Stage.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.board_member)
    assert _upload(client, case, "rapport.pdf", pdf_bytes()).status_code == 403
    assert not Document.objects.filter(case=case).exists()
