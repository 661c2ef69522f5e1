"""A line break typed in a name (a person's, a centre's, an organisation's, a meeting
place) or in a subject never forges a line or a header in an email: where it is inserted
it becomes a space."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import MeetingKind, Stage
from soutien.core.outbox import outbox_enqueue
from soutien.core.text import one_line
from soutien.directory.models import Role
from soutien.meetings import services as meeting_services
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db

FORGED = "Bcc: espion@exemple.test"
TRAP = "Votre compte est bloqué : http://piege.example"


def lines(message) -> list[str]:
    return message.body.splitlines()


def assert_not_forged(message):
    """Nothing typed starts a line of the body, nor adds a header."""
    for line in lines(message):
        assert not line.startswith(("Bcc:", "Votre compte est bloqué"))
    headers = message.message()
    assert headers["Bcc"] is None and headers["Cc"] is None
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "espion@exemple.test" not in headers["To"]


def test_one_line_turns_every_line_break_into_a_space():
    assert one_line("Les\r\nAmandiers") == "Les Amandiers"
    assert one_line("a\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h") == "a b c d e f g h"
    assert one_line("  Centre \t social\r\n\r\n Nord ") == "Centre social Nord"
    assert one_line(None) == ""


def test_a_subject_with_a_line_break_stays_one_header(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [email] = outbox_enqueue(
            to=["a@exemple.test"], subject=f"Réunion\r\n{FORGED}\r\n\r\n{TRAP}", body="Texte"
        )
    assert email.subject == f"Réunion {FORGED} {TRAP}"
    [message] = mailoutbox
    assert_not_forged(message)
    assert lines(message) == ["Texte"]


def test_a_centre_name_with_line_breaks_stays_on_its_line(
    reference, mailoutbox, django_capture_on_commit_callbacks
):
    cast = make_cast()
    cast.centre.name = f"Les Amandiers\r\n{FORGED}\r\n\r\n{TRAP}"
    cast.centre.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        case, cast = case_at(Stage.SUBMITTED, cast)
    assert mailoutbox
    for message in mailoutbox:
        assert_not_forged(message)
        assert f"Dossier : {case.display_number} — Les Amandiers {FORGED} {TRAP}" in lines(message)


def test_a_person_name_with_line_breaks_stays_on_its_line(
    reference, mailoutbox, django_capture_on_commit_callbacks
):
    cast = make_cast()
    cast.consultant.first_name = f"Léa\r\n{TRAP}\n"
    cast.consultant.last_name = f"Roux\n{FORGED}"
    cast.consultant.save(update_fields=["first_name", "last_name"])
    with django_capture_on_commit_callbacks(execute=True):
        case_at(Stage.DIAGNOSTIC, cast)  # the consultant is designated on the way
    told = [m for m in mailoutbox if m.subject.endswith("Consultant désigné")]
    assert told
    for message in told:
        assert_not_forged(message)
        assert f"Léa {TRAP} Roux {FORGED} réalisera le diagnostic flash." in lines(message)


def test_a_meeting_place_with_line_breaks_stays_on_its_line(
    reference, mailoutbox, django_capture_on_commit_callbacks
):
    case, cast = case_at(Stage.REFERRAL)
    case.centre.name = f"Nord\r\n{FORGED}"
    case.centre.save(update_fields=["name"])
    starts = timezone.now() + dt.timedelta(days=10)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_plan(
            case=case,
            by=cast.coordinator,
            kind=MeetingKind.REFERRAL,
            attendees=[cast.partner_state],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place=f"Salle 3\r\n{TRAP}",
        )
    [message] = [m for m in mailoutbox if m.attachments]
    assert_not_forged(message)
    assert f"Lieu : Salle 3 {TRAP}" in lines(message)
    assert any(line.endswith(f"(Nord {FORGED})") for line in lines(message))


def test_an_account_request_with_line_breaks_in_its_names_forges_nothing(
    client, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    """The public form: anyone can type there, and the coordination reads the email."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("public:account_request"),
            {
                "first_name": f"Camille\r\n{TRAP}",
                "last_name": f"Martin\r\n{FORGED}",
                "email": "camille.martin@exemple.test",
                "organisation_name": f"Les Amandiers\r\n\r\n{TRAP}",
                "role": Role.BOARD_MEMBER,
                "message": "Présidente.",
            },
        )
    assert response.status_code == 302
    received, to_review = sorted(mailoutbox, key=lambda m: m.to[0] != "camille.martin@exemple.test")
    for message in (received, to_review):
        assert_not_forged(message)
    assert received.to == ["camille.martin@exemple.test"]
    assert f"Bonjour Camille {TRAP}," in lines(received)
    assert to_review.to == [coordinator.email]
    assert to_review.subject == f"Nouvelle demande de compte : Camille {TRAP} Martin {FORGED}"
    assert f"- Nom : Camille {TRAP} Martin {FORGED}" in lines(to_review)
    assert f"- Organisation ou centre : Les Amandiers {TRAP}" in lines(to_review)
