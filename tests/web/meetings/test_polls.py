"""The date poll on the screens: proposing it, answering from the case page or the signed
link, the answers table and the pick button for the organiser."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import MeetingKind, Stage
from soutien.core.models import OutboxEmail
from soutien.meetings import services as meeting_services
from soutien.meetings.models import DatePollAnswer
from tests.web.cases.conftest import flash, html

pytestmark = pytest.mark.django_db

GUEST = "invitee@exterieur.test"


def _local(days: int, hour: int = 10) -> str:
    moment = timezone.localtime() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _poll(case, cast):
    starts = timezone.now() + dt.timedelta(days=8)
    return meeting_services.poll_propose(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        slots=[(starts, None), (starts + dt.timedelta(days=1), None)],
        attendees=[cast.partner_state, cast.partner_commune],
        external_emails=GUEST,
    )


def test_the_coordinator_proposes_slots_and_a_refused_form_keeps_what_was_typed(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    plan = html(client.get(reverse("meetings:meeting_create", args=[case.pk, "referral"])))
    url = reverse("meetings:poll_create", args=[case.pk, "referral"])
    assert url in plan  # offered beside the planning form
    data = {
        "slot_1_starts": _local(8),
        "place": "Caf, salle du conseil",
        "agenda": "Avis des partenaires",
        "attendees": [cast.partner_state.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = html(response)
    assert "Proposez au moins 2 créneaux, pour que chacun puisse choisir." in page
    assert 'id="creneaux-error"' in page  # beside the slots
    assert "Caf, salle du conseil" in page and _local(8) in page
    assert not case.date_polls.exists()

    response = client.post(url, {**data, "slot_2_starts": _local(9), "slot_2_ends": _local(9, 12)})
    assert response.status_code == 302
    poll = case.date_polls.get()
    assert [
        timezone.localtime(s.starts_at).strftime("%Y-%m-%dT%H:%M") for s in poll.slots.all()
    ] == [
        _local(8),
        _local(9),
    ]
    assert OutboxEmail.objects.filter(to=cast.partner_state.email.lower()).exists()


def test_an_invitee_answers_from_the_case_page_without_javascript(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    first, second = poll.slots.all()
    client.force_login(cast.partner_state)
    detail = reverse("cases:detail", args=[case.pk])
    page = html(client.get(detail))
    answer_url = reverse("meetings:poll_answer", args=[poll.pk])
    assert answer_url in page
    assert "Réponses au sondage" not in page  # the table is the organiser's
    # One slot left out: the form comes back with the error beside it and the other kept.
    response = client.post(answer_url, {f"slot_{first.pk}": "yes"})
    assert response.status_code == 200
    page = html(response)
    assert f'id="id_poll{poll.pk}_slot_{second.pk}_error"' in page
    assert "Choisissez une réponse pour ce créneau." in page
    assert f'value="yes" id="id_poll{poll.pk}_slot_{first.pk}_0" checked' in page
    assert not DatePollAnswer.objects.exists()

    response = client.post(answer_url, {f"slot_{first.pk}": "yes", f"slot_{second.pk}": "no"})
    assert response.status_code == 302
    assert response["Location"] == f"{detail}#sondage-{poll.pk}"
    assert flash(response) == ["Votre réponse est enregistrée."]
    assert set(DatePollAnswer.objects.values_list("slot_id", "answer")) == {
        (first.pk, "yes"),
        (second.pk, "no"),
    }


def test_an_answer_through_htmx_comes_back_as_the_poll_alone(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    client.force_login(cast.partner_state)
    response = client.post(
        reverse("meetings:poll_answer", args=[poll.pk]), {}, headers={"HX-Request": "true"}
    )
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page and f'id="sondage-{poll.pk}"' in page
    assert "Choisissez une réponse pour ce créneau." in page
    first, second = poll.slots.all()
    response = client.post(
        reverse("meetings:poll_answer", args=[poll.pk]),
        {f"slot_{first.pk}": "yes", f"slot_{second.pk}": "if_needed"},
        headers={"HX-Request": "true"},
    )
    page = html(response)
    assert "<html" not in page and "Votre réponse est enregistrée." in page
    assert f'value="if_needed" id="id_poll{poll.pk}_slot_{second.pk}_1" checked' in page
    assert DatePollAnswer.objects.count() == 2


def test_the_organiser_reads_the_answers_and_picks_a_slot(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    first, second = poll.slots.all()
    meeting_services.poll_answer(
        poll=poll, answers={first.pk: "no", second.pk: "yes"}, by=cast.partner_state
    )
    meeting_services.poll_answer(
        poll=poll, answers={first.pk: "yes", second.pk: "if_needed"}, email=GUEST
    )
    client.force_login(cast.coordinator)
    detail = reverse("cases:detail", args=[case.pk])
    page = html(client.get(detail))
    assert "Réponses au sondage" in page
    assert "<td>1 / 0</td><td>1 / 1</td>" in page  # yes / if needed, per slot
    assert "pas de réponse" in page  # the commune's representative has not answered
    pick = reverse("meetings:poll_pick", args=[poll.pk])
    assert pick in page
    OutboxEmail.objects.all().delete()
    response = client.post(pick, {"slot": second.pk})
    assert response.status_code == 302
    meeting = case.meetings.get()
    assert meeting.starts_at == second.starts_at
    assert OutboxEmail.objects.exclude(attachments=[]).count() == 3
    page = html(client.get(detail))
    assert pick not in page  # the poll is closed; the meeting is listed instead
    assert reverse("meetings:meeting_ics", args=[meeting.pk]) in page


@pytest.mark.parametrize("role", ["partner_state", "board_member", "partner_other_commune"])
def test_nobody_else_picks(client, case_at, role):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("meetings:poll_pick", args=[poll.pk]), {"slot": poll.slots.first().pk}
    )
    assert response.status_code == 404
    assert not case.meetings.exists()


def test_the_signed_link_lets_a_guest_answer_without_an_account(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    first, second = poll.slots.all()
    url = reverse(
        "meetings:poll_answer_link", args=[meeting_services.poll_answer_token(poll, GUEST)]
    )
    page = html(client.get(url))
    assert f"dossier {case.display_number}" in page
    response = client.post(url, {f"slot_{first.pk}": "if_needed", f"slot_{second.pk}": "yes"})
    assert response.status_code == 200
    assert "Merci, votre réponse est enregistrée." in html(response)
    assert set(DatePollAnswer.objects.values_list("email", "slot_id", "answer")) == {
        (GUEST, first.pk, "if_needed"),
        (GUEST, second.pk, "yes"),
    }
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )


def test_an_expired_or_foreign_link_opens_nothing(client, case_at, monkeypatch):
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    token = meeting_services.poll_answer_token(poll, GUEST)
    stranger = meeting_services.poll_answer_token(poll, "intrus@ailleurs.test")
    response = client.get(reverse("meetings:poll_answer_link", args=[stranger]))
    assert response.status_code == 404
    assert "Ce lien n'est plus valable" in html(response)
    signed_at = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: signed_at + 22 * 86400)
    response = client.post(
        reverse("meetings:poll_answer_link", args=[token]),
        {f"slot_{slot.pk}": "yes" for slot in poll.slots.all()},
    )
    assert response.status_code == 404
    assert not DatePollAnswer.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "partner_other_commune", "coordinator"])
def test_an_answer_for_a_poll_one_is_not_asked_is_a_404(client, case_at, role):
    """Outside the case, or not asked (the organiser included): the poll's id opens
    nothing and no answer is stored."""
    case, cast = case_at(Stage.REFERRAL)
    poll = _poll(case, cast)
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("meetings:poll_answer", args=[poll.pk]),
        {f"slot_{slot.pk}": "yes" for slot in poll.slots.all()},
    )
    assert response.status_code == 404
    assert not DatePollAnswer.objects.exists()


def test_the_case_page_reads_its_polls_in_constant_queries(client, case_at):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    detail = reverse("cases:detail", args=[case.pk])
    counts = []
    for _ in range(2):
        _poll(case, cast)
        client.get(detail)  # warm the caches (sessions, reference data)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
