"""The fiche d'information: drafts, submission, hand-over, errors."""

import pytest
from django.urls import reverse

from soutien.cases.enums import Stage
from soutien.cases.models import Case
from soutien.directory.models import Domain, WarningSign
from tests.builders import make_cast
from tests.web.cases.conftest import flash, html

pytestmark = pytest.mark.django_db


def complete_data(case, **overrides):
    data = {
        "version": case.version,
        "requester_name": "Monique Blanc",
        "requester_function": "Présidente",
        "requester_phone": "04 91 00 00 00",
        "requester_email": "presidente@centre.test",
        "situation": "crisis",
        "warning_signs": [WarningSign.objects.first().pk],
        "domains": [Domain.objects.first().pk],
        "description": "Trésorerie très basse.",
        "previous_attempts": "",
        "expectations": "Un regard extérieur.",
        "availability": "Les mardis.",
        "confidentiality_ack": "on",
        "cooperation_ack": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_board_member_creates_a_draft_for_their_centre(client, reference):
    cast = make_cast()
    client.force_login(cast.board_member)
    response = client.get(reverse("cases:create"))
    assert response.status_code == 200
    response = client.post(reverse("cases:create"), {"centre": cast.centre.pk})
    case = Case.objects.get(centre=cast.centre)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:form", args=[case.pk])
    assert case.stage == Stage.DRAFT


def test_cannot_create_for_a_centre_of_someone_else(client, reference):
    cast = make_cast()
    other = make_cast()
    client.force_login(cast.board_member)
    response = client.post(reverse("cases:create"), {"centre": other.centre.pk})
    assert response.status_code == 200
    assert "centre" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_draft_saves_with_every_field_empty(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = client.post(
        reverse("cases:form", args=[case.pk]), {"version": case.version, "action": "save"}
    )
    assert response.status_code == 302
    assert "Le brouillon est enregistré." in flash(response)
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT
    assert case.form.requester_name == ""


def test_incomplete_submission_shows_each_missing_field_and_keeps_what_was_typed(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(
        case, description="", confidentiality_ack=None, requester_name="Jeanne Typée"
    )
    response = client.post(reverse("cases:form", args=[case.pk]), {**data, "action": "submit"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["description"] == ["Décrivez la situation du centre."]
    assert "confidentialité" in form.errors["confidentiality_ack"][0]
    assert "Jeanne Typée" in html(response)
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT
    # The draft itself was saved, and the redisplayed form carries the new version.
    assert case.form.requester_name == "Jeanne Typée"
    assert form["version"].value() == str(case.version)


def test_complete_submission_gives_a_number_and_a_double_post_changes_nothing(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = {**complete_data(case), "action": "submit"}
    response = client.post(reverse("cases:form", args=[case.pk]), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
    assert case.number.startswith("MSTR-")
    events = case.events.count()

    response = client.post(reverse("cases:form", args=[case.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Action déjà effectuée." in html(response)
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
    assert case.events.count() == events


def test_a_stale_form_is_refused_and_nothing_is_overwritten(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    stale = case.version
    client.post(
        reverse("cases:form", args=[case.pk]),
        complete_data(case, requester_name="Première version", action="save"),
    )
    response = client.post(
        reverse("cases:form", args=[case.pk]),
        complete_data(case, version=stale, requester_name="Seconde version", action="save"),
    )
    assert response.status_code == 200
    assert "modifié par quelqu'un d'autre" in response.context["form"].non_field_errors()[0]
    assert "Seconde version" in html(response)  # what was typed stays on screen
    case.form.refresh_from_db()
    assert case.form.requester_name == "Première version"


def test_invalid_email_keeps_everything_typed(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = client.post(
        reverse("cases:form", args=[case.pk]),
        complete_data(case, requester_email="pas-une-adresse", description="Texte gardé"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["requester_email"]
    assert "Texte gardé" in html(response)


def test_staff_prepares_a_draft_but_cannot_submit_and_hands_it_over(client, reference):
    from soutien.cases import services

    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    client.force_login(cast.staff)
    response = client.get(reverse("cases:form", args=[case.pk]))
    page = html(response)
    assert response.status_code == 200
    assert "Vous pouvez préparer cette fiche, mais pas la transmettre." in page
    assert 'value="submit"' not in page
    assert reverse("cases:transition", args=[case.pk, "hand_over"]) in page

    response = client.post(
        reverse("cases:form", args=[case.pk]), {**complete_data(case), "action": "submit"}
    )
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT
    assert "Vous n'avez pas le droit de faire cette action." in flash(response)

    response = client.post(
        reverse("cases:transition", args=[case.pk, "hand_over"]), {"text": "Prête à relire."}
    )
    assert response.status_code == 302
    assert case.events.filter(kind="hand_over", comment="Prête à relire.").exists()


def test_submit_from_the_action_url_with_a_missing_field_points_to_the_form(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = client.post(reverse("cases:transition", args=[case.pk, "submit"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:form", args=[case.pk]) + "?verifier=1"
    response = client.get(response["Location"])
    assert response.context["form"].errors["description"] == ["Décrivez la situation du centre."]


def test_the_form_cannot_be_edited_once_submitted(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.board_member)
    response = client.get(reverse("cases:form", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_delete_a_draft(client, case_at):
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    response = client.post(reverse("cases:transition", args=[case.pk, "delete_draft"]))
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
