import pytest
from django.template import Context, Template
from django.test import RequestFactory

from soutien.cases.enums import Stage
from tests.builders import case_at

pytestmark = pytest.mark.django_db


def test_attachments_partial_renders_upload_form_for_the_form_editor(reference):
    case, cast = case_at(Stage.DRAFT)
    request = RequestFactory().get(f"/dossiers/{case.pk}/")
    request.user = cast.board_member
    html = Template(
        '{% include "documents/_attachments.html" with case=case attach_to="form" %}'
    ).render(Context({"case": case, "request": request}))
    assert 'name="file"' in html
    assert f"/documents/dossier/{case.pk}/joindre/" in html


def test_attachments_partial_is_empty_for_someone_outside_the_case(reference):
    case, cast = case_at(Stage.SUBMITTED)
    request = RequestFactory().get("/")
    request.user = cast.outsider
    html = Template(
        '{% include "documents/_attachments.html" with case=case attach_to="form" %}'
    ).render(Context({"case": case, "request": request}))
    assert html.strip() == ""
