"""The public self-check: questionnaire, result, PDF, and the coordination's editing."""

import re

import pytest
from django.urls import reverse

from soutien.selfcheck.models import Choice, DomainThreshold, Question

pytestmark = pytest.mark.django_db

# Four serious answers in finances, one mild in governance, nothing else.
ANSWERS = {
    "tresorerie": "moins-de-2",  # 4 points, « Trésorerie inférieure à deux mois »
    "deficits": "aucun",  # 0
    "assemblee-generale": "en-retard",  # 1
}


def is_checked(html, input_id):
    return re.search(rf'<input[^>]*id="{input_id}"[^>]*checked', html) is not None


def post_result(client, answers=ANSWERS):
    return client.post(reverse("selfcheck:result"), answers)


def level_of(response, domain_code):
    for field in response.context["result"].domains:
        if field.domain.code == domain_code:
            return field.level.label
    return None


def test_the_questionnaire_has_one_fieldset_per_question_with_its_progress(client, questionnaire):
    response = client.get(reverse("selfcheck:start"))
    assert response.status_code == 200
    html = response.content.decode()
    total = Question.objects.filter(is_active=True).count()
    assert total == 20
    assert html.count('<fieldset class="selfcheck-question"') == 20
    assert "Question 1 sur 20" in html and "Question 20 sur 20" in html
    assert "ne sont pas enregistrées" in html


def test_the_result_gives_a_level_in_words_per_field_and_what_to_do(client, questionnaire):
    response = post_result(client)
    assert response.status_code == 200
    assert level_of(response, "gestion-financiere") == "Signes d'alerte"
    assert level_of(response, "gouvernance") == "Aucun signe"  # 1 point < 2
    assert level_of(response, "ressources-humaines") is None  # not answered
    html = response.content.decode()
    assert "Établissez un plan de trésorerie" in html  # the advice of the sign
    assert "démarche préventive" in html
    assert "Caf des Bouches-du-Rhône" in html
    assert "en crise" not in html.lower() and "crise avérée" not in html.lower()
    # The answers come back only as hidden fields, for the PDF and « Modifier ».
    assert '<input type="hidden" name="tresorerie" value="moins-de-2">' in html


def test_no_answer_at_all_is_a_french_error_and_nothing_is_lost(client, questionnaire):
    response = post_result(client, {})
    assert response.status_code == 400
    assert "Répondez au moins à une question" in response.content.decode()


def test_an_unknown_choice_is_refused_beside_its_question_and_the_rest_kept(client, questionnaire):
    response = post_result(client, {"tresorerie": "pas-une-reponse", "deficits": "un"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez une des réponses proposées." in html
    assert 'id="id_tresorerie_error"' in html
    assert is_checked(html, "id_deficits_1")  # « Un », the second choice
    assert not is_checked(html, "id_tresorerie_0")


def test_get_on_the_result_goes_back_to_the_questionnaire(client, questionnaire):
    response = client.get(reverse("selfcheck:result"))
    assert response.status_code == 302
    assert response["Location"] == reverse("selfcheck:start")


def test_modify_my_answers_fills_the_questionnaire_again(client, questionnaire):
    response = client.post(reverse("selfcheck:start"), ANSWERS)
    assert response.status_code == 200
    html = response.content.decode()
    assert is_checked(html, "id_tresorerie_2")  # « Moins de deux mois »
    assert not is_checked(html, "id_tresorerie_0")
    assert "Le formulaire contient" not in html


def test_the_pdf_is_a_download_of_the_posted_answers(client, questionnaire, monkeypatch):
    from web.selfcheck import views

    rendered = {}

    def fake_render(template, context):
        rendered["template"] = template
        rendered["levels"] = {f.domain.code: f.level.label for f in context["result"].domains}
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(views, "render_pdf", fake_render)
    response = client.post(reverse("selfcheck:result_pdf"), ANSWERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="auto-diagnostic.pdf"'
    assert rendered == {
        "template": "selfcheck/pdf/result.html",
        "levels": {"gestion-financiere": "Signes d'alerte", "gouvernance": "Aucun signe"},
    }
    assert client.get(reverse("selfcheck:result_pdf")).status_code == 405


def test_the_real_pdf_is_tagged_and_holds_the_result(client, questionnaire):
    import io

    from pypdf import PdfReader

    response = client.post(reverse("selfcheck:result_pdf"), ANSWERS)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Signes d'alerte" in text.replace("\u2019", "'")
    assert "Gestion financière" in text


# --- The coordination edits questions, weights and thresholds --------------------------


def test_editing_a_threshold_changes_the_result(client, questionnaire, coordinator):
    assert level_of(post_result(client), "gouvernance") == "Aucun signe"
    client.force_login(coordinator)
    thresholds = list(DomainThreshold.objects.order_by("domain__order"))
    data = {
        "seuils-TOTAL_FORMS": len(thresholds),
        "seuils-INITIAL_FORMS": len(thresholds),
        "seuils-MIN_NUM_FORMS": 0,
        "seuils-MAX_NUM_FORMS": 1000,
    }
    for index, threshold in enumerate(thresholds):
        governance = threshold.domain.code == "gouvernance"
        data[f"seuils-{index}-id"] = threshold.pk
        data[f"seuils-{index}-watch_from"] = 1 if governance else threshold.watch_from
        data[f"seuils-{index}-warning_from"] = 3 if governance else threshold.warning_from
    response = client.post(reverse("selfcheck_manage:thresholds"), data)
    assert response.status_code == 302
    assert level_of(post_result(client), "gouvernance") == "À surveiller"  # 1 point ≥ 1


def test_a_threshold_below_the_first_is_refused_in_french(client, questionnaire, coordinator):
    client.force_login(coordinator)
    threshold = DomainThreshold.objects.get(domain__code="gouvernance")
    data = {
        "seuils-TOTAL_FORMS": 1,
        "seuils-INITIAL_FORMS": 1,
        "seuils-MIN_NUM_FORMS": 0,
        "seuils-MAX_NUM_FORMS": 1000,
        "seuils-0-id": threshold.pk,
        "seuils-0-watch_from": 5,
        "seuils-0-warning_from": 3,
    }
    response = client.post(reverse("selfcheck_manage:thresholds"), data)
    assert response.status_code == 400
    assert "doit être plus élevé que le seuil « à surveiller »" in response.content.decode()
    threshold.refresh_from_db()
    assert (threshold.watch_from, threshold.warning_from) == (2, 4)


def test_editing_a_weight_or_a_question_changes_the_result(client, questionnaire, coordinator):
    question = Question.objects.get(code="assemblee-generale")
    choices = list(question.choices.order_by("order"))
    client.force_login(coordinator)
    data = {
        "question-text": "L'assemblée générale a-t-elle eu lieu ?",
        "question-explanation": question.explanation,
        "question-advice": "Convoquez-la vite.",
        "question-warning_sign": question.warning_sign_id,
        "question-is_active": "on",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for index, choice in enumerate(choices):
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-weight"] = 5 if choice.code == "en-retard" else choice.weight
    response = client.post(reverse("selfcheck_manage:question_edit", args=[question.pk]), data)
    assert response.status_code == 302
    assert Choice.objects.get(question=question, code="en-retard").weight == 5
    result = post_result(client)
    assert level_of(result, "gouvernance") == "Signes d'alerte"  # 5 ≥ 4
    assert "Convoquez-la vite." in result.content.decode()


def test_a_weight_that_is_not_a_number_is_refused_and_nothing_changes(
    client, questionnaire, coordinator
):
    question = Question.objects.get(code="assemblee-generale")
    choice = question.choices.get(code="non")
    client.force_login(coordinator)
    data = {
        "question-text": "Autre texte",
        "question-explanation": question.explanation,
        "question-advice": question.advice,
        "question-is_active": "on",
        "choices-TOTAL_FORMS": 1,
        "choices-INITIAL_FORMS": 1,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        "choices-0-id": choice.pk,
        "choices-0-weight": "beaucoup",
    }
    response = client.post(reverse("selfcheck_manage:question_edit", args=[question.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez un nombre entier de points." in html
    assert 'value="Autre texte"' in html  # what was typed is kept
    question.refresh_from_db()
    assert question.text != "Autre texte"


def test_an_unasked_question_leaves_the_questionnaire(client, questionnaire):
    Question.objects.filter(code="locaux").update(is_active=False)
    html = client.get(reverse("selfcheck:start")).content.decode()
    assert "Question 19 sur 19" in html and "Vos locaux" not in html


def test_the_services_refuse_anyone_but_the_coordination(questionnaire):
    from django.core.exceptions import PermissionDenied

    from soutien.selfcheck.services import threshold_update
    from tests.factories import MembershipFactory

    threshold = DomainThreshold.objects.first()
    with pytest.raises(PermissionDenied):
        threshold_update(
            threshold=threshold, watch_from=1, warning_from=2, by=MembershipFactory().user
        )


def test_loading_the_defaults_again_keeps_the_edits(questionnaire):
    from soutien.selfcheck.defaults import load_selfcheck_defaults

    Choice.objects.filter(question__code="tresorerie", code="moins-de-2").update(weight=9)
    DomainThreshold.objects.filter(domain__code="gouvernance").update(watch_from=7, warning_from=8)
    load_selfcheck_defaults()
    assert Choice.objects.get(question__code="tresorerie", code="moins-de-2").weight == 9
    assert DomainThreshold.objects.get(domain__code="gouvernance").watch_from == 7
    assert Question.objects.count() == 20


def test_the_load_selfcheck_command_loads_the_defaults(reference):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_selfcheck", stdout=out)
    assert "Auto-diagnostic à jour." in out.getvalue()
    assert Question.objects.count() == 20
    assert DomainThreshold.objects.count() == 4
    assert Choice.objects.filter(weight=0).count() == 20  # each question has a « no sign »
