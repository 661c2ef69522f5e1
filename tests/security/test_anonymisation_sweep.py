"""After anonymisation no trace of a case's people or texts remains: a unique marker is
planted in every free-text field and every name attached to a case (through the real
services), the retention command runs, then the whole database (``dumpdata``) and every
private file are searched: no marker may be found."""

import datetime as dt
import io
import itertools
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from soutien.cases import action_plan, services
from soutien.cases.enums import (
    ActionStatus,
    Channel,
    ClosureOutcome,
    DecisionOutcome,
    MeetingKind,
    OpinionValue,
)
from soutien.cases.models import Case
from soutien.cases.services import ANONYMISED
from soutien.core.outbox import outbox_flush
from soutien.core.personal_data import (
    CLASSIFIED_FIELD_TYPES,
    lookup_to,
    personal_fields,
    project_models,
)
from soutien.directory.models import Domain, WarningSign
from soutien.documents.models import AttachTo, Document
from soutien.documents.services import document_upload, download_record, pending_upload_keep
from soutien.meetings import services as meeting_services
from tests.builders import make_cast
from tests.documents.samples import pdf_bytes
from tests.security.retention_helpers import clock_at, far_future

pytestmark = pytest.mark.django_db


class Markers:
    """Unique markers, each remembering where it was planted (for the failure message)."""

    def __init__(self):
        self.prefix = f"zqx{uuid.uuid4().hex[:6]}"
        self.counter = itertools.count(1)
        self.where: dict[str, str] = {}

    def __call__(self, where: str) -> str:
        marker = f"{self.prefix}n{next(self.counter):03d}"
        self.where[marker] = where
        return marker

    def found_in(self, text: str) -> dict[str, str]:
        text = text.lower()
        return {marker: where for marker, where in self.where.items() if marker in text}


def _upload(case, by, attach_to, name, target=None):
    return document_upload(
        case=case,
        by=by,
        attach_to=attach_to,
        target=target,
        uploaded=SimpleUploadedFile(f"{name}.pdf", pdf_bytes()),
    )


def _form_fields(mark) -> dict:
    return {
        "requester_name": mark("requester_name"),
        "requester_function": mark("requester_function"),
        "requester_phone": mark("requester_phone"),
        "requester_email": f"{mark('requester_email')}@centre.test",
        "warning_signs_other": mark("warning_signs_other"),
        "description": mark("description"),
        "previous_attempts": mark("previous_attempts"),
        "expectations": mark("expectations"),
        "availability": mark("availability"),
        "confidentiality_ack": True,
        "cooperation_ack": True,
    }


def _save_form(case, by, fields):
    services.information_form_save(
        case=case,
        by=by,
        fields=fields,
        situation="crisis",
        warning_signs=list(WarningSign.objects.filter(code="tresorerie-faible")),
        domains=list(Domain.objects.filter(code="gestion-financiere")),
        version=None,
    )


def _marked_case(mark):
    """A case that went through every step, a marker in each text and name it holds."""
    cast = make_cast()
    consultant = cast.consultant
    consultant.first_name, consultant.last_name = mark("consultant first name"), "Conseil"
    consultant.save()
    case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    fields = _form_fields(mark)
    _save_form(case, cast.staff, fields)
    # A file picked in the fiche and kept while the form was refused, never saved.
    pending_upload_keep(
        case=case,
        by=cast.staff,
        uploaded=SimpleUploadedFile(f"{mark('pending file')}.pdf", pdf_bytes()),
    )
    services.case_hand_over(case=case, by=cast.staff, message=mark("hand-over message"))
    _upload(case, cast.board_member, AttachTo.FORM, mark("form file name"))
    services.case_submit(case=case, by=cast.board_member)
    services.case_return_for_completion(
        case=case, by=cast.coordinator, message=mark("return message")
    )
    _save_form(case, cast.board_member, fields)
    services.case_submit(case=case, by=cast.board_member)
    services.case_open_referral(case=case, by=cast.coordinator)
    services.opinion_give(
        case=case, by=cast.partner_state, value=OpinionValue.RESERVED, comment=mark("opinion")
    )
    message = services.message_post(
        case=case, by=cast.board_member, channel=Channel.MESSAGE, body=mark("message")
    )
    _upload(case, cast.board_member, AttachTo.MESSAGE, mark("message file"), target=message)
    services.message_post(
        case=case, by=cast.partner_state, channel=Channel.PRIVATE_NOTE, body=mark("note")
    )
    meeting = meeting_services.meeting_record(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        attendees=[cast.partner_state, cast.board_member],
        starts_at=timezone.now() - dt.timedelta(days=3),
        place=mark("meeting place"),
        video_link=f"https://visio.test/{mark('video link')}",
        agenda=mark("agenda"),
        attendees_text=mark("attendees"),
        external_emails=f"{mark('external email')}@ailleurs.test",
        summary=mark("meeting summary"),
    )
    _upload(case, cast.coordinator, AttachTo.MEETING, mark("meeting file"), target=meeting)
    guest = f"{mark('poll guest')}@ailleurs.test"
    poll = meeting_services.poll_propose(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        slots=[(timezone.now() + dt.timedelta(days=d), None) for d in (5, 6)],
        attendees=[cast.partner_state],
        place=mark("poll place"),
        video_link=f"https://visio.test/{mark('poll video link')}",
        agenda=mark("poll agenda"),
        external_emails=guest,
    )
    meeting_services.poll_answer(
        poll=poll, answers={slot.pk: "yes" for slot in poll.slots.all()}, email=guest
    )
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome=DecisionOutcome.VALIDATED,
        grounds=mark("decision grounds"),
        justification=mark("decision justification"),
    )
    services.consultant_assign(case=case, by=consultant, consultant=consultant)
    services.finding_save(
        case=case,
        by=consultant,
        domain=Domain.objects.get(code="gestion-financiere"),
        observations=mark("observations"),
        strengths=mark("strengths"),
        vigilance=mark("vigilance"),
        recommendations=mark("finding recommendations"),
    )
    sections = ("context", "analysis", "recommendations", "summary")
    version = services.report_save(
        case=case,
        by=consultant,
        recommendation_items=[
            {
                "domain": Domain.objects.get(code="gouvernance"),
                "priority": "haute",
                "text": mark(f"recommendation {n}"),
            }
            for n in (1, 2)
        ],
        **{name: mark(f"report {name}") for name in sections},
    )
    _upload(case, consultant, AttachTo.REPORT, mark("report file"), target=version)
    services.report_submit(case=case, by=consultant)
    services.report_request_changes(
        case=case, by=cast.board_member, comment=mark("requested changes")
    )
    services.report_save(case=case, by=consultant, summary=mark("report summary v2"))
    services.report_submit(case=case, by=consultant)
    services.report_validate(case=case, by=cast.board_member)
    services.restitution_record(
        case=case,
        by=consultant,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place=mark("restitution place"),
        attendees_text=mark("restitution attendees"),
        summary=mark("restitution summary"),
    )
    action = services.action_add(
        case=case,
        by=cast.board_member,
        title=mark("action title"),
        description=mark("action description"),
        owner=mark("action owner"),
    )
    services.action_update(
        action=action, by=cast.board_member, status=ActionStatus.DONE, note=mark("action note")
    )
    declined, dropped = case.actions.filter(origin="recommendation").order_by("pk")
    action_plan.action_decline(
        action=declined, by=cast.board_member, reason=mark("declined reason")
    )
    action_plan.action_accept(action=dropped, by=cast.staff, owner=mark("accepted owner"))
    action_plan.action_set_status(
        action=dropped, by=cast.staff, status="dropped", reason=mark("dropped reason")
    )
    action_plan.support_session_log(
        case=case,
        by=consultant,
        held_on=timezone.localdate() - dt.timedelta(days=1),
        participants=mark("session participants"),
        worked_on=mark("session work"),
        tools_handed_over=mark("session tools"),
    )
    document = _upload(case, cast.board_member, AttachTo.ACTION, mark("action file"), action)
    download_record(case=case, by=cast.coordinator, kind="attachment", document=document)
    download_record(case=case, by=cast.coordinator, kind="form_pdf", name=mark("pdf name"))
    services.case_close(
        case=case,
        by=cast.coordinator,
        outcome=ClosureOutcome.IMPROVED,
        comment=mark("closure"),
        summary=mark("closure summary"),
        open_actions_confirmed=True,
    )
    services.satisfaction_answer(
        case=case,
        by=cast.board_member,
        usefulness=4,
        listening=5,
        ownership=3,
        would_recommend=True,
        comment=mark("satisfaction"),
    )
    from soutien.followup.models import FollowUp
    from soutien.followup.services import followup_answer

    followup = FollowUp.objects.get(case=case, milestone=6)
    FollowUp.objects.filter(pk=followup.pk).update(sent_at=timezone.now())
    followup.refresh_from_db()
    followup_answer(
        followup=followup,
        by=cast.board_member,
        situation="stabilised",
        actions_continued="some",
        new_difficulties=True,
        new_difficulties_text=mark("follow-up difficulties"),
        would_ask_again="yes",
    )
    return case, cast


def _personal_texts_without_a_marker(case, prefix) -> list[str]:
    """The personal text fields of the case's rows where no marker was planted (file
    fields aside: their stored names are random; their files are searched instead)."""
    missing = []
    for model in project_models():
        lookup = lookup_to(model, Case)
        if lookup is None:
            continue
        for field in personal_fields(model):
            if not isinstance(field, CLASSIFIED_FIELD_TYPES) or isinstance(field, models.FileField):
                continue
            rows = model.objects.filter(**{lookup: case.pk, f"{field.name}__icontains": prefix})
            if not rows.exists():
                missing.append(f"{model._meta.label}.{field.name}")
    return missing


def _database_dump() -> str:
    out = io.StringIO()
    # The people's own accounts (their name, address) are not the case's: they live until
    # the account is deleted. Everything else is searched.
    call_command("dumpdata", exclude=["accounts.User"], stdout=out)
    return out.getvalue()


def _private_files_text() -> str:
    root = Path(settings.MEDIA_ROOT)
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in root.rglob("*") if path.is_file()
    )


def test_no_marker_survives_the_anonymisation(reference, django_capture_on_commit_callbacks):
    mark = Markers()
    case, _ = _marked_case(mark)
    stored = [document.file.name for document in Document.objects.filter(case=case)]
    assert len(stored) == 5
    # The planting reached the database: every marker is there before, and every
    # personal text of every model the case owns holds one (a new field must be planted).
    assert mark.found_in(_database_dump()) == mark.where
    assert _personal_texts_without_a_marker(case, mark.prefix) == []
    outbox_flush()  # the notifications leave, then their retention runs its course

    with clock_at(far_future()), django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=io.StringIO(), stderr=io.StringIO())

    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert mark.found_in(_database_dump()) == {}
    assert mark.found_in(_private_files_text()) == {}
    assert not any((Path(settings.MEDIA_ROOT) / name).exists() for name in stored)


def test_the_anonymisation_alone_leaves_no_marker_in_the_database(
    reference, django_capture_on_commit_callbacks
):
    """Without the purges (a case anonymised the day after closure): nothing either,
    outside the emails, which have their own retention."""
    mark = Markers()
    case, _ = _marked_case(mark)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_anonymise(case=case)
    out = io.StringIO()
    call_command("dumpdata", exclude=["accounts.User", "core.OutboxEmail"], stdout=out)
    assert mark.found_in(out.getvalue()) == {}
    # The history still tells what happened, without names, titles or file names.
    labels = set(case.events.values_list("label", flat=True))
    assert {
        "Transmettre la fiche",
        "Avis donné",
        "Réunion",
        "Consultant désigné",
        "Demander des modifications",
        "Action ajoutée",
        "Action mise à jour",
        "Pièce jointe ajoutée",
        "Dossier anonymisé (durée de conservation)",
    } <= labels
    assert ANONYMISED not in labels
