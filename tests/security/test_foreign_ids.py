"""Foreign identifiers slipped into POST data are refused and change nothing.

Each test posts, as a person who has real rights on one case, an identifier that belongs
elsewhere (another case's document or action, another association's centre, a consultant
of another organisation, a case the partner is not concerned by) or a forged choice. The
answer is a 404 (the other object's existence is not revealed) or a French form error,
and the database is unchanged.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from soutien.cases.enums import ActionStatus, Channel, MeetingKind, Stage
from soutien.cases.models import Action, Case, Decision, Meeting, Message, Opinion
from soutien.directory.models import OrganisationKind, Role
from soutien.documents.models import AttachTo, Document
from tests.builders import case_at, make_cast
from tests.factories import MembershipFactory, OrganisationFactory, SocialCentreFactory

pytestmark = pytest.mark.django_db

INVALID_CHOICE = "Sélectionnez un choix valide"


def _document(case, by, attach_to=AttachTo.FORM, **target) -> Document:
    document = Document(
        case=case,
        attach_to=attach_to,
        original_name="bilan.pdf",
        size=8,
        mimetype="application/pdf",
        sha256="0" * 64,
        uploaded_by=by,
        **target,
    )
    document.file.save(document.storage_name, ContentFile(b"%PDF-1.7"), save=False)
    document.save()
    return document


def _errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.context["form"].errors)


def _login(client, user):
    client.force_login(user)
    return client


# --- Centres ------------------------------------------------------------------------


def test_a_draft_cannot_be_started_for_another_associations_centre(client, reference):
    cast = make_cast()
    foreign_centre = SocialCentreFactory(commune=cast.centre.commune)
    _login(client, cast.board_member)
    before = Case.objects.count()
    response = client.post(reverse("cases:create"), {"centre": foreign_centre.pk})
    assert INVALID_CHOICE in _errors(response)
    assert Case.objects.count() == before


def test_the_information_form_ignores_a_centre_or_manager_slipped_into_it(client, reference):
    case, cast = case_at(Stage.DRAFT)
    foreign_centre = SocialCentreFactory(commune=cast.centre.commune)
    _login(client, cast.board_member)
    response = client.post(
        reverse("cases:form", args=[case.pk]),
        {
            "requester_name": "Monique Blanc",
            "centre": foreign_centre.pk,
            "centre_id": foreign_centre.pk,
            "manager": foreign_centre.manager_id,
            "created_by": cast.outsider.pk,
            "stage": Stage.CLOSED,
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.centre_id, case.manager_id, case.created_by_id, case.stage) == (
        cast.centre.pk,
        cast.association.pk,
        cast.board_member.pk,
        Stage.DRAFT,
    )


def test_the_form_of_another_associations_case_is_out_of_reach(client, reference):
    case, cast = case_at(Stage.DRAFT)
    other, _ = case_at(Stage.DRAFT)
    before = other.form.requester_name
    _login(client, cast.board_member)
    response = client.post(
        reverse("cases:form", args=[other.pk]),
        {"requester_name": "Intrus", "version": other.version},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.form.requester_name == before != "Intrus"


# --- Consultant ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_organisation", "board_member", "unknown_id"])
def test_the_consultant_must_be_one_of_the_providers(client, reference, who):
    case, cast = case_at(Stage.DIAGNOSTIC)
    other_provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    candidate = {
        "other_organisation": lambda: (
            MembershipFactory(organisation=other_provider, role=Role.CONSULTANT).user.pk
        ),
        "board_member": lambda: cast.board_member.pk,
        "unknown_id": lambda: 987654321,
    }[who]()
    _login(client, cast.coordinator)
    response = client.post(reverse("cases:assign", args=[case.pk]), {"consultant": candidate})
    assert INVALID_CHOICE in _errors(response)
    case.refresh_from_db()
    assert case.consultant_id == cast.consultant.pk


# --- Documents ----------------------------------------------------------------------


def test_another_cases_document_cannot_be_downloaded_or_deleted(client, reference):
    case, cast = case_at(Stage.DRAFT)
    other, other_cast = case_at(Stage.DRAFT)
    foreign = _document(other, other_cast.board_member)
    _login(client, cast.board_member)
    assert client.get(reverse("documents:download", args=[foreign.uuid])).status_code == 404
    response = client.post(reverse("documents:delete", args=[foreign.uuid]))
    assert response.status_code == 404
    assert Document.objects.filter(pk=foreign.pk).exists()


def test_a_document_cannot_be_attached_to_another_cases_message(client, reference):
    case, cast = case_at(Stage.SUBMITTED)
    other, other_cast = case_at(Stage.SUBMITTED)
    foreign_message = Message.objects.create(
        case=other, channel=Channel.MESSAGE, author=cast.coordinator, body="Bonjour."
    )
    _login(client, cast.coordinator)  # sees both cases, writes on both threads
    before = Document.objects.count()
    response = client.post(
        reverse("documents:upload", args=[case.pk]),
        {
            "attach_to": AttachTo.MESSAGE,
            "target": foreign_message.pk,
            "file": SimpleUploadedFile("note.pdf", b"%PDF-1.7\n%%EOF\n"),
        },
    )
    assert response.status_code == 404
    assert Document.objects.count() == before


# --- Action plan and meetings ---------------------------------------------------------


def test_an_action_of_another_case_cannot_be_updated_through_this_case(client, reference):
    case, cast = case_at(Stage.SUPPORT)
    other, _ = case_at(Stage.SUPPORT, cast)  # same centre: the administrateur manages both
    foreign = Action.objects.create(case=other, title="Former le trésorier", owner="Trésorière")
    _login(client, cast.board_member)
    response = client.post(
        reverse("cases:action_update", args=[case.pk, foreign.pk]),
        {"status": ActionStatus.DONE, "version": foreign.version},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.version) == (ActionStatus.TO_START, 1)


def test_a_meeting_of_another_case_cannot_be_cancelled(client, reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    other, other_cast = case_at(Stage.DIAGNOSTIC)
    foreign = Meeting.objects.create(
        case=other,
        kind=MeetingKind.INTERVIEW,
        starts_at=timezone.now() + dt.timedelta(days=2),
        created_by=other_cast.consultant,
    )
    _login(client, cast.consultant)  # same provider, but not designated on the other case
    response = client.post(reverse("meetings:meeting_cancel", args=[foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.cancelled_at is None


# --- Saisine ------------------------------------------------------------------------


def test_a_partner_not_concerned_cannot_give_an_opinion(client, reference):
    case, cast = case_at(Stage.REFERRAL)
    _login(client, cast.partner_other_commune)
    before = list(Opinion.objects.filter(case=case).values_list("partner_id", "value"))
    response = client.post(
        reverse("cases:opinion", args=[case.pk]), {"value": "favourable", "comment": "Oui."}
    )
    assert response.status_code == 404
    after = list(Opinion.objects.filter(case=case).values_list("partner_id", "value"))
    assert after == before


@pytest.mark.parametrize("outcome", ["validated_forever", "", "pending"])
def test_a_forged_decision_outcome_is_refused(client, reference, outcome):
    case, cast = case_at(Stage.REFERRAL)
    _login(client, cast.coordinator)
    response = client.post(
        reverse("cases:decision", args=[case.pk]),
        {"outcome": outcome, "justification": "Comité des financeurs."},
    )
    errors = _errors(response)
    assert INVALID_CHOICE in errors or "Choisissez une décision." in errors
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL
    assert not Decision.objects.filter(case=case).exists()


def test_a_forged_opinion_value_is_refused(client, reference):
    case, cast = case_at(Stage.REFERRAL)
    _login(client, cast.partner_commune)
    before = list(Opinion.objects.filter(case=case).values_list("partner_id", "value"))
    response = client.post(reverse("cases:opinion", args=[case.pk]), {"value": "pending"})
    assert INVALID_CHOICE in _errors(response)
    assert list(Opinion.objects.filter(case=case).values_list("partner_id", "value")) == before


# --- Messages -----------------------------------------------------------------------


def test_a_forged_channel_or_a_channel_one_may_not_write_on_is_refused(client, reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    before = Message.objects.filter(case=case).count()
    _login(client, cast.consultant)
    response = client.post(
        reverse("cases:message", args=[case.pk]), {"channel": "internal", "body": "Bonjour."}
    )
    assert INVALID_CHOICE in _errors(response)
    # The consultant never writes private notes (coordination and partners only).
    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.PRIVATE_NOTE, "body": "Entre nous."},
    )
    assert response.status_code == 302
    assert Message.objects.filter(case=case).count() == before
