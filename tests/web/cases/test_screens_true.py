"""The screens say what is true (issue #12, point 5)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from soutien.cases import services
from soutien.cases.enums import ActionStatus, MeetingKind, Stage
from soutien.cases.models import Meeting
from soutien.documents import pdf
from soutien.meetings import selectors as meeting_selectors
from soutien.meetings import services as meeting_services
from tests.builders import make_cast
from tests.web.cases.conftest import html

pytestmark = pytest.mark.django_db


def _detail(client, case) -> str:
    return html(client.get(reverse("cases:detail", args=[case.pk])))


# --- A past meeting offers neither invitations nor cancellation ---------------------------


def test_a_past_meeting_offers_no_invitation_and_no_cancellation(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    past = meeting_services.meeting_record(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        starts_at=timezone.now() - dt.timedelta(days=2),
        attendees=[cast.partner_state],
    )
    coming = meeting_services.meeting_plan(
        case=case,
        by=cast.coordinator,
        kind=MeetingKind.REFERRAL,
        starts_at=timezone.now() + dt.timedelta(days=5),
        attendees=[cast.partner_state],
    )
    client.force_login(cast.coordinator)
    page = _detail(client, case)

    assert reverse("meetings:meeting_invite", args=[past.pk]) not in page
    assert reverse("meetings:meeting_cancel", args=[past.pk]) not in page
    assert reverse("meetings:meeting_invite", args=[coming.pk]) in page
    assert reverse("meetings:meeting_cancel", args=[coming.pk]) in page

    # Posting anyway does nothing.
    assert client.post(reverse("meetings:meeting_invite", args=[past.pk])).status_code == 404
    assert client.post(reverse("meetings:meeting_cancel", args=[past.pk])).status_code == 404
    past.refresh_from_db()
    assert past.cancelled_at is None


# --- The restitution minutes list each attendee once --------------------------------------


def test_the_restitution_form_asks_for_each_person_present_once(client, case_at):
    case, cast = case_at(Stage.RESTITUTION)
    client.force_login(cast.consultant)
    form = client.get(reverse("cases:restitution", args=[case.pk])).context["form"]
    assert form.fields["attendees"].label == (
        "Personnes présentes ayant un compte sur la plateforme"
    )
    assert form.fields["attendees_text"].label == "Autres personnes présentes"
    assert "Inutile de répéter les personnes cochées" in form.fields["attendees_text"].help_text


def test_the_restitution_minutes_name_each_attendee_once(case_at):
    case, cast = case_at(Stage.RESTITUTION)
    cast.board_member.first_name, cast.board_member.last_name = "Monique", "Blanc"
    cast.board_member.save()
    # A restitution recorded with both fields, as the form allowed before.
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        attendees=[cast.board_member, cast.consultant],
        attendees_text="Monique Blanc, présidente\nLe directeur",
        summary="Présenté.",
    )

    people = pdf.restitution_attendees(Meeting.objects.get(kind=MeetingKind.RESTITUTION))
    consultant = cast.consultant.get_full_name() or cast.consultant.email
    assert people == ["Monique Blanc, présidente", "Le directeur", consultant]

    meeting = Meeting.objects.get(kind=MeetingKind.RESTITUTION)
    reader = PdfReader(io.BytesIO(pdf.render_restitution_pdf(meeting, viewer=cast.board_member)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert text.count("Monique Blanc") == 1


# --- The interview form offers the centre's employees ------------------------------------


def test_the_interview_form_offers_the_centre_employees(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)

    interview = client.get(
        reverse("meetings:meeting_create", args=[case.pk, MeetingKind.INTERVIEW])
    )

    offered = interview.context["form"].fields["attendees"].queryset
    assert cast.staff in offered and cast.board_member in offered
    # Other meetings stay among the manager, the Caf, the partners and the provider.
    assert cast.staff not in meeting_selectors.meeting_candidates(case)


# --- A closure with actions still « en cours » asks to confirm ---------------------------


def test_closing_with_an_action_in_progress_warns_and_asks_to_confirm(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    action = services.action_add(
        case=case, by=cast.consultant, title="Budget prévisionnel", owner="La trésorière"
    )
    services.action_update(action=action, by=cast.board_member, status=ActionStatus.IN_PROGRESS)
    client.force_login(cast.coordinator)
    url = reverse("cases:close", args=[case.pk])

    page = html(client.get(url))
    assert "Une action du plan est encore ouverte :" in page
    assert "Budget prévisionnel" in page

    response = client.post(url, {"outcome": "improved", "comment": "Bilan positif."})
    assert response.status_code == 200
    assert response.context["form"].errors["open_actions_confirmed"] == [
        "Une action du plan est encore ouverte (proposée, à démarrer, en cours ou reportée) : "
        "confirmez que vous clôturez quand même le dossier."
    ]
    assert "Bilan positif." in html(response)
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT

    response = client.post(
        url, {"outcome": "improved", "comment": "Bilan positif.", "open_actions_confirmed": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_closing_without_actions_in_progress_asks_nothing(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    action = services.action_add(case=case, by=cast.consultant, title="Fait", owner="Le bureau")
    services.action_update(action=action, by=cast.board_member, status=ActionStatus.DONE)
    client.force_login(cast.coordinator)
    url = reverse("cases:close", args=[case.pk])
    assert "encore ouverte" not in html(client.get(url))
    assert client.post(url, {"outcome": "improved"}).status_code == 302


# --- The consultant writing the report ---------------------------------------------------


def test_the_consultant_writing_the_report_is_not_told_nothing_is_accessible(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)

    for page in (_detail(client, case), html(client.get(reverse("cases:report", args=[case.pk])))):
        assert "ne vous est accessible" not in page
    assert "Vous rédigez le rapport" in _detail(client, case)

    client.force_login(cast.partner_state)  # a partner is still told the truth
    assert "Aucune version du rapport ne vous est accessible" in _detail(client, case)


# --- The stepper -------------------------------------------------------------------------


def _current_step(response) -> str:
    return next(s["label"] for s in response.context["steps"] if s["state"] == "current")


@pytest.mark.parametrize(
    ("stage", "current"),
    [
        (Stage.DRAFT, "Fiche d'information"),
        (Stage.SUBMITTED, "Fiche d'information"),
        (Stage.RETURNED, "Fiche d'information"),
        (Stage.REFERRAL, "Saisine concertée"),
        (Stage.REFUSED, "Saisine concertée"),
        (Stage.DIAGNOSTIC, "Diagnostic flash"),
    ],
)
def test_the_saisine_is_current_only_once_open(client, case_at, stage, current):
    case, cast = case_at(stage)
    client.force_login(cast.board_member)
    assert _current_step(client.get(reverse("cases:detail", args=[case.pk]))) == current


def test_a_request_withdrawn_before_the_saisine_stops_at_the_fiche(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    services.case_withdraw(case=case, by=cast.board_member, reason="Réglé entre-temps.")
    client.force_login(cast.board_member)
    assert _current_step(client.get(reverse("cases:detail", args=[case.pk]))) == (
        "Fiche d'information"
    )


# --- The history reads as past events ------------------------------------------------------


def test_the_history_reads_as_past_events(client, case_at):
    case, cast = case_at(Stage.RESTITUTION)
    client.force_login(cast.coordinator)
    history = _detail(client, case).split('id="historique"', 1)[1]
    for done in (
        "Fiche transmise",
        "Saisine concertée ouverte",
        "Demande validée",
        "Rapport transmis au gestionnaire",
        "Rapport validé",
    ):
        assert f'<span class="fw-semibold">{done}</span>' in history, done
    for button in ("Transmettre la fiche", "Valider la demande", "Valider le rapport"):
        assert f'<span class="fw-semibold">{button}</span>' not in history, button


def test_an_event_stored_with_the_button_label_reads_as_past(case_at):
    case, _cast = case_at(Stage.SUBMITTED)
    event = case.events.get(kind="submit")
    event.label = "Transmettre la fiche"  # as stored before the past-tense labels
    event.save(update_fields=["label"])
    assert case.events.get(kind="submit").history_label == "Fiche transmise"


# --- After a hand-over, the employee's box says so ---------------------------------------


def test_after_a_hand_over_the_employee_sees_to_whom_and_when(client, reference):
    cast = make_cast()
    cast.board_member.first_name, cast.board_member.last_name = "Monique", "Blanc"
    cast.board_member.save()
    case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    client.force_login(cast.staff)
    url = reverse("cases:form", args=[case.pk])
    assert "Brouillon confié" not in html(client.get(url))

    client.post(
        reverse("cases:transition", args=[case.pk, "hand_over"]), {"text": "Prête à relire."}
    )
    page = html(client.get(url))

    event = case.events.get(kind="hand_over")
    when = pdf.date_fr(event.created_at, with_time=True)
    assert f"Brouillon confié aux administrateurs le {when}" in page
    assert f"administrateurs bénévoles de {escape(case.manager.name)} : Monique Blanc" in page
    assert "Votre message : Prête à relire." in page
    assert "Vous pouvez préparer cette fiche, mais pas la transmettre." not in page
