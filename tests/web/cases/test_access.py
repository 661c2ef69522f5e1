"""Who sees which page, caching, audit, lists (constant queries) and « Mon espace »."""

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.deadlines import refresh_due_at
from soutien.cases.enums import Stage
from soutien.cases.models import Case
from tests.builders import make_cast
from tests.web.cases.conftest import html

pytestmark = pytest.mark.django_db


def test_case_page_is_private_and_its_view_is_audited(client, case_at):
    from soutien.audit.models import AuditEntry

    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="case.view", actor_id=cast.coordinator.pk).exists()


@pytest.mark.parametrize("role", ["evaluator", "outsider", "partner_other_commune"])
def test_people_outside_the_case_get_a_404(client, case_at, role):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(getattr(cast, role))
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:report", args=[case.pk]),
        reverse("cases:form", args=[case.pk]),
    ):
        assert client.get(url).status_code == 404


def test_evaluator_has_no_case_list(client, case_at):
    _, cast = case_at(Stage.DRAFT)
    client.force_login(cast.evaluator)
    assert client.get(reverse("cases:list")).status_code == 404
    assert client.get(reverse("cases:create")).status_code == 404


def test_staff_of_an_association_centre_sees_only_the_stage(client, case_at):
    case, cast = case_at(Stage.DIAGNOSTIC)
    client.force_login(cast.staff)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.templates[0].name == "cases/stage_only.html"
    page = html(response)
    assert "Diagnostic flash" in page
    assert "La trésorerie couvre moins de deux mois" not in page
    assert client.get(reverse("cases:report", args=[case.pk])).status_code == 404


def test_the_next_action_panel_speaks_to_each_user(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Ce qu'il faut faire maintenant" in page
    assert "Vérifier la fiche et ouvrir la saisine" in page
    client.force_login(cast.board_member)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Rien à faire pour vous pour l'instant." in page
    assert 'aria-current="step"' in page


def test_a_form_page_of_a_step_not_reached_redirects_with_a_message(client, case_at):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:close", args=[case.pk]), follow=True)
    assert "Cette action n&#x27;est pas possible pour vous" in html(response)


def make_cases(n, cast):
    for _ in range(n):
        case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
        Case.objects.filter(pk=case.pk).update(stage=Stage.SUBMITTED, number=f"MSTR-T-{case.pk}")


@pytest.mark.parametrize("n", [5, 30])
def test_the_list_keeps_a_constant_number_of_queries(
    client, reference, django_assert_max_num_queries, n
):
    cast = make_cast()
    make_cases(n, cast)
    client.force_login(cast.coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("cases:list"), {"stage": "submitted"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == n
    assert len(response.context["page"].object_list) == min(n, 25)


def test_list_filters_search_and_overdue_highlight(client, case_at):
    from django.utils import timezone

    case, cast = case_at(Stage.SUBMITTED)
    other, _ = case_at(Stage.REFERRAL)
    Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timezone.timedelta(60))
    refresh_due_at(Case.objects.filter(pk=case.pk))  # the date was set behind the services
    client.force_login(cast.coordinator)
    response = client.get(reverse("cases:list"), {"overdue": "on"})
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    assert "case-overdue" in html(response)
    response = client.get(reverse("cases:list"), {"q": other.number})
    assert [c.pk for c in response.context["page"].object_list] == [other.pk]
    response = client.get(reverse("cases:list"), {"stage": "referral"})
    assert [c.pk for c in response.context["page"].object_list] == [other.pk]


def test_my_space_shows_what_awaits_each_role(client, case_at):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.partner_state)
    response = client.get(reverse("web:my_space"))
    awaiting = {item["label"]: item["count"] for item in response.context["awaiting"]}
    assert awaiting["Avis à donner"] == 1
    assert f"{reverse('cases:list')}?a_faire=opinion" in html(response)

    client.force_login(cast.coordinator)
    awaiting = {
        i["label"]: i["count"] for i in client.get(reverse("web:my_space")).context["awaiting"]
    }
    assert awaiting["Saisines en cours à décider"] == 1

    client.force_login(cast.board_member)
    response = client.get(reverse("web:my_space"))
    assert reverse("cases:create") in html(response)

    client.force_login(cast.evaluator)
    response = client.get(reverse("web:my_space"))
    assert response.context["awaiting"] == []
    assert reverse("cases:list") not in html(response)


def test_coordinator_sets_target_durations(client, reference):
    from soutien.cases.models import TargetDuration

    cast = make_cast()
    client.force_login(cast.coordinator)
    url = reverse("cases:targets")
    data = {
        "section": "targets",
        "preventive_referral": 20,
        "preventive_report": 40,
        "preventive_validation": 10,
        "preventive_restitution": 0,
        "crisis_referral": 10,
        "crisis_report": 20,
        "crisis_validation": 5,
        "crisis_restitution": 10,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["preventive_restitution"]
    # What was typed is kept.
    assert response.context["form"]["crisis_referral"].value() == "10"
    data["preventive_restitution"] = 25
    assert client.post(url, data).status_code == 302
    assert TargetDuration.as_dict()["referral"] == 20
    assert TargetDuration.as_dict("crisis")["referral"] == 10
    client.force_login(cast.board_member)
    assert client.get(url).status_code == 404


def test_case_pages_link_the_documents_and_pdfs(client, case_at):
    case, cast = case_at(Stage.SUPPORT)
    client.force_login(cast.board_member)
    page = html(client.get(reverse("cases:detail", args=[case.pk])))
    assert reverse("documents:form_pdf", args=[case.pk]) in page
    assert reverse("documents:restitution_pdf", args=[case.pk]) in page
    page = html(client.get(reverse("cases:report_version", args=[case.pk, 1])))
    assert reverse("documents:report_pdf", args=[case.pk, 1]) in page


def test_the_form_page_takes_its_files_in_the_fiche_form(client, case_at):
    # One form saves the fiche and its files together (issue #12): a file picked before
    # "Enregistrer" is no longer dropped by a second, separate form.
    case, cast = case_at(Stage.DRAFT)
    client.force_login(cast.board_member)
    page = html(client.get(reverse("cases:form", args=[case.pk])))
    assert reverse("documents:upload", args=[case.pk]) not in page
    fiche_form = page.split('<form method="post" enctype="multipart/form-data"', 1)[1]
    fiche_form = fiche_form.split("</form>", 1)[0]
    assert 'type="file" name="files"' in fiche_form
    assert 'name="action" value="save"' in fiche_form
