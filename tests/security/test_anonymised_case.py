"""An anonymised case still shows to those who may see it (without its authors), and
accepts no new message nor attachment."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import Channel, Stage
from soutien.cases.models import Message
from soutien.cases.policies import can_answer_satisfaction, can_post_to_channel
from soutien.documents.models import AttachTo, Document
from soutien.documents.policies import can_attach
from soutien.documents.services import document_upload
from tests.builders import case_at
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db

REFUSED_MESSAGE = (
    "Ce dossier est anonymisé (sa durée de conservation est échue) : il n'accepte plus de message."
)
REFUSED_ATTACHMENT = (
    "Ce dossier est anonymisé (sa durée de conservation est échue) : il n'accepte plus de "
    "pièce jointe."
)


@pytest.fixture
def anonymised(reference, django_capture_on_commit_callbacks):
    case, cast = case_at(Stage.CLOSED)
    message = services.message_post(
        case=case, by=cast.board_member, channel=Channel.MESSAGE, body="Bonjour"
    )
    services.message_post(
        case=case, by=cast.partner_state, channel=Channel.PRIVATE_NOTE, body="Note"
    )
    document_upload(
        case=case,
        by=cast.board_member,
        attach_to=AttachTo.MESSAGE,
        target=message,
        uploaded=SimpleUploadedFile("bilan.pdf", pdf_bytes()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_anonymise(case=case)
    case.refresh_from_db()
    return case, cast


@pytest.mark.parametrize("role", ["coordinator", "board_member", "partner_state"])
def test_the_anonymised_case_page_renders(client, anonymised, role):
    case, cast = anonymised
    client.force_login(getattr(cast, role))
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dossier anonymisé" in page
    assert "Bonjour" not in page


def test_the_anonymised_case_refuses_a_new_message(client, anonymised):
    case, cast = anonymised
    client.force_login(cast.board_member)
    response = client.post(
        reverse("cases:message", args=[case.pk]),
        {"channel": Channel.MESSAGE, "body": "Encore un mot"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSED_MESSAGE.replace("'", "&#x27;") in page
    assert "Encore un mot" in page  # what was typed is kept
    assert Message.objects.filter(case=case).count() == 2
    assert not can_post_to_channel(cast.board_member, case, Channel.MESSAGE)
    assert not can_post_to_channel(cast.coordinator, case, Channel.PRIVATE_NOTE)


def test_the_anonymised_case_refuses_a_new_attachment(client, anonymised):
    case, cast = anonymised
    message = Message.objects.filter(case=case, channel=Channel.MESSAGE).get()
    client.force_login(cast.board_member)
    response = client.post(
        reverse("documents:upload", args=[case.pk]),
        {
            "attach_to": AttachTo.MESSAGE,
            "target": message.pk,
            "file": SimpleUploadedFile("nouveau.pdf", pdf_bytes()),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert REFUSED_ATTACHMENT.replace("'", "&#x27;") in response.content.decode()
    assert not Document.objects.filter(case=case).exists()
    assert not can_attach(cast.board_member, case, AttachTo.MESSAGE, message)


def test_the_services_refuse_even_without_the_page(anonymised):
    case, cast = anonymised
    with pytest.raises(services.CaseError) as raised:
        services.message_post(
            case=case, by=cast.coordinator, channel=Channel.MESSAGE, body="Relance"
        )
    assert raised.value.message == REFUSED_MESSAGE
    assert raised.value.field == "body"
    with pytest.raises(services.NotPermitted) as raised:
        document_upload(
            case=case,
            by=cast.coordinator,
            attach_to=AttachTo.FORM,
            uploaded=SimpleUploadedFile("fiche.pdf", pdf_bytes()),
        )
    assert raised.value.message == REFUSED_ATTACHMENT


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("cases:report", {}),
        ("cases:report_version", {"number": 1}),
        ("documents:form_pdf", {}),
        ("documents:report_pdf", {"number": 1}),
        ("documents:restitution_pdf", {}),
    ],
)
def test_the_anonymised_case_other_pages_render(client, anonymised, name, kwargs):
    case, cast = anonymised
    client.force_login(cast.coordinator)
    response = client.get(reverse(name, kwargs={"pk": case.pk, **kwargs}))
    assert response.status_code == 200


def test_the_anonymised_case_takes_no_late_satisfaction_answer(anonymised):
    case, cast = anonymised
    assert not can_answer_satisfaction(cast.board_member, case)
    with pytest.raises(services.NotPermitted):
        services.satisfaction_answer(
            case=case,
            by=cast.board_member,
            usefulness=5,
            listening=5,
            ownership=5,
            would_recommend=True,
            comment="Trop tard",
        )
