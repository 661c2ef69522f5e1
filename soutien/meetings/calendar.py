"""iCalendar invitations for meetings (RFC 5545 / iTIP RFC 5546), built with icalendar.

One meeting keeps one UID for its whole life; each change raises SEQUENCE, so calendar
programs update the event instead of adding a second one; a cancellation is sent with
METHOD:CANCEL and STATUS:CANCELLED. Times are written in Europe/Paris with a VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from soutien.core import clock

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_DURATION = dt.timedelta(hours=2)
PRODID = "-//Soutien MSTR//Invitations//FR"


def meeting_uid(meeting) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "soutien.local"
    return f"reunion-{meeting.pk}@{host}"


def organiser_address() -> str:

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "ne-pas-repondre@soutien.local"


def meeting_title(meeting) -> str:
    case = meeting.case
    return f"{meeting.get_kind_display()} — dossier {case.display_number} ({case.centre.name})"


def meeting_description(meeting) -> str:
    lines = [meeting_title(meeting)]
    if meeting.agenda:
        lines += ["", "Ordre du jour :", meeting.agenda.strip()]
    if meeting.video_link:
        lines += ["", f"Visioconférence : {meeting.video_link}"]
    lines += [
        "",
        "Réunion confidentielle : ne transférez pas cette invitation.",
        f"Dossier : {settings.SITE_URL.rstrip('/')}"
        f"{reverse('cases:detail', args=[meeting.case_id])}",
    ]
    return "\n".join(lines)


def meeting_recipients(meeting) -> list[tuple[str, str]]:
    """(email, display name) of every attendee: platform users, then external guests."""
    seen: dict[str, str] = {}
    for user in meeting.attendees.all().order_by("pk"):
        if user.email and user.is_active:
            seen.setdefault(user.email.strip().lower(), user.get_full_name() or user.email)
    for address in external_addresses(meeting.external_emails):
        seen.setdefault(address, "")
    return list(seen.items())


def external_addresses(text: str) -> list[str]:
    """Addresses typed one per line or separated by commas or semicolons (checked)."""

    addresses = []
    for raw in (text or "").replace(";", ",").replace("\n", ",").split(","):
        address = raw.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            continue
        addresses.append(address)
    return addresses


def build_ics(meeting, *, cancel: bool = False) -> bytes:
    """The iCalendar object for `meeting` (METHOD:REQUEST, or CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    starts = timezone.localtime(meeting.starts_at, PARIS)
    ends = (
        timezone.localtime(meeting.ends_at, PARIS) if meeting.ends_at else starts + DEFAULT_DURATION
    )
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", clock.now().astimezone(dt.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting_title(meeting))
    event.add("description", meeting_description(meeting))
    location = meeting.place or meeting.video_link
    if location:
        event.add("location", location)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("class", "CONFIDENTIAL")
    event.add("transp", "OPAQUE")
    organiser = vCalAddress(f"mailto:{organiser_address()}")
    organiser.params["cn"] = vText("Soutien — MSTR")
    event.add("organizer", organiser)
    for email, name in meeting_recipients(meeting):
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
