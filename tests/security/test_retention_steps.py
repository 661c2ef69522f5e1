"""`manage.py retention` never crashes and never stops halfway: each step runs on its
own, logs what it did, and a failed step leaves the others to run (non-zero exit, French
message naming the step)."""

import datetime as dt
import io
import logging
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from soutien.accounts.models import AccountRequest, AccountRequestStatus
from soutien.audit.models import AuditEntry
from soutien.cases import services as case_services
from soutien.cases.enums import FINAL_STAGES, ReportStatus, Stage
from soutien.cases.models import Case, Decision, ReportVersion
from soutien.cases.services import ANONYMISED
from soutien.core.models import OutboxEmail
from soutien.directory.models import Role
from soutien.documents.models import DownloadLog
from soutien.documents.services import download_record
from tests.builders import case_at, make_cast
from tests.security.retention_helpers import clock_at, closed_after_changes, far_future

pytestmark = pytest.mark.django_db

EVERY_STAGE = [
    Stage.DRAFT,
    Stage.SUBMITTED,
    Stage.RETURNED,
    Stage.REFERRAL,
    Stage.REFUSED,
    Stage.CLOSED_WITHOUT_FOLLOW_UP,
    Stage.DIAGNOSTIC,
    Stage.REPORT_REVIEW,
    Stage.RESTITUTION,
    Stage.SUPPORT,
    Stage.CLOSED,
]
STEP_CODES = {
    "cases_anonymised",
    "download_logs_deleted",
    "audit_entries_deleted",
    "refused_requests_deleted",
    "sent_emails_deleted",
    "expired_sessions_deleted",
    "throttle_counters_deleted",
    "orphan_files_deleted",
}


def _orphan_file() -> str:
    return default_storage.save("documents/zz/orphan-retention-test", ContentFile(b"orphan"))


def _refused_request() -> AccountRequest:
    return AccountRequest.objects.create(
        first_name="Refusée",
        last_name="Demande",
        email="refusee@exemple.test",
        organisation_name="Nulle part",
        role=Role.STAFF,
        status=AccountRequestStatus.REFUSED,
        decided_at=timezone.now(),
        refusal_reason="Hors du périmètre.",
    )


def _sent_email() -> OutboxEmail:
    return OutboxEmail.objects.create(
        to="quelqu-un@exemple.test", subject="Envoyé", body="Texte", sent_at=timezone.now()
    )


def _session() -> str:
    store = SessionStore()
    store["hello"] = "world"
    store.create()
    return store.session_key


def test_every_stage_every_step_runs_cleanly_and_logs(reference, caplog):
    cast = make_cast()
    cases = {stage: case_at(stage, cast)[0] for stage in EVERY_STAGE}
    changes, _ = closed_after_changes(cast)
    download_record(case=cases[Stage.SUPPORT], by=cast.coordinator, kind="form_pdf", name="a.pdf")
    request = _refused_request()
    email = _sent_email()
    session_key = _session()
    orphan = _orphan_file()

    out, err = io.StringIO(), io.StringIO()
    with clock_at(far_future()), caplog.at_level(logging.INFO, "soutien.security.retention"):
        call_command("retention", stdout=out, stderr=err)

    output = out.getvalue()
    assert err.getvalue() == ""
    assert "Dossiers clos anonymisés : 4." in output
    assert "Journal des téléchargements : 1 ligne(s) purgée(s)." in output
    assert re.search(r"Journal d'audit : \d+ entrée\(s\) purgée\(s\)\.", output)
    assert "Demandes de compte refusées supprimées : 1." in output
    assert "Courriels envoyés supprimés : 1." in output
    assert "Sessions expirées supprimées : 1." in output
    assert re.search(r"Fichiers sans pièce jointe supprimés : [1-9]\d*\.", output)
    logged = {
        record.args[0]
        for record in caplog.records
        if record.name == "soutien.security.retention" and record.levelno == logging.INFO
    }
    assert logged == STEP_CODES

    # Every finished case is anonymised, the refused one and the one whose report had
    # changes requested included (their texts are required: replaced, not blanked).
    anonymised = set(Case.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    finished = {cases[stage].pk for stage in EVERY_STAGE if stage in FINAL_STAGES} | {changes.pk}
    assert anonymised == finished
    assert Decision.objects.get(case=cases[Stage.REFUSED]).grounds == ANONYMISED
    assert (
        ReportVersion.objects.get(
            case=changes, status=ReportStatus.CHANGES_REQUESTED
        ).manager_comment
        == ANONYMISED
    )
    # Cases still running are untouched.
    assert cases[Stage.SUPPORT].form.requester_name == "Monique Blanc"

    assert not AccountRequest.objects.filter(pk=request.pk).exists()
    assert not OutboxEmail.objects.filter(pk=email.pk).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not default_storage.exists(orphan)
    assert not DownloadLog.objects.exists()
    call_command("audit_verify", stdout=io.StringIO())


def test_a_failed_step_is_undone_and_the_others_still_run(reference, monkeypatch):
    from soutien.core import outbox

    request = _refused_request()
    email = _sent_email()
    orphan = _orphan_file()

    def broken_purge(*, now=None):
        OutboxEmail.objects.all().delete()  # half done, then the failure
        raise RuntimeError("serveur indisponible")

    monkeypatch.setattr(outbox, "outbox_purge", broken_purge)
    out, err = io.StringIO(), io.StringIO()
    with clock_at(far_future()), pytest.raises(CommandError) as raised:
        call_command("retention", stdout=out, stderr=err)

    assert str(raised.value) == (
        "Conservation des données incomplète : échec de « suppression des courriels envoyés »."
    )
    assert err.getvalue().strip() == (
        "Échec de l'étape « suppression des courriels envoyés » : rien n'a été changé par "
        "cette étape (RuntimeError : serveur indisponible). Les autres étapes ont été menées."
    )
    # The failed step is rolled back; the steps before and after it did their work.
    assert OutboxEmail.objects.filter(pk=email.pk).exists()
    assert not AccountRequest.objects.filter(pk=request.pk).exists()
    assert not default_storage.exists(orphan)
    assert "Demandes de compte refusées supprimées : 1." in out.getvalue()
    assert "Sessions expirées supprimées" in out.getvalue()


def test_a_case_that_fails_leaves_the_other_cases_anonymised(reference, monkeypatch):
    cast = make_cast()
    faulty, _ = case_at(Stage.CLOSED, cast)
    sound, _ = case_at(Stage.REFUSED, cast)
    anonymise = case_services.case_anonymise

    def case_anonymise(*, case):
        if case.pk == faulty.pk:
            raise RuntimeError("ligne verrouillée")
        return anonymise(case=case)

    monkeypatch.setattr(case_services, "case_anonymise", case_anonymise)
    err = io.StringIO()
    with clock_at(far_future()), pytest.raises(CommandError, match="anonymisation des dossiers"):
        call_command("retention", stdout=io.StringIO(), stderr=err)

    assert f"1 dossier(s) n'ont pas pu être anonymisés ({faulty.number}) ; 1 l'ont été" in (
        err.getvalue()
    )
    faulty.refresh_from_db()
    sound.refresh_from_db()
    assert faulty.anonymised_at is None
    assert sound.anonymised_at is not None


def test_old_download_logs_go_with_the_audit_log(reference, settings):
    settings.SOUTIEN_AUDIT_RETENTION_DAYS = 30
    case, cast = case_at(Stage.SUPPORT)
    old = download_record(case=case, by=cast.coordinator, kind="form_pdf", name="fiche.pdf")
    DownloadLog.objects.filter(pk=old.pk).update(
        downloaded_at=timezone.now() - dt.timedelta(days=31)
    )
    kept = download_record(case=case, by=cast.coordinator, kind="form_pdf", name="fiche.pdf")
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "Journal des téléchargements : 1 ligne(s) purgée(s)." in out.getvalue()
    assert list(DownloadLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_audit_log_never_keeps_a_downloaded_file_name(reference):
    case, cast = case_at(Stage.SUPPORT)
    download_record(case=case, by=cast.coordinator, kind="form_pdf", name="Dupont-bilan.pdf")
    entry = AuditEntry.objects.filter(action="document.download").get()
    assert "Dupont" not in entry.canonical()
