"""A form post without its version field is refused, never a silent overwrite.

Every form that edits what others may have changed carries the case's (or the action's)
version in a hidden field; the service refuses a stale one. A post without the field
(a forged request, an old cached page) used to skip the check and overwrite: it is now
refused above the form, in French, with what was typed still on the page.
"""

import pytest
from django.urls import reverse

from soutien.cases.enums import ActionStatus, Stage
from soutien.cases.models import Action, ReportVersion
from tests.web.cases.conftest import html
from tests.web.cases.test_form import complete_data

pytestmark = pytest.mark.django_db

REFUSED = (
    "Ce formulaire ne dit pas sur quelle version du dossier il a été rempli : rien n'a "
    "été enregistré, pour ne pas écraser une modification faite entre-temps. Copiez votre "
    "saisie, conservée ci-dessous, puis rechargez la page."
)
# Absent, empty, or not a number: the same refusal (a hidden field's own error would be
# shown nowhere).
MISSING = [None, "", "douze"]


@pytest.mark.parametrize("version", MISSING)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_the_information_form_without_its_version_saves_nothing(client, case_at, version, action):
    case, cast = case_at(Stage.DRAFT)
    before = case.form.description
    client.force_login(cast.board_member)
    data = complete_data(case, version=version, description="Texte saisi par Monique.")
    response = client.post(reverse("cases:form", args=[case.pk]), {**data, "action": action})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [REFUSED]
    assert "Texte saisi par Monique." in html(response)
    case.refresh_from_db()
    case.form.refresh_from_db()
    assert case.stage == Stage.DRAFT
    assert case.form.description == before


@pytest.mark.parametrize("version", MISSING)
def test_the_report_without_its_version_saves_nothing(client, case_at, version):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    data = {"analysis": "Analyse saisie hors version.", "recommendations": "Former."}
    if version is not None:
        data["version"] = version
    response = client.post(reverse("cases:report", args=[case.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [REFUSED]
    assert "Analyse saisie hors version." in html(response)
    assert not ReportVersion.objects.filter(case=case).exists()


@pytest.mark.parametrize("version", MISSING)
def test_an_action_update_without_its_version_changes_nothing(client, case_at, version):
    case, cast = case_at(Stage.SUPPORT)
    action = Action.objects.create(
        case=case, title="Former le trésorier", owner="La trésorière", created_by=cast.staff
    )
    client.force_login(cast.board_member)
    data = {"status": ActionStatus.DONE, "note": "Formation suivie en mars."}
    if version is not None:
        data["version"] = version
    response = client.post(reverse("cases:action_update", args=[case.pk, action.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [REFUSED]
    assert "Formation suivie en mars." in html(response)
    action.refresh_from_db()
    assert action.status == ActionStatus.TO_START
    assert not action.notes.exists()


def test_with_its_version_the_same_post_is_saved(client, case_at):
    """The control: the refusal above comes from the missing version, nothing else."""
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    data = complete_data(case, description="Texte saisi par Monique.")
    response = client.post(reverse("cases:form", args=[case.pk]), data)
    assert response.status_code == 302
    case.form.refresh_from_db()
    assert case.form.description == "Texte saisi par Monique."


def test_every_versioned_form_carries_its_version(client, case_at):
    """The refusal above never hits a form sent from the platform's own pages."""
    import re

    draft, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    page = html(client.get(reverse("cases:form", args=[draft.pk])))
    assert re.search(rf'name="version" value="{draft.version}"', page)

    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.consultant)
    page = html(client.get(reverse("cases:report", args=[case.pk])))
    assert re.search(rf'name="version" value="{case.version}"', page)

    case, cast = case_at(Stage.SUPPORT)
    action = Action.objects.create(
        case=case, title="Former le trésorier", owner="La trésorière", created_by=cast.staff
    )
    client.force_login(cast.board_member)
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:action_update", args=[case.pk, action.pk]),
    ):
        assert re.search(rf'name="version" value="{action.version}"', html(client.get(url)))
