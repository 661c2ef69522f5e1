"""Cases whose page shows every panel, for counting the case page's queries (issue #15).

Built by the real services: an attached self-check and a file on the fiche, documents of
the case, meetings and a date poll, findings, actions with a
progress note and a document, messages and private notes with attachments, the
satisfaction questionnaire and the follow-up questionnaires once closed.
"""

import datetime as dt
import sys
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.base import Node

from soutien.cases import services
from soutien.cases.enums import ActionStatus, Channel, MeetingKind, Stage
from soutien.cases.models import Case
from soutien.core import clock
from soutien.directory.models import Domain
from soutien.documents import services as document_services
from soutien.meetings import services as meeting_services
from soutien.selfcheck.services import saved_selfcheck_attach, saved_selfcheck_create
from tests.builders import case_at, fill_form
from tests.documents.samples import pdf_bytes

STAGES = [
    Stage.SUBMITTED,
    Stage.REFERRAL,
    Stage.DIAGNOSTIC,
    Stage.REPORT_REVIEW,
    Stage.SUPPORT,
    Stage.CLOSED,
]
ANSWERS = {"tresorerie": "moins-de-2", "assemblee-generale": "oui", "frequentation": "stable"}
ROOT = Path(__file__).resolve().parents[2]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def later(days: int) -> dt.datetime:
    return clock.now() + dt.timedelta(days=days)


def full_case(stage: str, cast) -> Case:
    """A case at `stage` with every panel of its page populated (what the stage allows)."""
    draft = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    fill_form(draft, cast.board_member)
    saved = saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)
    saved_selfcheck_attach(saved=saved, case=draft, by=cast.board_member)
    document_services.document_upload(
        case=draft, by=cast.board_member, attach_to="form", uploaded=pdf("fiche.pdf")
    )
    case, _ = case_at(stage, cast, draft=draft)
    case.refresh_from_db()
    for n in range(2):
        document_services.document_upload(
            case=case, by=cast.board_member, attach_to="case", uploaded=pdf(f"doc-{n}.pdf")
        )
        document_services.message_post_with_files(
            case=case,
            by=cast.coordinator,
            channel=Channel.MESSAGE,
            body=f"Message {n}, avec sa pièce jointe.",
            files=[pdf(f"piece-{n}.pdf")],
        )
        document_services.message_post_with_files(
            case=case,
            by=cast.coordinator,
            channel=Channel.PRIVATE_NOTE,
            body=f"Note {n}.",
            files=[pdf(f"note-{n}.pdf")],
        )
    if stage == Stage.REFERRAL:
        meeting_services.meeting_plan(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.REFERRAL,
            starts_at=later(5),
            attendees=[cast.partner_state, cast.partner_commune],
        )
        meeting_services.poll_propose(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.REFERRAL,
            slots=[(later(8), None), (later(9), None)],
            attendees=[cast.partner_state, cast.partner_commune],
        )
    if stage == Stage.DIAGNOSTIC:
        for domain in Domain.objects.order_by("pk")[:2]:
            services.finding_save(
                case=case, by=cast.consultant, domain=domain, observations="Constat."
            )
        meeting_services.meeting_record(
            case=case,
            by=cast.consultant,
            kind=MeetingKind.INTERVIEW,
            starts_at=later(-1),
            attendees=[cast.board_member],
        )
    if stage == Stage.SUPPORT:
        meeting_services.meeting_plan(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.PARTNER_MEETING,
            starts_at=later(5),
            attendees=[cast.partner_state, cast.board_member],
        )
        meeting_services.poll_propose(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.PARTNER_MEETING,
            slots=[(later(8), None), (later(9), None)],
            attendees=[cast.partner_state, cast.partner_commune],
        )
        for n in range(2):
            action = services.action_add(
                case=case, by=cast.board_member, title=f"Action {n}", owner="La trésorière"
            )
            services.action_update(
                action=action, by=cast.board_member, status=ActionStatus.IN_PROGRESS, note="Lancé."
            )
            document_services.document_upload(
                case=case,
                by=cast.board_member,
                attach_to="action",
                target=action,
                uploaded=pdf(f"action-{n}.pdf"),
            )
    if stage == Stage.CLOSED:
        services.satisfaction_answer(
            case=case,
            by=cast.board_member,
            usefulness=4,
            listening=5,
            ownership=3,
            would_recommend=True,
            comment="Utile.",
        )
    return Case.objects.get(pk=case.pk)


def _origin() -> str:
    """Where a query comes from: the innermost template tag or variable being rendered
    (template and line), and the innermost line of the project's own code."""
    frame = sys._getframe(2)
    template = code = None
    while frame is not None:
        node = frame.f_locals.get("self")
        if template is None and issubclass(type(node), Node) and node.token is not None:
            template = f"{node.origin.template_name}:{node.token.lineno}"
        filename = frame.f_code.co_filename
        if (
            code is None
            and filename.startswith(str(ROOT))
            and "/.venv/" not in filename
            and "/tests/" not in filename
        ):
            code = f"{Path(filename).relative_to(ROOT)}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return " ← ".join(part for part in (template, code) if part) or "?"


class Traced:
    """Records each statement sent with where it comes from (savepoints aside)."""

    def __init__(self):
        self.rows: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        if "SAVEPOINT" not in sql:
            self.rows.append((sql, _origin()))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def traced_get(client, url) -> tuple[int, list[tuple[str, str]]]:
    """The page's status and its statements (after a warm-up request)."""
    client.get(url)
    with Traced() as traced:
        response = client.get(url)
    return response.status_code, traced.rows
