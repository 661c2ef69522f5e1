"""An attachment's file does not outlive its record: deleted with a draft, and swept by
the retention command when a rolled-back transaction left it behind."""

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from soutien.cases import services as case_services
from soutien.cases.enums import Stage
from soutien.documents.models import AttachTo, Document
from soutien.documents.services import ORPHAN_GRACE, document_upload, orphan_files_purge
from tests.builders import case_at
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db


def _upload(case, by) -> Document:
    return document_upload(
        case=case,
        by=by,
        attach_to=AttachTo.FORM,
        uploaded=SimpleUploadedFile("fiche.pdf", pdf_bytes()),
    )


def _age(storage, name, age: dt.timedelta) -> None:
    when = (timezone.now() - age).timestamp()
    os.utime(storage.path(name), (when, when))


def test_deleting_a_draft_deletes_its_files(reference, django_capture_on_commit_callbacks):
    case, cast = case_at(Stage.DRAFT)
    document = _upload(case, cast.board_member)
    name = document.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_delete_draft(case=case, by=cast.board_member)
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not default_storage.exists(name)


def test_a_file_left_by_a_rolled_back_upload_is_swept_after_a_day(reference):
    case, cast = case_at(Stage.DRAFT)
    with pytest.raises(RuntimeError), transaction.atomic():
        name = _upload(case, cast.board_member).file.name
        raise RuntimeError("panne après l'envoi du fichier")
    assert not Document.objects.exists()
    assert default_storage.exists(name)  # the file was written before the rollback

    orphan_files_purge()
    assert default_storage.exists(name)  # too recent: an upload may be in progress

    _age(default_storage, name, ORPHAN_GRACE + dt.timedelta(minutes=1))
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert not default_storage.exists(name)
    assert "Fichiers sans pièce jointe supprimés" in out.getvalue()


def test_the_sweep_keeps_every_file_a_document_refers_to(reference, tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    case, cast = case_at(Stage.DRAFT)
    kept = _upload(case, cast.board_member)
    storage.save(kept.file.name, ContentFile(b"%PDF-1.4 kept"))
    orphan = storage.save("documents/ab/abandonne", ContentFile(b"orphelin"))
    fresh = storage.save("documents/cd/en-cours", ContentFile(b"en cours"))
    outside = storage.save("autre/fichier", ContentFile(b"hors des pieces jointes"))
    for name in (kept.file.name, orphan, outside):
        _age(storage, name, dt.timedelta(days=30))

    assert orphan_files_purge(storage=storage) == 1
    assert not storage.exists(orphan)
    assert storage.exists(kept.file.name)
    assert storage.exists(fresh)
    assert storage.exists(outside)  # only the attachments' directory is swept


def test_the_sweep_copes_with_no_documents_directory(reference, tmp_path):
    assert orphan_files_purge(storage=FileSystemStorage(location=tmp_path)) == 0
