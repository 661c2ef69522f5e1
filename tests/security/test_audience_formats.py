"""One audience per thing, whatever the format: the page, the PDF and the .ics agree.

For every kind of document and meeting, every role of the permission matrix and every
stage, whoever reads a thing on the case page gets its PDF and its .ics, and whoever does
not, gets neither (404). The answers are compared with each other here; who exactly reads
what is written by hand in tests/security/test_marker_crawl.py.

The restitution PDF was once given to the partners although the page hid the
restitution from them: ``test_formats_agree`` at the support and closed stages fails
on it.
"""

import pytest
from django.urls import reverse

from soutien.cases.enums import MeetingKind
from soutien.cases.models import Decision
from tests.builders import case_at
from tests.security.audience import MARKERS, build_planted, meeting_url
from tests.security.test_permission_matrix import CASE_ROLES, CASE_STAGES, case_clients

pytestmark = pytest.mark.django_db

AGENDA = {
    MeetingKind.REFERRAL: "referral_agenda",
    MeetingKind.INTERVIEW: "interview_agenda",
    MeetingKind.PARTNER_MEETING: "partner_meeting_agenda",
    MeetingKind.SUPPORT_SESSION: "support_session_agenda",
}


@pytest.fixture
def cheap_pdfs(monkeypatch):
    """Only the answer (given or refused) matters here; the PDFs' content is read by the
    crawl. The stub is called after the permission check, so no answer changes."""
    from web.documents import views

    for name in ("render_form_pdf", "render_report_pdf", "render_restitution_pdf"):
        monkeypatch.setattr(views.pdf, name, lambda *args, **kwargs: b"%PDF-1.7")


def given(response) -> bool:
    assert response.status_code in (200, 302, 404), response.status_code
    return response.status_code == 200


def answers(client, planted) -> dict[str, dict[str, bool]]:
    """thing -> format -> does this client get it?"""
    case = planted.case
    page_response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    page = page_response.content.decode() if page_response.status_code == 200 else ""
    result = {
        "fiche": {
            "page": MARKERS["fiche"] in page,
            "pdf": given(client.get(reverse("documents:form_pdf", kwargs={"pk": case.pk}))),
        }
    }
    for version in planted.versions:
        kwargs = {"pk": case.pk, "number": version.number}
        result[f"rapport v{version.number}"] = {
            "page": given(client.get(reverse("cases:report_version", kwargs=kwargs))),
            "pdf": given(client.get(reverse("documents:report_pdf", kwargs=kwargs))),
        }
    for kind, meeting in planted.meetings.items():
        formats = {"ics": given(client.get(meeting_url(meeting)))}
        if kind == MeetingKind.RESTITUTION and meeting.summary:
            formats["page"] = MARKERS["restitution_summary"] in page
            formats["agenda"] = MARKERS["restitution_agenda"] in page
            formats["pdf"] = given(
                client.get(reverse("documents:restitution_pdf", kwargs={"pk": case.pk}))
            )
        elif kind == MeetingKind.RESTITUTION:
            formats["page"] = MARKERS["planned_restitution_agenda"] in page
        else:
            formats["page"] = MARKERS[AGENDA[kind]] in page
        result[f"réunion {kind}"] = formats
    return result


def disagreements(planted) -> tuple[dict, dict]:
    """(role and thing -> formats that disagree, thing -> roles that get it)."""
    clients = case_clients(planted.cast)
    wrong, readers = {}, {}
    for role in CASE_ROLES:
        for thing, formats in answers(clients[role], planted).items():
            if len(set(formats.values())) > 1:
                wrong[f"{role} — {thing}"] = formats
            if all(formats.values()):
                readers.setdefault(thing, set()).add(role)
    return wrong, readers


@pytest.mark.parametrize("stage", CASE_STAGES)
def test_formats_agree(reference, cheap_pdfs, stage):
    planted = build_planted(stage)
    wrong, readers = disagreements(planted)
    assert wrong == {}
    # Not a vacuous agreement: every thing of the stage has readers, the manager included
    # for all but the referral meeting (coordination and partners only).
    things = {"fiche", *(f"réunion {k}" for k in planted.meetings)}
    things |= {f"rapport v{v.number}" for v in planted.versions}
    assert set(readers) == things
    for thing, roles in readers.items():
        if thing == f"réunion {MeetingKind.REFERRAL}":
            assert roles == {"coordinator", "partner_state", "partner_commune"}
        elif thing == "rapport v1" and stage == "diagnostic":
            assert roles == {"consultant"}  # the version being written
        else:
            assert "board_member" in roles, thing


def test_formats_agree_for_people_invited_to_a_meeting(reference, cheap_pdfs):
    """A partner invited to the restitution and to an interview reads them in every
    format; the partner who was not invited reads them in none."""
    planted = build_planted("support")
    for kind in (MeetingKind.RESTITUTION, MeetingKind.INTERVIEW):
        planted.meetings[kind].attendees.add(planted.cast.partner_state)
    wrong, readers = disagreements(planted)
    assert wrong == {}
    for kind in (MeetingKind.RESTITUTION, MeetingKind.INTERVIEW):
        assert readers[f"réunion {kind}"] == {
            "board_member",
            "coordinator",
            "partner_state",
            "consultant",
        }


def test_the_decision_justification_is_read_by_coordination_and_partners_only(reference):
    """The justification (a decision taken before every opinion) may reveal the partners'
    opinions: the manager and the provider read the decision and its grounds only."""
    case, cast = case_at("diagnostic")
    Decision.objects.filter(case=case).update(grounds="Centre prioritaire du territoire.")
    clients = case_clients(cast)
    page = {
        role: clients[role].get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
        for role in (
            "board_member",
            "consultant",
            "coordinator",
            "partner_state",
            "partner_commune",
        )
    }
    justification = "Décidé en comité des financeurs."
    assert {role for role, text in page.items() if justification in text} == {
        "coordinator",
        "partner_state",
        "partner_commune",
    }
    assert all("Centre prioritaire du territoire." in text for text in page.values())
