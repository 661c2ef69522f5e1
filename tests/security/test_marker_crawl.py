"""The access crawl: a unique marker in each confidential text, every role, every format.

At each stage a case gets a marker planted in each confidential text that exists then
(tests/security/audience.py): the fiche, a private note, a message, a partner's opinion,
the decision's grounds and justification, a finding, the report versions, the meetings'
agendas, the restitution's synthesis and agenda, an action, the open date polls' agendas.
Then each of the 13 roles of the permission matrix fetches every case and document
address (pages, PDFs read with pypdf, .ics files) and the markers each one read are
compared with the table below, written by hand from the programme's rules — never
computed by the code under test.

This is the test that would have caught the restitution PDF given to the partners.
"""

import pytest
from django.urls import reverse

from tests.security.audience import (
    MARKERS,
    build_planted,
    markers_in,
    meeting_url,
    readable_text,
)
from tests.security.test_permission_matrix import CASE_ROLES, CASE_STAGES, case_clients, case_urls

pytestmark = pytest.mark.django_db

# Columns: A board member (the manager), S salarié, C coordination, E State partner,
# M commune partner (both concerned), K designated consultant. The other roles of the
# matrix (anonymous, other commune, other consultant, evaluation, other federation,
# superuser, outsider) read no marker at any stage.
SENT = ("submitted", "returned")
REFERRAL_ENDED = ("referral", "refused", "closed_without_follow_up")
DECIDED_NO = ("refused", "closed_without_follow_up")
PROVIDER = ("diagnostic", "report_review", "restitution", "support", "closed")
VALIDATED = ("restitution", "support", "closed")
SUPPORT = ("support", "closed")


def at(stages, roles: str) -> dict[str, set[str]]:
    return {stage: set(roles.split()) for stage in stages}


READERS = {
    "fiche": {
        **at(["draft"], "A"),
        **at(["draft_by_staff"], "A S"),
        **at(SENT, "A C"),
        **at(REFERRAL_ENDED, "A C E M"),
        **at(PROVIDER, "A C E M K"),
    },
    "note": {**at(SENT, "C"), **at(REFERRAL_ENDED + PROVIDER, "C E M")},
    "message": {**at(SENT + REFERRAL_ENDED, "A C"), **at(PROVIDER, "A C K")},
    "opinion": at(REFERRAL_ENDED + PROVIDER, "C E M"),
    "grounds": {**at(DECIDED_NO, "A C E M"), **at(PROVIDER, "A C E M K")},
    # The justification may reveal the partners' opinions: never the manager nor provider.
    "justification": at(DECIDED_NO + PROVIDER, "C E M"),
    "finding": {
        **at(["diagnostic"], "K"),
        **at(["report_review"], "A K"),
        **at(VALIDATED, "A C E M K"),
    },
    "report_draft": at(["diagnostic"], "K"),
    "report": {**at(["report_review"], "A K"), **at(VALIDATED, "A C E M K")},
    "referral_agenda": at(REFERRAL_ENDED + PROVIDER, "C E M"),
    "interview_agenda": at(PROVIDER, "A C K"),
    "planned_restitution_agenda": at(["restitution"], "A C K"),
    # The restitution is made to the manager: partners read neither synthesis nor agenda.
    "restitution_agenda": at(SUPPORT, "A C K"),
    "restitution_summary": at(SUPPORT, "A C K"),
    "partner_meeting_agenda": at(SUPPORT, "A C E M K"),
    "support_session_agenda": at(SUPPORT, "A C K"),
    # The action plan belongs to the centre: its employees read it too.
    "action": at(SUPPORT, "A S C E M K"),
    "declined_reason": at(SUPPORT, "A S C E M K"),
    # The support sessions: the centre (its employees too), the coordination, the provider.
    "support_log": at(SUPPORT, "A S C K"),
    # A recommendation follows the report it belongs to.
    "recommendation": {**at(["report_review"], "A K"), **at(VALIDATED, "A C E M K")},
    # The mission's summary is written for the manager (and read by the Caf, the provider).
    "closure_summary": at(["closed"], "A C K"),
    # A date poll has the audience of the meeting it prepares (and its invitees).
    "referral_poll_agenda": at(["referral"], "C E M"),
    "restitution_poll_agenda": at(["restitution"], "A C K"),
}
COLUMN = {
    "A": "board_member",
    "S": "staff",
    "C": "coordinator",
    "E": "partner_state",
    "M": "partner_commune",
    "K": "consultant",
}


def expected_markers(stage: str, role: str) -> set[str]:
    return {
        name
        for name, stages in READERS.items()
        if any(COLUMN[column] == role for column in stages.get(stage, ()))
    }


def test_the_table_names_every_marker():
    assert set(READERS) == set(MARKERS)
    for stages in READERS.values():
        assert set(stages) <= set(CASE_STAGES)


def crawl_urls(planted) -> dict[str, str]:
    """Every GET address of the case: the matrix's pages and generated documents, plus each
    report version (page and PDF), each meeting's .ics and each action's page."""
    case = planted.case
    urls = case_urls(case, {})
    for version in planted.versions:
        kwargs = {"pk": case.pk, "number": version.number}
        urls[f"cases:report_version {version.number}"] = reverse(
            "cases:report_version", kwargs=kwargs
        )
        urls[f"documents:report_pdf {version.number}"] = reverse(
            "documents:report_pdf", kwargs=kwargs
        )
    for kind, meeting in planted.meetings.items():
        urls[f"meetings:meeting_ics {kind}"] = meeting_url(meeting)
    for action in planted.actions:
        urls[f"cases:action_update {action.pk}"] = reverse(
            "cases:action_update", kwargs={"pk": case.pk, "action_pk": action.pk}
        )
    return urls


@pytest.mark.parametrize("stage", CASE_STAGES)
def test_each_marker_is_read_exactly_by_its_audience(reference, stage):
    planted = build_planted(stage)
    clients = case_clients(planted.cast)
    urls = crawl_urls(planted)
    differences = {}
    for role in CASE_ROLES:
        found: dict[str, list[str]] = {}
        for label, url in urls.items():
            for name in markers_in(readable_text(clients[role].get(url))):
                found.setdefault(name, []).append(label)
        expected = expected_markers(stage, role)
        for name in sorted(set(found) - expected):
            differences[f"{role} lit {name}"] = found[name]
        for name in sorted(expected - set(found)):
            differences[f"{role} ne lit pas {name}"] = "nulle part"
    assert differences == {}
