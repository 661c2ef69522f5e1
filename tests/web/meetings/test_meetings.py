"""Meetings on the case pages: planning with invitations, recording, rescheduling,
cancelling, who manages them; satisfaction answers on the case page."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from soutien.cases import policies, services
from soutien.cases.enums import MeetingKind, Stage
from soutien.core.models import OutboxEmail
from soutien.meetings import selectors as meeting_selectors
from soutien.meetings import services as meeting_services
from tests.web.cases.conftest import html

pytestmark = pytest.mark.django_db


def _local(delta: dt.timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def _plan(case, by, kind=MeetingKind.REFERRAL, attendees=(), **extra):
    starts = timezone.now() + dt.timedelta(days=7)
    fields = {"starts_at": starts, "place": "Caf, salle 3", **extra}
    return meeting_services.meeting_plan(case=case, by=by, kind=kind, attendees=attendees, **fields)


def _calendar_emails():
    return list(OutboxEmail.objects.exclude(attachments=[]).order_by("pk"))


def test_planning_sends_one_email_per_attendee_with_a_calendar_attachment(
    client, case_at, django_capture_on_commit_callbacks
):
    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    client.force_login(cast.coordinator)
    url = reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL])
    page = html(client.get(url))
    assert "Planifier et envoyer les invitations" in page
    assert "Consigner une réunion passée" in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url,
            {
                "mode": "plan",
                "starts_at": _local(dt.timedelta(days=10)),
                "ends_at": _local(dt.timedelta(days=10, hours=2)),
                "place": "Caf des Bouches-du-Rhône",
                "video_link": "https://visio.example.test/saisine",
                "agenda": "Avis des partenaires",
                "attendees": [cast.partner_state.pk, cast.partner_commune.pk],
                "external_emails": "Invite@Exterieur.test",
            },
        )
    assert response.status_code == 302
    assert response.url.endswith("#reunions")
    meeting = case.meetings.get()
    assert meeting.video_link == "https://visio.example.test/saisine"
    assert meeting.agenda == "Avis des partenaires"
    assert meeting.ends_at > meeting.starts_at
    assert set(meeting.attendees.all()) == {cast.partner_state, cast.partner_commune}
    emails = _calendar_emails()
    assert sorted(email.to for email in emails) == sorted(
        [
            cast.partner_state.email.lower(),
            cast.partner_commune.email.lower(),
            "invite@exterieur.test",
        ]
    )
    for email in emails:
        (attachment,) = email.attachments
        assert attachment["mimetype"].startswith("text/calendar; method=REQUEST")
        assert "BEGIN:VCALENDAR" in attachment["content"]
    assert len(callbacks) >= 3
    sent = [m for m in mail.outbox if m.attachments]
    assert len(sent) == 3


def test_a_past_meeting_is_recorded_without_invitation(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL]),
        {
            "mode": "record",
            "starts_at": _local(-dt.timedelta(days=3)),
            "attendees": [cast.partner_state.pk],
            "summary": "Accord de principe",
        },
    )
    assert response.status_code == 302
    assert case.meetings.get().summary == "Accord de principe"
    assert _calendar_emails() == []


def test_planning_in_the_past_is_refused_beside_the_date_and_keeps_the_fields(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL]),
        {
            "mode": "plan",
            "starts_at": "2020-01-06T10:00",
            "place": "Salle du conseil",
            "agenda": "Ordre du jour gardé",
            "attendees": [cast.partner_state.pk],
        },
    )
    assert response.status_code == 200
    assert "Cette date est passée" in response.context["form"].errors["starts_at"][0]
    page = html(response)
    assert 'id="id_starts_at_error"' in page
    assert "Ordre du jour gardé" in page
    assert 'value="Salle du conseil"' in page
    assert 'value="2020-01-06T10:00"' in page
    assert not case.meetings.exists()


def test_a_bad_external_email_is_refused_beside_the_field(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL]),
        {
            "mode": "plan",
            "starts_at": _local(dt.timedelta(days=5)),
            "external_emails": "bon@exemple.test\npas-une-adresse",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["external_emails"]
    assert errors == ["« pas-une-adresse » n'est pas une adresse électronique valide."]
    page = html(response)
    assert 'id="id_external_emails_error"' in page
    assert "bon@exemple.test\npas-une-adresse" in page
    assert not case.meetings.exists()


def test_the_end_must_follow_the_start_and_attendees_come_from_the_case(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.REFERRAL]),
        {
            "mode": "plan",
            "starts_at": _local(dt.timedelta(days=5, hours=2)),
            "ends_at": _local(dt.timedelta(days=5)),
            "attendees": [cast.outsider.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["ends_at"] == ["L'heure de fin doit suivre le début de la réunion."]
    assert "attendees" in errors
    assert not case.meetings.exists()


def test_meeting_candidates_are_the_people_of_the_case_in_one_query(case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    with CaptureQueriesContext(connection) as queries:
        candidates = list(meeting_selectors.meeting_candidates(case))
    assert len(queries) == 1
    assert set(candidates) == {
        cast.board_member,
        cast.coordinator,
        cast.partner_state,
        cast.partner_commune,
        cast.consultant,
    }
    assert all(user.organisation_name for user in candidates)


def test_reschedule_raises_the_sequence_and_cancel_shows_annulee(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast.coordinator, attendees=[cast.partner_state])
    client.force_login(cast.coordinator)
    detail = reverse("cases:detail", args=[case.pk])
    page = html(client.get(detail))
    # The reschedule form is prefilled in the format the documents view reads.
    starts = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{starts}"' in page
    assert reverse("meetings:meeting_reschedule", args=[meeting.pk]) in page
    new_start = _local(dt.timedelta(days=12))
    response = client.post(
        reverse("meetings:meeting_reschedule", args=[meeting.pk]),
        {
            "starts_at": new_start,
            "ends_at": "",
            "place": "Mairie de secteur",
            "video_link": "",
            "agenda": "Nouvel ordre du jour",
            "external_emails": "",
            "next": detail + "#reunions",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.place == "Mairie de secteur"
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M") == new_start
    assert "Modifiée" in html(client.get(detail))

    response = client.post(reverse("meetings:meeting_cancel", args=[meeting.pk]), {"next": detail})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    page = html(client.get(detail))
    assert "Annulée" in page
    assert reverse("meetings:meeting_ics", args=[meeting.pk]) in page
    # Nothing left to manage on a cancelled meeting.
    assert reverse("meetings:meeting_cancel", args=[meeting.pk]) not in page


def _reschedule_fields(detail, **overrides):
    return {
        "starts_at": _local(dt.timedelta(days=12)),
        "ends_at": "",
        "place": "Mairie de secteur",
        "video_link": "",
        "agenda": "Ordre du jour retravaillé",
        "external_emails": "",
        "next": detail + "#reunions",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"video_link": "pas un lien"}, "video_link", "URL valide"),  # the form refuses it
        (  # the service refuses it
            {"starts_at": _local(dt.timedelta(days=12)), "ends_at": _local(dt.timedelta(days=11))},
            "ends_at",
            "La fin doit suivre le début de la réunion.",
        ),
    ],
)
def test_a_refused_change_shows_its_error_beside_the_field_and_keeps_the_input(
    client, case_at, overrides, field, message
):
    """Without JavaScript the refused form comes back on a page of its own (no session
    carrying, no redirect); with htmx only the form comes back, swapped in place."""
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast.coordinator, attendees=[cast.partner_state])
    client.force_login(cast.coordinator)
    detail = reverse("cases:detail", args=[case.pk])
    url = reverse("meetings:meeting_reschedule", args=[meeting.pk])
    for headers, whole_page in (({}, True), ({"HX-Request": "true"}, False)):
        response = client.post(url, _reschedule_fields(detail, **overrides), headers=headers)
        assert response.status_code == 200
        meeting.refresh_from_db()
        assert meeting.sequence == 0 and meeting.place == "Caf, salle 3"  # nothing changed
        page = html(response)
        assert "pas été modifiée : corrigez les champs signalés" in page
        error_id = f"id_meeting{meeting.pk}_{field}_error"
        assert f'id="{error_id}"' in page and message in page
        assert 'aria-invalid="true"' in page
        assert "Ordre du jour retravaillé" in page and "Mairie de secteur" in page
        assert ("<html" in page) is whole_page
        assert f'hx-post="{url}"' in page
    # Nothing kept for later: the case page shows the meeting as it is.
    page = html(client.get(detail))
    assert "Ordre du jour retravaillé" not in page


def test_an_accepted_change_through_htmx_reloads_the_case_page(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast.coordinator, attendees=[cast.partner_state])
    client.force_login(cast.coordinator)
    detail = reverse("cases:detail", args=[case.pk])
    response = client.post(
        reverse("meetings:meeting_reschedule", args=[meeting.pk]),
        _reschedule_fields(detail),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"  # the meeting's new date shows everywhere
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.place == "Mairie de secteur"


@pytest.mark.parametrize(
    ("role", "sees", "manages"),
    [
        ("consultant", True, True),  # planned it
        ("coordinator", True, True),
        ("board_member", True, False),
        ("partner_state", True, False),  # invited
        ("partner_commune", False, False),  # an interview is not for the partners
        ("other_consultant", False, False),
    ],
)
def test_who_sees_and_manages_a_meeting(client, case_at, role, sees, manages):
    case, cast = case_at(Stage.DIAGNOSTIC)
    meeting = _plan(
        case, cast.consultant, kind=MeetingKind.INTERVIEW, attendees=[cast.partner_state]
    )
    client.force_login(getattr(cast, role))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if role == "other_consultant":
        assert response.status_code == 404
        return
    page = html(response)
    assert (reverse("meetings:meeting_ics", args=[meeting.pk]) in page) is sees
    for name in ("meeting_invite", "meeting_reschedule", "meeting_cancel"):
        assert (reverse(f"meetings:{name}", args=[meeting.pk]) in page) is manages


def test_an_invited_manager_sees_the_referral_meeting(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    _plan(case, cast.coordinator, attendees=[cast.board_member], agenda="Présentation du centre")
    client.force_login(cast.board_member)
    assert "Présentation du centre" in html(client.get(reverse("cases:detail", args=[case.pk])))
    client.force_login(cast.staff)
    # The association's employee does not see the case, invited or not.
    assert "Présentation du centre" not in html(client.get(reverse("cases:detail", args=[case.pk])))


def test_case_page_queries_do_not_grow_with_meetings(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    people = [cast.partner_state, cast.partner_commune, cast.board_member]
    _plan(case, cast.coordinator, attendees=people)
    client.force_login(cast.coordinator)
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        _plan(case, cast.coordinator, attendees=people, external_emails="a@b.test")
    client.get(url)  # the visit is written again once, as the case has changed since
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(response.context["meetings"]) == 4
    assert len(four) == len(one)


def test_restitution_is_planned_with_invitations_then_recorded_with_rich_fields(client, case_at):
    case, cast = case_at(Stage.RESTITUTION)
    OutboxEmail.objects.all().delete()
    client.force_login(cast.consultant)
    detail = html(client.get(reverse("cases:detail", args=[case.pk])))
    plan_url = reverse("meetings:meeting_create", args=[case.pk, MeetingKind.RESTITUTION])
    assert plan_url in detail
    response = client.post(
        plan_url,
        {"starts_at": _local(dt.timedelta(days=4)), "attendees": [cast.board_member.pk]},
    )
    assert response.status_code == 302
    assert [e.to for e in _calendar_emails()] == [cast.board_member.email.lower()]
    OutboxEmail.objects.all().delete()

    response = client.post(
        reverse("cases:restitution", args=[case.pk]),
        {
            "starts_at": _local(-dt.timedelta(hours=3)),
            "ends_at": _local(-dt.timedelta(hours=1)),
            "video_link": "https://visio.example.test/restitution",
            "agenda": "Présentation du diagnostic",
            "attendees": [cast.board_member.pk, cast.coordinator.pk],
            "external_emails": "tresoriere@centre.test",
            "summary": "Diagnostic présenté au bureau.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT
    recorded = case.meetings.get(kind=MeetingKind.RESTITUTION, summary__gt="")
    assert recorded.agenda == "Présentation du diagnostic"
    assert recorded.external_emails == "tresoriere@centre.test"
    assert set(recorded.attendees.all()) == {cast.board_member, cast.coordinator}
    assert _calendar_emails() == []  # recorded after the fact: no invitation


# --- Satisfaction -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("coordinator", True),
        ("board_member", True),
        ("partner_state", False),
        ("consultant", False),
        ("evaluator", False),
    ],
)
def test_satisfaction_answers_on_the_case_page(client, case_at, role, sees):
    case, cast = case_at(Stage.CLOSED)
    services.satisfaction_answer(
        case=case,
        by=cast.board_member,
        usefulness=4,
        listening=5,
        ownership=3,
        would_recommend=True,
        comment="Une aide précieuse pour le bureau.",
    )
    user = getattr(cast, role)
    assert policies.can_view_satisfaction(user, case) is sees
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if role == "evaluator":
        assert response.status_code == 404
        return
    page = html(response)
    assert ("Une aide précieuse pour le bureau." in page) is sees
    assert ('id="satisfaction-titre"' in page) is sees
