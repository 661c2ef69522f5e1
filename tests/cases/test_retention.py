import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from soutien.cases.enums import Stage
from soutien.cases.models import Case
from soutien.cases.services import ANONYMISED, anonymise_closed_cases, case_anonymise
from soutien.security.retention import retention_apply
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_closed_cases_are_anonymised_after_the_retention_period(reference, settings):
    settings.SOUTIEN_CASE_RETENTION_DAYS = 5 * 365
    old, cast = case_at(Stage.CLOSED)
    recent, _ = case_at(Stage.CLOSED, cast)
    open_case, _ = case_at(Stage.SUPPORT, cast)
    long_ago = timezone.now() - dt.timedelta(days=6 * 365)
    Case.objects.filter(pk=old.pk).update(closed_at=long_ago)
    result = retention_apply()
    assert result["cases_anonymised"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymised_at is not None
    assert recent.anonymised_at is None
    assert old.form.requester_email == ""
    assert old.form.description == ANONYMISED
    assert set(old.report_versions.values_list("analysis", flat=True)) == {ANONYMISED}
    # A text that was written is replaced, not blanked: required ones stay non-empty.
    assert set(old.meetings.values_list("summary", flat=True)) == {ANONYMISED}
    assert not old.events.exclude(comment__in=["", ANONYMISED]).exists()
    assert old.events.filter(actor__isnull=False).count() == 0
    # What the evaluation counts stays.
    assert (old.stage, old.situation, old.closure_outcome) == (
        Stage.CLOSED,
        recent.situation,
        recent.closure_outcome,
    )
    assert old.form.domains.exists()
    # A second run does nothing more; open cases are never touched.
    assert anonymise_closed_cases(older_than=timezone.now()) == 1  # the recent one
    open_case.refresh_from_db()
    assert open_case.anonymised_at is None


def test_an_open_case_cannot_be_anonymised(reference):
    case, _ = case_at(Stage.SUPPORT)
    with pytest.raises(Exception, match="terminé"):
        case_anonymise(case=case)


def test_attached_files_are_deleted_with_the_content(reference, django_capture_on_commit_callbacks):
    from soutien.documents.models import Document

    case, cast = case_at(Stage.CLOSED)
    document = Document(
        case=case,
        attach_to="form",
        original_name="bilan.pdf",
        size=4,
        mimetype="application/pdf",
        sha256="0" * 64,
        uploaded_by=cast.board_member,
    )
    document.file.save(document.storage_name, ContentFile(b"%PDF"), save=False)
    document.save()
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        case_anonymise(case=case)
    assert not Document.objects.filter(case=case).exists()
    assert not storage.exists(name)
