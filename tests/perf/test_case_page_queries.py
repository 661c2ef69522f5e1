"""Issue #15: the case page reads a small number of queries, the same for each role at
each stage whatever the number of cases and whatever the case holds (documents,
meetings and date polls, findings, actions and their notes, messages and notes with
their attachments, the attached self-check, the follow-up questionnaires).

Counted: the statements sent to the database, savepoints aside (the test's transaction
makes each ``atomic`` block a savepoint; in production they are not sent). Each role
opens a case of every stage whose panels are all populated (tests/perf/casepage_data.py),
then two more such cases per stage are added and the shown case gets more rows in every
panel: the count must not move, and must stay under CASE_PAGE_MAX. On failure, the
message lists every statement with the template line or the code that sent it.
"""

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import ActionStatus, Channel, MeetingKind, Stage
from soutien.documents import services as document_services
from soutien.meetings import services as meeting_services
from soutien.selfcheck.defaults import load_selfcheck_defaults
from tests.perf.casepage_data import STAGES, full_case, later, pdf, traced_get
from tests.perf.test_query_counts import FEDERATION, ROLES, clients, demo_casts

pytestmark = pytest.mark.django_db

# The most any role sends on the case page (the coordination at the support stage, with
# a date poll open; docs/performance-casepage.md lists them): it was 32 before the page
# read each kind of thing once, 27 before the reference data was kept in the process,
# the audit entry took two statements, the user came with their memberships and the
# meetings and polls were read together. Six are the same on every case view whatever
# it holds: the session, the user with their memberships, the second factor, the case,
# and the audit entry (lock and read the case's chain, insert). The visit's upsert comes
# on top only when the case changed since the person's last visit
# (tests/cases/test_visit_writes.py); here each count follows a first visit.
CASE_PAGE_MAX = 19

PARTNERS = {
    "etat@partenaires.demo",
    "region@partenaires.demo",
    "departement@partenaires.demo",
    "marseille@partenaires.demo",
}
CENTRE = {"coordination@caf13.demo", "administrateur@centre.demo", "salarie@centre.demo"}
# Who gets the page at each stage (the others get a 404, counted as well).
OPENS = {
    Stage.SUBMITTED: CENTRE | {FEDERATION},
    Stage.REFERRAL: CENTRE | {FEDERATION} | PARTNERS,
    Stage.DIAGNOSTIC: CENTRE | {FEDERATION} | PARTNERS | {"consultant@prestataire.demo"},
    Stage.REPORT_REVIEW: CENTRE | {FEDERATION} | PARTNERS | {"consultant@prestataire.demo"},
    Stage.SUPPORT: CENTRE | {FEDERATION} | PARTNERS | {"consultant@prestataire.demo"},
    Stage.CLOSED: CENTRE | {FEDERATION} | PARTNERS | {"consultant@prestataire.demo"},
}


def more_rows(case, cast) -> None:
    """One more row in each panel the case's stage allows."""
    document_services.document_upload(
        case=case, by=cast.board_member, attach_to="case", uploaded=pdf("encore.pdf")
    )
    document_services.message_post_with_files(
        case=case,
        by=cast.coordinator,
        channel=Channel.MESSAGE,
        body="Encore un message.",
        files=[pdf("encore-piece.pdf")],
    )
    if case.stage == Stage.SUPPORT:
        action = services.action_add(
            case=case, by=cast.board_member, title="Encore une action", owner="Le directeur"
        )
        services.action_update(
            action=action, by=cast.board_member, status=ActionStatus.IN_PROGRESS, note="Vu."
        )
        meeting_services.meeting_plan(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.PARTNER_MEETING,
            starts_at=later(12),
            attendees=[cast.partner_commune],
        )


def listing(rows) -> str:
    return "\n".join(f"  {origin}  |  {sql[:90]}" for sql, origin in rows)


@pytest.mark.parametrize("stage", STAGES)
def test_case_page_reads_few_queries_whatever_the_role_the_stage_and_the_data(demo, stage):
    load_selfcheck_defaults()
    association, federation = demo_casts()
    shown = {
        "association": full_case(stage, association),
        "federation": full_case(stage, federation),
    }

    def url_for(email):
        case = shown["federation" if email == FEDERATION else "association"]
        return reverse("cases:detail", args=[case.pk])

    logged_in = clients()
    small = {email: traced_get(client, url_for(email)) for email, client in logged_in.items()}
    for cast in (association, federation):
        full_case(stage, cast)
        full_case(stage, cast)
    more_rows(shown["association"], association)
    more_rows(shown["federation"], federation)
    large = {email: traced_get(client, url_for(email)) for email, client in logged_in.items()}

    statuses = {email: status for email, (status, _) in large.items()}
    assert statuses == {email: 200 if email in OPENS[stage] else 404 for email in ROLES}
    grown = [
        f"{email}: {len(small[email][1])} → {len(rows)} requêtes\n{listing(rows)}"
        for email, (_, rows) in large.items()
        if len(rows) != len(small[email][1])
    ]
    assert not grown, "Le nombre de requêtes dépend des données :\n" + "\n".join(grown)
    too_many = [
        f"{email}: {len(rows)} requêtes\n{listing(rows)}"
        for email, (_, rows) in large.items()
        if len(rows) > CASE_PAGE_MAX
    ]
    assert not too_many, f"Plus de {CASE_PAGE_MAX} requêtes :\n" + "\n".join(too_many)
