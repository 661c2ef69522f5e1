"""In a browser: the coordinator proposes dates for the referral meeting, a guest answers
through the signed link of the email, a partner answers on the case page (htmx, the
refused answer comes back in place), the coordinator reads the table and picks a slot;
every page accessible (axe-core)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from soutien.cases.enums import Stage
from soutien.core.models import OutboxEmail
from soutien.meetings import services as meeting_services
from soutien.meetings.models import DatePoll, DatePollAnswer
from tests.browser.conftest import assert_accessible
from tests.browser.test_case_journey import session_for  # noqa: F401 - a fixture
from tests.builders import case_at

pytestmark = pytest.mark.django_db(transaction=True)

GUEST = "invitee@exterieur.test"


def _local(days: int, hour: int) -> str:
    moment = timezone.localtime() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def test_a_date_poll_from_proposal_to_the_planned_meeting(
    reference,
    session_for,  # noqa: F811 - the fixture imported above
    browser,
    live_server,
):
    case, cast = case_at(Stage.REFERRAL)
    coordinator = session_for(cast.coordinator.email)
    coordinator.goto(f"{coordinator.base_url}/dossiers/{case.pk}/reunions/nouvelle/referral/")
    coordinator.get_by_role("link", name=re.compile("Proposez plusieurs créneaux")).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Proposer des dates pour la réunion de saisine concertée"
    )
    assert_accessible(coordinator)
    coordinator.get_by_label("Créneau 1 : début").fill(_local(8, 10))
    coordinator.get_by_label("Créneau 2 : début").fill(_local(9, 14))
    coordinator.get_by_label("Lieu envisagé").fill("Caf, salle du conseil")
    coordinator.get_by_label(re.compile(cast.partner_state.get_full_name())).check()
    coordinator.get_by_label(re.compile("Invités extérieurs")).fill(GUEST)
    coordinator.get_by_role("button", name="Envoyer le sondage").click()
    expect(coordinator.get_by_text(re.compile("Le sondage est envoyé"))).to_be_visible()
    poll = DatePoll.objects.get()
    first, second = poll.slots.all()
    assert OutboxEmail.objects.filter(to=GUEST).exists()

    # The guest, without an account, answers through the personal link.
    context = browser.new_context(locale="fr-FR")
    guest = context.new_page()
    token = meeting_services.poll_answer_token(poll, GUEST)
    guest.goto(live_server.url + reverse("meetings:poll_answer_link", args=[token]))
    expect(guest.get_by_role("heading", level=1)).to_have_text("Sondage de dates")
    assert_accessible(guest)
    guest.get_by_role("group").nth(0).get_by_label("Oui").check()
    guest.get_by_role("group").nth(1).get_by_label("Si besoin").check()
    guest.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(guest.get_by_text("Merci, votre réponse est enregistrée.", exact=False)).to_be_visible()
    context.close()

    # The partner answers on the case page; the refused answer is swapped in place.
    partner = session_for(cast.partner_state.email)
    partner.goto(f"{partner.base_url}/dossiers/{case.pk}/#sondage-{poll.pk}")
    box = partner.locator(f"#sondage-{poll.pk}")
    box.get_by_role("group").first.get_by_label("Non").check()
    box.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(partner.locator(f"#sondage-{poll.pk}")).to_contain_text(
        "Choisissez une réponse pour ce créneau."
    )
    assert_accessible(partner)
    box = partner.locator(f"#sondage-{poll.pk}")
    expect(box.get_by_role("group").first.get_by_label("Non")).to_be_checked()  # kept
    box.get_by_role("group").nth(1).get_by_label("Oui").check()
    box.get_by_role("button", name="Enregistrer ma réponse").click()
    expect(partner.get_by_text("Votre réponse est enregistrée.", exact=True)).to_be_visible()
    assert DatePollAnswer.objects.count() == 4

    # The coordinator reads the table and picks the second slot.
    coordinator.goto(f"{coordinator.base_url}/dossiers/{case.pk}/")
    coordinator.reload()  # the same page as after the proposal: read it again
    table = coordinator.get_by_role("table", name=re.compile("Réponses au sondage"))
    expect(table).to_contain_text("Si besoin")
    assert_accessible(coordinator)
    coordinator.get_by_role("button", name=re.compile(r"Retenir le créneau")).nth(1).click()
    expect(coordinator.get_by_text(re.compile("Le créneau est retenu"))).to_be_visible()
    meeting = case.meetings.get()
    assert meeting.starts_at == second.starts_at != first.starts_at
    assert OutboxEmail.objects.exclude(attachments=[]).count() == 2
    assert coordinator.console_errors == [] and partner.console_errors == []
