"""No file is ever lost (issue #12, point 1).

One form saves the fiche and its files together; a file picked survives a validation
error (kept on the server, shown as « Fichier conservé »); after transmission the
manager adds documents to the case; messages and private notes take attachments, read
by the same people as the message.
"""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import Channel, Stage
from soutien.cases.models import CaseEvent, Message
from soutien.documents.models import AttachTo, Document, PendingUpload
from soutien.documents.services import orphan_files_purge
from tests.documents.samples import pdf_bytes, png_bytes
from tests.web.cases.conftest import flash, html
from tests.web.cases.test_form import complete_data

pytestmark = pytest.mark.django_db


def _pdf(name="comptes-2025.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _form_url(case):
    return reverse("cases:form", args=[case.pk])


# --- The fiche and its files in one form ----------------------------------------------


def test_a_file_picked_survives_a_validation_error_then_is_attached(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(case, requester_email="pas-une-adresse", action="save")

    response = client.post(_form_url(case), {**data, "files": [_pdf()]})

    assert response.status_code == 200  # shown again with its error
    page = html(response)
    assert "Saisissez une adresse électronique valide." in page
    assert "Fichier conservé : <strong>comptes-2025.pdf</strong>" in page
    assert 'value="pas-une-adresse"' in page  # nothing typed is lost
    pending = PendingUpload.objects.get(case=case)
    assert pending.uploaded_by == cast.board_member
    assert f'name="kept_files" value="{pending.uuid}"' in page
    assert not Document.objects.filter(case=case).exists()  # nothing saved yet

    data["requester_email"] = "presidente@centre.test"
    response = client.post(_form_url(case), {**data, "kept_files": [str(pending.uuid)]})

    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert (document.attach_to, document.original_name) == (AttachTo.FORM, "comptes-2025.pdf")
    assert document.uuid == pending.uuid and default_storage.exists(document.file.name)
    assert not PendingUpload.objects.exists()
    case.form.refresh_from_db()
    assert case.form.requester_email == "presidente@centre.test"
    assert CaseEvent.objects.filter(
        case=case, label="Pièce jointe ajoutée (Fiche d'information) : comptes-2025.pdf"
    ).exists()


def test_a_file_picked_with_a_valid_form_is_attached_at_once(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(case, action="save")

    response = client.post(_form_url(case), {**data, "files": [_pdf("a.pdf"), _pdf("b.pdf")]})

    assert response.status_code == 302
    names = set(Document.objects.filter(case=case).values_list("original_name", flat=True))
    assert names == {"a.pdf", "b.pdf"}


def test_a_kept_file_can_be_removed_before_saving(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(case, requester_email="faux", action="save")
    client.post(_form_url(case), {**data, "files": [_pdf()]})
    pending = PendingUpload.objects.get(case=case)

    data["requester_email"] = "presidente@centre.test"
    response = client.post(
        _form_url(case),
        {**data, "kept_files": [str(pending.uuid)], "drop_files": [str(pending.uuid)]},
    )

    assert response.status_code == 302
    assert not Document.objects.filter(case=case).exists()
    assert not PendingUpload.objects.exists()


def test_a_refused_file_is_said_beside_the_field_and_the_rest_is_kept(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(case, description="Ce que j'ai tapé.", action="save")
    fake = SimpleUploadedFile("virus.pdf", b"MZ not a pdf at all", content_type="application/pdf")

    response = client.post(_form_url(case), {**data, "files": [fake, _pdf("bon.pdf")]})

    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert len(errors) == 1 and errors[0].startswith("« virus.pdf » n'est pas joint : ")
    assert "Ce que j&#x27;ai tapé." in html(response)
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["bon.pdf"]
    case.form.refresh_from_db()
    assert case.form.description == ""  # nothing saved while a file is refused


def test_a_file_kept_for_someone_else_is_ignored(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    client.post(_form_url(case), {**complete_data(case, requester_email="x"), "files": [_pdf()]})
    pending = PendingUpload.objects.get()
    other_case, other_cast = case_at(Stage.DRAFT)
    client.force_login(other_cast.board_member)

    response = client.post(
        _form_url(other_case),
        {**complete_data(other_case, action="save"), "kept_files": [str(pending.uuid)]},
    )

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert PendingUpload.objects.filter(pk=pending.pk, case=case).exists()


def test_a_kept_file_never_saved_is_swept_after_a_day(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    client.post(_form_url(case), {**complete_data(case, requester_email="x"), "files": [_pdf()]})
    pending = PendingUpload.objects.get()
    name = pending.file.name

    orphan_files_purge()  # still fresh: the form may come back
    assert default_storage.exists(name) and PendingUpload.objects.exists()
    orphan_files_purge(now=timezone.now() + dt.timedelta(days=3))
    assert not PendingUpload.objects.exists()
    assert not default_storage.exists(name)


def test_a_saved_attachment_is_removed_with_the_form(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    client.post(_form_url(case), {**complete_data(case, action="save"), "files": [_pdf()]})
    document = Document.objects.get(case=case)
    case.refresh_from_db()

    response = client.post(
        _form_url(case),
        {**complete_data(case, action="save"), "remove_documents": [str(document.uuid)]},
    )

    assert response.status_code == 302
    assert not Document.objects.filter(case=case).exists()


# --- After transmission: documents added to the case -----------------------------------


def test_the_manager_adds_a_document_after_transmission(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Documents complémentaires" in page
    assert "lus par toutes les personnes qui suivent le dossier" in page

    response = client.post(
        reverse("documents:upload", args=[case.pk]),
        {"attach_to": AttachTo.CASE, "file": _pdf("comptes-demandes.pdf")},
    )

    assert response.status_code == 302
    document = Document.objects.get(case=case, attach_to=AttachTo.CASE)
    assert document.original_name == "comptes-demandes.pdf"
    # Seen by everyone who follows the case, as the fiche.
    url = reverse("documents:download", args=[document.uuid])
    for reader in (cast.coordinator, cast.partner_state, cast.consultant, cast.board_member):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    for stranger in (cast.outsider, cast.partner_other_commune, cast.staff):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, stranger


def test_the_case_documents_block_shows_only_when_there_is_something(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.coordinator)  # may not add, and nothing added yet
    assert "Documents complémentaires" not in html(
        client.get(reverse("cases:detail", args=[case.pk]))
    )
    client.force_login(cast.board_member)
    client.post(
        reverse("documents:upload", args=[case.pk]), {"attach_to": AttachTo.CASE, "file": _pdf()}
    )
    client.force_login(cast.coordinator)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Documents complémentaires" in page and "comptes-2025.pdf" in page


@pytest.mark.parametrize("stage", [Stage.SUBMITTED, Stage.RETURNED, Stage.SUPPORT, Stage.CLOSED])
def test_the_manager_may_add_a_document_at_any_stage_after_transmission(client, case_at, stage):
    case, cast = case_at(stage)
    client.force_login(cast.board_member)
    client.post(
        reverse("documents:upload", args=[case.pk]), {"attach_to": AttachTo.CASE, "file": _pdf()}
    )
    assert Document.objects.filter(case=case, attach_to=AttachTo.CASE).count() == 1


def test_no_one_else_adds_documents_to_the_case(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    for user in (cast.coordinator, cast.consultant, cast.partner_state):
        client.force_login(user)
        client.post(
            reverse("documents:upload", args=[case.pk]),
            {"attach_to": AttachTo.CASE, "file": _pdf()},
        )
    draft, draft_cast = case_at(Stage.DRAFT)
    client.force_login(draft_cast.board_member)  # a draft's files belong to the fiche
    client.post(
        reverse("documents:upload", args=[draft.pk]), {"attach_to": AttachTo.CASE, "file": _pdf()}
    )
    assert not Document.objects.filter(attach_to=AttachTo.CASE).exists()


# --- Messages and private notes take attachments ------------------------------------------


def test_a_message_with_an_attachment_is_read_by_the_message_readers_only(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)

    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.MESSAGE, "body": "Voici les comptes.", "files": [_pdf()]},
    )

    assert response.status_code == 302
    message = Message.objects.get(case=case)
    document = Document.objects.get(message=message)
    assert document.attach_to == AttachTo.MESSAGE
    url = reverse("documents:download", args=[document.uuid])
    for reader in (cast.coordinator, cast.consultant, cast.board_member):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    client.force_login(cast.partner_state)  # partners do not read the messages
    assert client.get(url).status_code == 404


def test_a_private_note_with_an_attachment_stays_between_caf_and_partners(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.partner_state)

    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.PRIVATE_NOTE, "body": "Note.", "files": [_pdf("note.pdf")]},
    )

    assert response.status_code == 302
    document = Document.objects.get(original_name="note.pdf")
    url = reverse("documents:download", args=[document.uuid])
    for reader in (cast.coordinator, cast.partner_state):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    for stranger in (cast.board_member, cast.consultant):
        client.force_login(stranger)
        assert client.get(url).status_code == 404, stranger


def test_a_refused_attachment_publishes_nothing_and_keeps_the_text(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)
    fake = SimpleUploadedFile("image.png", png_bytes(break_crc=True), content_type="image/png")

    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.MESSAGE, "body": "Mon message tapé.", "files": [fake]},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert "Mon message tapé." in html(response)
    assert 'enctype="multipart/form-data"' in html(response)
    assert not Message.objects.filter(case=case).exists()
    assert not Document.objects.filter(case=case).exists()
    assert not flash(response)


# --- A file over the limit is dropped while received, and said -----------------------


def test_a_file_over_the_limit_is_said_beside_the_fiche_field(client, case_at, settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 4096
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.7\n" + b"x" * 10_000)

    response = client.post(
        _form_url(case), {**complete_data(case, action="save"), "files": [big, _pdf("petit.pdf")]}
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["files"]
    assert error.startswith("« gros.pdf » n'est pas joint : Ce fichier pèse ")
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["petit.pdf"]
    # Never stored past the limit: the file reaches the form empty, with its real size.
    [received] = [f for f in response.wsgi_request.FILES.getlist("files") if f.name == "gros.pdf"]
    assert received.size == len(b"%PDF-1.7\n") + 10_000


def test_a_message_with_a_file_over_the_limit_is_not_published(client, case_at, settings):
    settings.SOUTIEN_MAX_UPLOAD_BYTES = 4096
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.board_member)
    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.7\n" + b"x" * 10_000)

    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.MESSAGE, "body": "Avec le gros fichier.", "files": [big]},
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["files"]
    assert error.startswith("« gros.pdf » n'est pas joint : Ce fichier pèse ")
    assert not Message.objects.filter(case=case).exists()


def test_the_fiche_form_still_checks_the_csrf_token(case_at):
    from django.test import Client

    case, cast = case_at(Stage.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.board_member)
    response = client.post(_form_url(case), {**complete_data(case, action="save")})
    assert response.status_code == 403
