"""The case page's cheaper rendering (issue #15) shows the same things: the history's
rows formatted in Paris time by the view, and no empty attachments block under the
messages of others."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import Channel, EventKind, Stage
from soutien.core import clock
from soutien.documents import services as document_services
from tests.builders import case_at
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_history_shows_each_event_in_paris_time_with_who_and_the_comment(client):
    case, cast = case_at(Stage.DIAGNOSTIC)
    cast.coordinator.first_name, cast.coordinator.last_name = "Claire", "Martin"
    cast.coordinator.save(update_fields=["first_name", "last_name"])
    with clock.frozen_at(dt.datetime(2026, 3, 10, 8, 5, tzinfo=dt.UTC)):
        services.record_event(
            case=case,
            kind=EventKind.ACTION_UPDATE,
            label="Point d'étape",
            by=cast.coordinator,
            comment="Première ligne\nseconde ligne",
        )
    client.force_login(cast.board_member)
    html = page(client, case)
    assert (
        '<time datetime="2026-03-10T09:05:00+01:00">10/03/2026 09:05</time> — '
        '<span class="fw-semibold">Point d&#x27;étape</span> '
        '<span class="text-body-secondary">(Claire Martin)</span>'
    ) in html
    assert '<p class="mb-0 small">Première ligne<br>seconde ligne</p>' in html


def test_a_message_shows_its_attachments_block_to_its_author_or_when_it_has_files(client):
    case, cast = case_at(Stage.DIAGNOSTIC)
    services.message_post(case=case, by=cast.coordinator, channel=Channel.MESSAGE, body="Nu.")
    document_services.message_post_with_files(
        case=case,
        by=cast.coordinator,
        channel=Channel.MESSAGE,
        body="Avec pièce.",
        files=[SimpleUploadedFile("compte.pdf", pdf_bytes(), content_type="application/pdf")],
    )
    client.force_login(cast.board_member)  # reads both messages, wrote neither
    html = page(client, case)
    assert html.count("Pièces jointes du message") == 1
    assert "compte.pdf" in html
    client.force_login(cast.coordinator)  # their own messages: may attach to each
    assert page(client, case).count("Pièces jointes du message") == 2
