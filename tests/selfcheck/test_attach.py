"""A saved self-check attached to a request: the manager's choice, read with the fiche
by those who read the fiche, by no one else; in the right of access; anonymised with
the case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from soutien.cases.models import CaseEvent
from soutien.cases.services import case_anonymise, case_submit
from soutien.security.services import personal_data_export
from soutien.selfcheck.models import SavedSelfCheck
from soutien.selfcheck.services import (
    saved_selfcheck_attach,
    saved_selfcheck_create,
    saved_selfcheck_detach,
)
from tests.builders import case_at, fill_form, make_cast

pytestmark = pytest.mark.django_db

ANSWERS = {"tresorerie": "moins-de-2", "assemblee-generale": "oui", "frequentation": "stable"}


def saved_for(cast):
    return saved_selfcheck_create(centre=cast.centre, by=cast.board_member, answers=ANSWERS)


def test_the_manager_attaches_a_saved_self_check_to_a_draft_and_can_withdraw_it(questionnaire):
    case, cast = case_at("draft")
    first, second = saved_for(cast), saved_for(cast)
    saved_selfcheck_attach(saved=first, case=case, by=cast.board_member)
    first.refresh_from_db()
    assert first.attached_to == case and first.attached_by == cast.board_member
    assert first.attached_at is not None
    # A request carries one self-check: attaching another replaces the first.
    saved_selfcheck_attach(saved=second, case=case, by=cast.board_member)
    assert list(SavedSelfCheck.objects.filter(attached_to=case)) == [second]
    assert saved_selfcheck_detach(case=case, by=cast.board_member) == 1
    assert not SavedSelfCheck.objects.filter(attached_to=case).exists()
    assert list(
        CaseEvent.objects.filter(case=case, kind__startswith="selfcheck").values_list(
            "label", flat=True
        )
    ) == [
        "Auto-diagnostic joint à la demande",
        "Auto-diagnostic joint à la demande",
        "Auto-diagnostic retiré de la demande",
    ]


def test_only_the_manager_attaches_only_the_centres_own_and_only_while_editable(questionnaire):
    case, cast = case_at("draft")
    other = make_cast()
    saved, foreign = saved_for(cast), saved_for(other)
    for someone in (cast.staff, cast.coordinator, cast.consultant, other.board_member):
        with pytest.raises(PermissionDenied):
            saved_selfcheck_attach(saved=saved, case=case, by=someone)
    with pytest.raises(ValidationError):
        saved_selfcheck_attach(saved=foreign, case=case, by=cast.board_member)
    fill_form(case, cast.board_member)
    case_submit(case=case, by=cast.board_member)
    with pytest.raises(PermissionDenied):
        saved_selfcheck_attach(saved=saved, case=case, by=cast.board_member)
    assert not SavedSelfCheck.objects.filter(attached_to__isnull=False).exists()


def test_a_self_check_attached_to_one_request_is_not_moved_to_another(questionnaire):
    case, cast = case_at("draft")
    other_case, _ = case_at("draft", cast)
    saved = saved_for(cast)
    saved_selfcheck_attach(saved=saved, case=case, by=cast.board_member)
    with pytest.raises(ValidationError):
        saved_selfcheck_attach(saved=saved, case=other_case, by=cast.board_member)


# Who reads an attached self-check, written by hand: the fiche's readers at each stage.
# Columns: administrateur (gestionnaire), salarié, coordination, État, commune of the
# centre, another commune, designated consultant, another consultant, evaluation, outsider.
ROLES = (
    "board_member",
    "staff",
    "coordinator",
    "partner_state",
    "partner_commune",
    "partner_other_commune",
    "consultant",
    "other_consultant",
    "evaluator",
    "outsider",
)
# fmt: off
READERS = {
    #              admb sal  coor etat comm autc cons autr eval unre
    "draft":      (200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "submitted":  (200, 200, 200, 404, 404, 404, 404, 404, 404, 404),
    "referral":   (200, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    "diagnostic": (200, 200, 200, 200, 200, 404, 200, 404, 404, 404),
    "closed":     (200, 200, 200, 200, 200, 404, 200, 404, 404, 404),
}
# fmt: on


@pytest.mark.parametrize("stage", sorted(READERS))
def test_an_attached_self_check_is_read_by_the_readers_of_the_fiche_only(
    client, questionnaire, stage
):
    case, cast = case_at(stage)
    saved = saved_for(cast)
    not_attached = saved_for(cast)
    # Attached while the fiche was a draft (the stage the manager chose it at).
    SavedSelfCheck.objects.filter(pk=saved.pk).update(
        attached_to=case, attached_by=cast.board_member, attached_at=saved.saved_at
    )
    observed, alone = [], []
    for role in ROLES:
        client.force_login(getattr(cast, role))
        observed.append(client.get(reverse("selfcheck:saved_detail", args=[saved.pk])).status_code)
        alone.append(
            client.get(reverse("selfcheck:saved_detail", args=[not_attached.pk])).status_code
        )
    assert tuple(observed) == READERS[stage]
    # One that is not attached stays with the centre, whatever the stage.
    assert tuple(alone) == (200, 200, 404, 404, 404, 404, 404, 404, 404, 404)


def test_the_case_page_shows_the_attached_self_check_to_its_readers(client, questionnaire):
    case, cast = case_at("referral")
    saved = saved_for(cast)
    SavedSelfCheck.objects.filter(pk=saved.pk).update(
        attached_to=case, attached_by=cast.board_member, attached_at=saved.saved_at
    )
    link = reverse("selfcheck:saved_detail", args=[saved.pk])
    client.force_login(cast.partner_state)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert link in page
    assert "Gestion financière : <strong>Signes d&#x27;alerte</strong>" in page
    detail = client.get(link).content.decode()
    assert f"joint à la demande n° {case.display_number}" in detail
    assert "Modifier mes réponses" not in detail  # a reader, not the centre
    client.force_login(cast.evaluator)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_the_manager_attaches_from_the_fiche_page(client, questionnaire):
    case, cast = case_at("draft")
    saved = saved_for(cast)
    client.force_login(cast.board_member)
    form_page = client.get(reverse("cases:form", args=[case.pk])).content.decode()
    assert "Joindre à la demande" in form_page
    response = client.post(
        reverse("selfcheck:attach", args=[case.pk]), {"saved": saved.pk, "back": "form"}
    )
    assert response["Location"] == reverse("cases:form", args=[case.pk])
    saved.refresh_from_db()
    assert saved.attached_to == case
    shown = client.get(response["Location"]).content.decode()
    assert "Ne plus joindre cet auto-diagnostic" in shown
    # Garbage and another centre's self-check: 404, nothing attached.
    other = saved_for(make_cast())
    attach = reverse("selfcheck:attach", args=[case.pk])
    assert client.post(attach, {"saved": "x"}).status_code == 404
    assert client.post(attach, {"saved": other.pk}).status_code == 404
    client.force_login(cast.staff)
    client.post(reverse("selfcheck:detach", args=[case.pk]))
    saved.refresh_from_db()
    assert saved.attached_to == case  # the employee cannot withdraw the manager's choice


def test_saved_and_attached_self_checks_are_in_the_right_of_access(questionnaire):
    case, cast = case_at("draft")
    saved = saved_for(cast)
    saved_selfcheck_attach(saved=saved, case=case, by=cast.board_member)
    section = personal_data_export(user=cast.board_member)["selfchecks"]
    assert section == [
        {
            "date": saved.saved_at.isoformat(),
            "centre": cast.centre.name,
            "case": case.display_number,
        }
    ]
    assert personal_data_export(user=cast.staff)["selfchecks"] == []


def test_an_anonymised_case_keeps_no_name_on_its_attached_self_check(questionnaire):
    case, cast = case_at("closed")
    saved = saved_for(cast)
    SavedSelfCheck.objects.filter(pk=saved.pk).update(
        attached_to=case, attached_by=cast.board_member, attached_at=saved.saved_at
    )
    case_anonymise(case=case)
    saved.refresh_from_db()
    assert saved.saved_by is None and saved.attached_by is None
    assert saved.levels  # the centre's situation stays: it names no one
