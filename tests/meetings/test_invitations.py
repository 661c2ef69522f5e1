"""Meeting invitations: one email per attendee with an .ics that calendars understand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from soutien.cases.enums import MeetingKind, Stage
from soutien.cases.services import NotPermitted
from soutien.core.models import OutboxEmail
from soutien.core.outbox import outbox_send
from soutien.meetings import services as meeting_services
from tests.builders import case_at

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _plan(case, cast, **extra):
    starts = (timezone.now() + dt.timedelta(days=10)).astimezone(PARIS)
    starts = starts.replace(hour=14, minute=30, second=0, microsecond=0)
    fields = {
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=1, minutes=30),
        "place": "Caf des Bouches-du-Rhône, salle 3",
        "agenda": "Présentation de la fiche ; avis des partenaires.",
        "external_emails": "Invitee@Exterieur.test\nce n'est pas une adresse",
    }
    fields.update(extra)
    return meeting_services.meeting_plan(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        attendees=[cast.partner_state, cast.partner_commune],
        **fields,
    )


def _calendars(to=None):
    emails = OutboxEmail.objects.exclude(attachments=[]).order_by("pk")
    if to:
        emails = emails.filter(to=to)
    result = []
    for email in emails:
        (attachment,) = email.attachments
        result.append((email, attachment, Calendar.from_ical(attachment["content"])))
    return result


def _event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_planning_sends_one_invitation_per_attendee_with_the_ics(reference):
    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    meeting = _plan(case, cast)
    emails = _calendars()
    recipients = sorted(email.to for email, _, _ in emails)
    assert recipients == sorted(
        [
            cast.partner_state.email.lower(),
            cast.partner_commune.email.lower(),
            "invitee@exterieur.test",
        ]  # fmt: skip
    )
    email, attachment, calendar = emails[0]
    assert attachment["mimetype"].startswith("text/calendar; method=REQUEST")
    assert calendar["METHOD"] == "REQUEST"
    event = _event(calendar)
    attendees = sorted(str(a).removeprefix("mailto:") for a in event["ATTENDEE"])
    assert attendees == recipients
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == meeting.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].dt.hour == 14 and event["DTSTART"].dt.minute == 30
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert case.number in str(event["SUMMARY"])
    assert "Présentation de la fiche" in str(event["DESCRIPTION"])


def test_the_ics_really_goes_out_as_a_calendar_attachment(reference):
    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    _plan(case, cast)
    email = OutboxEmail.objects.first()
    mail.outbox.clear()
    assert outbox_send(email)
    (sent,) = mail.outbox
    message = sent.message()
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "REQUEST"
    assert b"BEGIN:VCALENDAR" in parts[0].get_payload(decode=True)


def test_a_change_keeps_the_uid_and_raises_the_sequence(reference):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast)
    first_uid = _event(_calendars()[0][2])["UID"]
    OutboxEmail.objects.all().delete()
    later = meeting.starts_at + dt.timedelta(days=1)
    meeting_services.meeting_reschedule(
        meeting=meeting, by=cast.coordinator, starts_at=later, ends_at=later + dt.timedelta(hours=1)
    )
    emails = _calendars()
    assert len(emails) == 3
    for _, _, calendar in emails:
        event = _event(calendar)
        assert event["UID"] == first_uid
        assert event["SEQUENCE"] == 1
        assert event["DTSTART"].dt == later
    OutboxEmail.objects.all().delete()
    meeting_services.meeting_reschedule(
        meeting=meeting, by=cast.coordinator, place="En visioconférence"
    )
    assert {_event(c)["SEQUENCE"] for _, _, c in _calendars()} == {2}


def test_someone_removed_from_the_meeting_gets_a_cancellation(reference):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast)
    OutboxEmail.objects.all().delete()
    meeting_services.meeting_reschedule(
        meeting=meeting, by=cast.coordinator, attendees=[cast.partner_state]
    )
    (_, _, calendar), = _calendars(to=cast.partner_commune.email.lower())  # fmt: skip
    assert calendar["METHOD"] == "CANCEL"
    (_, _, calendar), = _calendars(to=cast.partner_state.email.lower())  # fmt: skip
    assert calendar["METHOD"] == "REQUEST"


def test_cancelling_sends_method_cancel_with_the_same_uid(reference):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast)
    uid = _event(_calendars()[0][2])["UID"]
    OutboxEmail.objects.all().delete()
    meeting_services.meeting_cancel(meeting=meeting, by=cast.coordinator)
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    emails = _calendars()
    assert len(emails) == 3
    for _, attachment, calendar in emails:
        assert attachment["mimetype"].startswith("text/calendar; method=CANCEL")
        assert calendar["METHOD"] == "CANCEL"
        event = _event(calendar)
        assert event["UID"] == uid
        assert event["STATUS"] == "CANCELLED"
        assert event["SEQUENCE"] == 1


def test_a_past_meeting_cannot_be_planned_and_nothing_is_sent(reference):
    """A past meeting is recorded (services.meeting_record), never planned with invitations."""
    from soutien.cases.services import CaseError

    case, cast = case_at(Stage.REFERRAL)
    OutboxEmail.objects.all().delete()
    with pytest.raises(CaseError, match="date future"):
        _plan(case, cast, starts_at=timezone.now() - dt.timedelta(days=1), ends_at=None)
    assert not OutboxEmail.objects.exists()
    assert not case.meetings.exists()


def test_only_the_organiser_or_the_coordination_changes_a_meeting(reference):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast)
    with pytest.raises(NotPermitted):
        meeting_services.meeting_cancel(meeting=meeting, by=cast.partner_state)
    with pytest.raises(NotPermitted):
        meeting_services.meeting_reschedule(meeting=meeting, by=cast.board_member, place="Ailleurs")


def test_ics_download_and_views(client, reference):
    case, cast = case_at(Stage.REFERRAL)
    meeting = _plan(case, cast)
    client.force_login(cast.partner_state)
    response = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert _event(Calendar.from_ical(response.content))["SEQUENCE"] == 0
    # the referral meeting is for the coordination and the partners, not the manager
    client.force_login(cast.board_member)
    assert client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).status_code == 404

    client.force_login(cast.coordinator)
    OutboxEmail.objects.all().delete()
    response = client.post(
        reverse("meetings:meeting_reschedule", args=[meeting.pk]), {"place": "Mairie"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Mairie" and meeting.sequence == 1
    assert OutboxEmail.objects.count() == 3
    client.post(reverse("meetings:meeting_invite", args=[meeting.pk]))
    assert OutboxEmail.objects.count() == 6
    client.post(reverse("meetings:meeting_cancel", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
