"""A case at any stage with a unique marker planted in each confidential text, and the
readers of every format (HTML page, PDF, .ics) that the audience tests compare.

Used by tests/security/test_audience_formats.py (the formats of one thing give the same
answer) and tests/security/test_marker_crawl.py (each marker is read exactly by its
audience). The roles are those of the permission matrix (``CASE_ROLES``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import PROVIDER_STAGES, Channel, MeetingKind, Stage
from soutien.cases.models import (
    Action,
    CaseEvent,
    Decision,
    Finding,
    InformationForm,
    Meeting,
    Message,
    Recommendation,
    ReportVersion,
    SupportSession,
)
from soutien.directory.models import Domain, Organisation
from soutien.meetings.models import DatePoll

# Each marker is letters only, framed by « QZ », so that none is part of another and
# neither HTML escaping, French typography, PDF hyphenation nor .ics folding alters it.
MARKERS = {
    "fiche": "QZFICHEQZ",  # the information form's description
    "note": "QZNOTEQZ",  # a private note (coordination and partners)
    "message": "QZMESSAGEQZ",  # a message (manager, coordination, provider)
    "opinion": "QZAVISQZ",  # a partner's opinion comment
    "grounds": "QZMOTIFSQZ",  # the decision's grounds
    "justification": "QZJUSTIFQZ",  # the decision's justification
    "finding": "QZCONSTATQZ",  # a finding of the diagnostic
    "report_draft": "QZBROUILLONQZ",  # a report version being written
    "report": "QZRAPPORTQZ",  # the first report version, once submitted
    "referral_agenda": "QZSAISINEQZ",  # agenda of the referral meeting
    "interview_agenda": "QZENTRETIENQZ",  # agenda of an interview
    "planned_restitution_agenda": "QZRESTPREVUEQZ",  # agenda of a planned restitution
    "restitution_agenda": "QZORDREJOURQZ",  # agenda of the restitution that took place
    "restitution_summary": "QZSYNTHESEQZ",  # its synthesis
    "partner_meeting_agenda": "QZRENCONTREQZ",  # agenda of the meeting with the partners
    "support_session_agenda": "QZSEANCEQZ",  # agenda of a support session
    "action": "QZACTIONQZ",  # the title of an action of the action plan
    "declined_reason": "QZMOTIFECARTQZ",  # why the centre declined a proposed action
    "support_log": "QZOUTILSQZ",  # tools handed over in a logged support session
    "recommendation": "QZPRECOQZ",  # a structured recommendation of the report
    "closure_summary": "QZBILANQZ",  # the mission's summary written at closure
    "referral_poll_agenda": "QZSONDAGESAISINEQZ",  # agenda of an open referral date poll
    "restitution_poll_agenda": "QZSONDAGERESTQZ",  # agenda of an open restitution date poll
}


@dataclass
class Planted:
    case: object
    cast: object
    meetings: dict[str, Meeting] = field(default_factory=dict)  # kind -> meeting
    versions: list[ReportVersion] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def build_planted(stage: str) -> Planted:
    """A case brought to `stage` by the services, then one marker written in each
    confidential text that exists at that stage (and the meetings each stage may have)."""
    from tests.security.test_permission_matrix import build_case

    case, cast = build_case(stage)
    planted = Planted(case=case, cast=cast)
    now = timezone.now()
    InformationForm.objects.filter(case=case).update(description=MARKERS["fiche"])
    if case.stage != Stage.DRAFT:
        Message.objects.create(
            case=case, channel=Channel.PRIVATE_NOTE, author=cast.coordinator, body=MARKERS["note"]
        )
        Message.objects.create(
            case=case, channel=Channel.MESSAGE, author=cast.board_member, body=MARKERS["message"]
        )
    state = Organisation.objects.get(funder_level="state")
    if case.opinions.filter(partner=state).update(comment=MARKERS["opinion"]):
        case.events.filter(kind="opinion").update(comment=MARKERS["opinion"])
    if Decision.objects.filter(case=case).update(
        grounds=MARKERS["grounds"], justification=MARKERS["justification"]
    ):
        # The timeline repeats them: the transition's comment is the grounds.
        CaseEvent.objects.filter(
            case=case, kind__in=("validate", "refuse", "close_without_follow_up")
        ).update(comment=MARKERS["grounds"])
        CaseEvent.objects.filter(case=case, kind="decision_justification").update(
            comment=MARKERS["justification"]
        )

    def meeting(kind, marker, by, **fields):
        planted.meetings[kind] = Meeting.objects.create(
            case=case,
            kind=kind,
            starts_at=fields.pop("starts_at", now + dt.timedelta(days=7)),
            place="Centre social",
            agenda=MARKERS[marker],
            created_by=by,
            **fields,
        )

    def poll(kind, marker, by, invitee):
        date_poll = DatePoll.objects.create(
            case=case, kind=kind, agenda=MARKERS[marker], created_by=by
        )
        date_poll.attendees.set([invitee])
        date_poll.slots.create(starts_at=now + dt.timedelta(days=9))

    if case.stage not in (Stage.DRAFT, Stage.SUBMITTED, Stage.RETURNED):
        meeting(MeetingKind.REFERRAL, "referral_agenda", cast.coordinator)
    if case.stage == Stage.REFERRAL:
        poll(MeetingKind.REFERRAL, "referral_poll_agenda", cast.coordinator, cast.partner_state)
    if case.stage in PROVIDER_STAGES:
        meeting(MeetingKind.INTERVIEW, "interview_agenda", cast.consultant)
        Finding.objects.create(
            case=case,
            domain=Domain.objects.get(code="gestion-financiere"),
            observations=MARKERS["finding"],
        )
    if case.stage == Stage.DIAGNOSTIC:
        services.report_save(
            case=case, by=cast.consultant, analysis=MARKERS["report_draft"], recommendations="…"
        )
    ReportVersion.objects.filter(case=case, number=1).exclude(status="draft").update(
        analysis=MARKERS["report"]
    )
    submitted = case.report_versions.filter(number=1).exclude(status="draft").first()
    if submitted is not None:
        Recommendation.objects.create(
            report_version=submitted,
            domain=Domain.objects.get(code="gouvernance"),
            text=f"Former le bureau {MARKERS['recommendation']}",
        )
    planted.versions = list(case.report_versions.order_by("number"))
    if case.stage == Stage.RESTITUTION:
        meeting(MeetingKind.RESTITUTION, "planned_restitution_agenda", cast.consultant)
        poll(MeetingKind.RESTITUTION, "restitution_poll_agenda", cast.consultant, cast.board_member)
    if case.stage in (Stage.SUPPORT, Stage.CLOSED):
        restitution = case.meetings.get(kind=MeetingKind.RESTITUTION)
        restitution.agenda = MARKERS["restitution_agenda"]
        restitution.summary = MARKERS["restitution_summary"]
        restitution.save(update_fields=["agenda", "summary"])
        planted.meetings[MeetingKind.RESTITUTION] = restitution
        meeting(MeetingKind.PARTNER_MEETING, "partner_meeting_agenda", cast.coordinator)
        meeting(MeetingKind.SUPPORT_SESSION, "support_session_agenda", cast.consultant)
        planted.actions.append(
            Action.objects.create(
                case=case,
                title=f"Former le trésorier {MARKERS['action']}",
                owner="La trésorière",
                created_by=cast.board_member,
            )
        )
        Action.objects.create(
            case=case,
            title="Réviser les statuts",
            status="declined",
            decision="declined",
            declined_reason=f"Déjà fait {MARKERS['declined_reason']}",
            origin="consultant",
            created_by=cast.consultant,
        )
        SupportSession.objects.create(
            case=case,
            held_on=dt.date(2026, 11, 2),
            participants="La trésorière",
            worked_on="Le plan de trésorerie.",
            tools_handed_over=f"Modèle de tableau {MARKERS['support_log']}",
            author=cast.consultant,
        )
    if case.stage == Stage.CLOSED:
        case.__class__.objects.filter(pk=case.pk).update(
            closure_summary=f"Bilan {MARKERS['closure_summary']}"
        )
    case.refresh_from_db()
    return planted


# --- Reading every format ---------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def ics_text(content: bytes) -> str:
    # RFC 5545 folds long lines (CRLF then a space): unfold before searching.
    return content.decode().replace("\r\n ", "").replace("\r\n\t", "")


def readable_text(response) -> str:
    """What a person gets from a response: the text of a page, a PDF or an .ics, with
    spaces and hyphenation removed (markers never contain either). Empty unless 200."""
    if response.status_code != 200:
        return ""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        text = pdf_text(response.content)
    elif kind.startswith("text/calendar"):
        text = ics_text(response.content)
    else:
        text = response.content.decode()
    return re.sub(r"[\s\u00ad\u2010\u2011-]+", "", text)


def markers_in(text: str) -> set[str]:
    return {name for name, marker in MARKERS.items() if marker in text}


def meeting_url(meeting) -> str:
    return reverse("meetings:meeting_ics", kwargs={"pk": meeting.pk})
