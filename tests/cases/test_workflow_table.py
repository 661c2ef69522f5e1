"""The workflow table drives rights, buttons, history, awaited things and docs.

The central test: for every step of the table × every role around a case × every stage,
the button of the step shows on the case page exactly when its service accepts (called
inside a savepoint that is rolled back). The expected values of the other tests are
written here by hand, not read from the table.
"""

import html
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from soutien.cases import services, workflow
from soutien.cases.awaiting import EXPECTED
from soutien.cases.deadlines import CLOCKS
from soutien.cases.enums import ClosureOutcome, DecisionOutcome, OpinionValue, Stage, Step
from soutien.cases.models import Case, Decision
from soutien.core.models import OutboxEmail
from tests.builders import case_at, fill_form
from web.cases import panels

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

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


def page_of(client, url) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(client.get(url).content.decode())


def perform(name, case, user, cast):
    """The service behind a step of the table, called as `user` with valid input."""
    if name == "submit":
        return services.case_submit(case=case, by=user)
    if name == "open_referral":
        return services.case_open_referral(case=case, by=user)
    if name == "return_for_completion":
        return services.case_return_for_completion(case=case, by=user, message="Précisez.")
    if name == "withdraw":
        return services.case_withdraw(case=case, by=user, reason="Résolu entre-temps.")
    if name == "give_opinion":
        return services.opinion_give(case=case, by=user, value=OpinionValue.FAVOURABLE)
    if name in ("validate", "refuse", "close_without_follow_up"):
        outcome = {
            "validate": DecisionOutcome.VALIDATED,
            "refuse": DecisionOutcome.REFUSED,
            "close_without_follow_up": DecisionOutcome.CLOSED_WITHOUT_FOLLOW_UP,
        }[name]
        return services.case_decide(
            case=case, by=user, outcome=outcome, grounds="Motifs.", justification="Comité."
        )
    if name == "assign_consultant":
        return services.consultant_assign(case=case, by=user, consultant=cast.other_consultant)
    if name == "submit_report":
        services.report_save(case=case, by=user, analysis="Analyse.", recommendations="Pistes.")
        return services.report_submit(case=case, by=user)
    if name == "request_changes":
        return services.report_request_changes(case=case, by=user, comment="Nuancer.")
    if name == "validate_report":
        return services.report_validate(case=case, by=user)
    if name == "record_restitution":
        return services.restitution_record(
            case=case, by=user, starts_at=timezone.now(), summary="Présenté."
        )
    if name == "close":
        return services.case_close(
            case=case, by=user, outcome=ClosureOutcome.STABILISED, open_actions_confirmed=True
        )
    if name == "answer_satisfaction":
        return services.satisfaction_answer(
            case=case, by=user, usefulness=4, listening=5, ownership=4, would_recommend=True
        )
    raise AssertionError(f"no service for {name}")


def accepts(name, case_pk, user, cast) -> bool:
    """Whether the service accepts the step; nothing it does is kept."""
    savepoint = transaction.savepoint_create()
    try:
        perform(name, Case.objects.get(pk=case_pk), user, cast)
        return True
    except services.CaseError:
        return False
    finally:
        transaction.savepoint_rollback(savepoint)


def test_the_table_covers_every_step_with_a_service():
    assert set(workflow.RULES) == {
        "submit",
        "open_referral",
        "return_for_completion",
        "withdraw",
        "give_opinion",
        "validate",
        "refuse",
        "close_without_follow_up",
        "assign_consultant",
        "submit_report",
        "request_changes",
        "validate_report",
        "record_restitution",
        "close",
        "answer_satisfaction",
    }


@pytest.mark.parametrize("stage", list(Stage), ids=str)
def test_a_button_shows_exactly_when_the_service_accepts(reference, client, stage):
    case, cast = case_at(stage)
    if stage == Stage.DRAFT:
        fill_form(case, cast.board_member)  # the valid input of a submission
    mismatches = []
    accepted = set()
    for role in ROLES:
        user = getattr(cast, role)
        client.force_login(user)
        response = client.get(reverse("cases:detail", args=[case.pk]))
        page = response.content.decode() if response.status_code == 200 else ""
        for name in workflow.RULES:
            fresh = Case.objects.get(pk=case.pk)
            shown = f'"{panels.step_url(name, user, fresh)}"' in page
            accepted_now = accepts(name, case.pk, user, cast)
            if accepted_now:
                accepted.add((name, role))
            if shown != accepted_now:
                mismatches.append(f"{name} / {role}: bouton {shown}, service {accepted_now}")
    assert mismatches == []
    # The test proves something at every stage where someone may act.
    expected_somewhere = {
        Stage.DRAFT: {("submit", "board_member")},
        Stage.SUBMITTED: {
            ("open_referral", "coordinator"),
            ("return_for_completion", "coordinator"),
            ("close_without_follow_up", "coordinator"),
            ("withdraw", "board_member"),
        },
        Stage.RETURNED: {("submit", "board_member"), ("withdraw", "board_member")},
        Stage.REFERRAL: {
            ("give_opinion", "partner_state"),
            ("give_opinion", "partner_commune"),
            ("give_opinion", "coordinator"),
            ("validate", "coordinator"),
            ("refuse", "coordinator"),
            ("close_without_follow_up", "coordinator"),
            ("withdraw", "board_member"),
        },
        Stage.DIAGNOSTIC: {
            ("submit_report", "consultant"),
            ("assign_consultant", "coordinator"),
            ("assign_consultant", "consultant"),
        },
        Stage.REPORT_REVIEW: {
            ("request_changes", "board_member"),
            ("validate_report", "board_member"),
            ("assign_consultant", "coordinator"),
            ("assign_consultant", "consultant"),
        },
        Stage.RESTITUTION: {
            ("record_restitution", "consultant"),
            ("close", "coordinator"),
            ("assign_consultant", "coordinator"),
            ("assign_consultant", "consultant"),
        },
        Stage.SUPPORT: {
            ("close", "coordinator"),
            ("assign_consultant", "coordinator"),
            ("assign_consultant", "consultant"),
        },
        Stage.CLOSED: {("answer_satisfaction", "board_member")},
        Stage.REFUSED: set(),
        Stage.CLOSED_WITHOUT_FOLLOW_UP: set(),
    }[stage]
    assert accepted == expected_somewhere


def test_docs_workflow_md_is_current():
    """docs/workflow.md is what `manage.py workflow_doc` writes from the table."""
    committed = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert committed == workflow.markdown(), "lancez « manage.py workflow_doc »"


def test_the_doc_command_writes_then_checks(tmp_path):
    target = tmp_path / "workflow.md"
    call_command("workflow_doc", path=str(target))
    text = target.read_text(encoding="utf-8")
    assert "| Classer sans suite (`close_without_follow_up`) |" in text
    assert "report_review --> restitution: Valider le rapport" in text
    call_command("workflow_doc", path=str(target), check=True)
    target.write_text(text + "modifié à la main\n", encoding="utf-8")
    with pytest.raises(Exception, match="pas à jour"):
        call_command("workflow_doc", path=str(target), check=True)


def test_awaited_things_are_derived_from_the_table():
    expected = {
        Stage.SUBMITTED: [("check_form", "coordination", "Vérifier la fiche transmise", None)],
        Stage.RETURNED: [("complete_form", "manager", "Compléter la fiche d'information", None)],
        Stage.REFERRAL: [
            ("opinion", "partner", "Donner l'avis de votre institution", None),
            ("decide", "coordination", "Enregistrer la décision des financeurs", None),
        ],
        Stage.DIAGNOSTIC: [
            (
                "assign_consultant",
                "provider",
                "Désigner le consultant du diagnostic",
                "no_consultant",
            ),
            (
                "report",
                "consultant",
                "Rédiger et transmettre le rapport du diagnostic",
                "first_report",
            ),
            (
                "revise_report",
                "consultant",
                "Reprendre le rapport selon les commentaires du gestionnaire",
                "changes_requested",
            ),
        ],
        Stage.REPORT_REVIEW: [("validate_report", "manager", "Relire et valider le rapport", None)],
        Stage.RESTITUTION: [
            ("restitution", "consultant", "Faire la restitution au gestionnaire", None)
        ],
        Stage.SUPPORT: [("close", "coordination", "Clôturer le dossier", None)],
        Stage.CLOSED: [
            (
                "satisfaction",
                "manager",
                "Répondre au questionnaire de satisfaction",
                "no_satisfaction",
            )
        ],
    }
    assert workflow.awaited_by_stage() == expected
    # What soutien.cases.awaiting reads is the table's.
    assert {
        stage: [(e.kind, e.actor, e.label, e.condition) for e in things]
        for stage, things in EXPECTED.items()
    } == expected


def test_the_deadlines_started_and_ended_match_the_clocks():
    declared = {
        name: (t.deadline_starts, t.deadline_ends) for name, t in workflow.TRANSITIONS.items()
    }
    assert declared == {
        "submit": (Step.REFERRAL, None),
        "return_for_completion": (None, Step.REFERRAL),
        "open_referral": (None, None),
        "withdraw": (None, Step.REFERRAL),
        "validate": (Step.REPORT, Step.REFERRAL),
        "refuse": (None, Step.REFERRAL),
        "close_without_follow_up": (None, Step.REFERRAL),
        "submit_report": (Step.VALIDATION, Step.REPORT),
        "request_changes": (Step.REPORT, Step.VALIDATION),
        "validate_report": (Step.RESTITUTION, Step.VALIDATION),
        "record_restitution": (None, Step.RESTITUTION),
        "close": (None, Step.RESTITUTION),
    }
    # And the clocks of soutien.cases.deadlines agree: a clock ends when the case leaves a
    # stage whose step differs from the target's, and starts when it arrives at one.
    for t in workflow.TRANSITIONS.values():
        arriving = CLOCKS.get(t.target, (None, None))[1]
        for source in t.sources:
            leaving = CLOCKS.get(source, (None, None))[1]
            if leaving != arriving:
                assert t.deadline_ends == leaving or leaving is None, (t.name, source)
                assert t.deadline_starts == arriving or arriving is None, (t.name, source)


# transition -> (the stage it is performed from, the roles told)
TOLD = {
    "submit": (Stage.DRAFT, {"coordinator"}),
    "return_for_completion": (Stage.SUBMITTED, {"board_member"}),
    "open_referral": (Stage.SUBMITTED, {"board_member", "partner_state", "partner_commune"}),
    "withdraw": (Stage.REFERRAL, {"coordinator", "partner_state", "partner_commune"}),
    "validate": (
        Stage.REFERRAL,
        {"board_member", "consultant", "other_consultant", "partner_state", "partner_commune"},
    ),
    "refuse": (Stage.REFERRAL, {"board_member", "partner_state", "partner_commune"}),
    "close_without_follow_up": (
        Stage.REFERRAL,
        {"board_member", "partner_state", "partner_commune"},
    ),
    "submit_report": (Stage.DIAGNOSTIC, {"board_member"}),
    "request_changes": (Stage.REPORT_REVIEW, {"consultant"}),
    "validate_report": (
        Stage.REPORT_REVIEW,
        {"consultant", "coordinator", "partner_state", "partner_commune"},
    ),
    "record_restitution": (
        Stage.RESTITUTION,
        {"board_member", "coordinator", "partner_state", "partner_commune"},
    ),
    "close": (
        Stage.RESTITUTION,
        {"board_member", "partner_state", "partner_commune", "consultant"},
    ),
}
PERFORMER = {
    "submit": "board_member",
    "withdraw": "board_member",
    "request_changes": "board_member",
    "validate_report": "board_member",
    "submit_report": "consultant",
    "record_restitution": "consultant",
}


@pytest.mark.parametrize("name", list(TOLD))
def test_who_is_told_is_what_the_table_says(reference, name):
    stage, roles = TOLD[name]
    case, cast = case_at(stage)
    if stage == Stage.DRAFT:
        fill_form(case, cast.board_member)
    before = set(OutboxEmail.objects.values_list("pk", flat=True))
    perform(name, case, getattr(cast, PERFORMER.get(name, "coordinator")), cast)
    told = set(OutboxEmail.objects.exclude(pk__in=before).values_list("to", flat=True))
    assert told == {getattr(cast, role).email.lower() for role in roles}


# --- Idempotence, in one place -------------------------------------------------------


def test_a_withdrawal_after_a_classement_is_refused_not_already_done(reference):
    """« Action déjà effectuée » is for the same step posted twice; another step that
    happens to lead to the same stage is simply no longer possible."""
    case, cast = case_at(Stage.CLOSED_WITHOUT_FOLLOW_UP)
    with pytest.raises(services.NotPermitted):
        services.case_withdraw(case=case, by=cast.board_member, reason="Trop tard.")


def test_a_validation_posted_again_after_changes_requested_is_not_already_done(reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    services.report_request_changes(case=case, by=cast.board_member, comment="Nuancer.")
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC
    with pytest.raises(services.CaseError) as excinfo:
        services.case_decide(
            case=case, by=cast.coordinator, outcome=DecisionOutcome.VALIDATED, justification="C."
        )
    assert not isinstance(excinfo.value, services.AlreadyDone)
    with pytest.raises(services.AlreadyDone):
        services.report_request_changes(case=case, by=cast.board_member, comment="Encore.")


# --- The Caf's double role -----------------------------------------------------------


def test_the_caf_is_consulted_and_the_coordination_gives_its_opinion(reference):
    case, cast = case_at(Stage.REFERRAL)
    caf = case.opinions.get(partner__funder_level="caf")
    opinion = services.opinion_give(
        case=case, by=cast.coordinator, value=OpinionValue.RESERVED, comment="À préciser."
    )
    assert opinion.pk == caf.pk
    caf.refresh_from_db()
    assert (caf.value, caf.given_by) == (OpinionValue.RESERVED, cast.coordinator)


def test_a_decision_after_every_opinion_needs_no_justification(reference):
    case, cast = case_at(Stage.REFERRAL)
    for partner in (cast.partner_state, cast.partner_commune, cast.coordinator):
        services.opinion_give(case=case, by=partner, value=OpinionValue.FAVOURABLE)
    # The Region and the Department have their own partners: give their opinions too.
    from soutien.directory.models import Role
    from tests.factories import MembershipFactory

    for opinion in case.opinions.filter(value=OpinionValue.PENDING).select_related("partner"):
        member = MembershipFactory(organisation=opinion.partner, role=Role.PARTNER).user
        services.opinion_give(case=case, by=member, value=OpinionValue.FAVOURABLE)
    assert services.missing_opinions(case) == []
    services.case_decide(case=case, by=cast.coordinator, outcome=DecisionOutcome.VALIDATED)
    decision = Decision.objects.get(case=case)
    assert decision.justification == ""
    assert not case.events.filter(kind="decision_justification").exists()


def test_the_screens_say_who_gives_the_cafs_opinion(reference, client):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    assert "Donner l'avis de la Caf" in page
    assert "c'est la coordination qui donne l'avis de la Caf" in page
    assert "(avis donné par la coordination)" in page
    form = page_of(client, reverse("cases:opinion", args=[case.pk]))
    assert '<h1 class="h2">Donner l\'avis de la Caf</h1>' in form
    client.force_login(cast.partner_state)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    assert "Donner l'avis de votre institution" in page
    assert "Donner l'avis de la Caf" not in page


def test_a_partner_never_gives_the_cafs_opinion(reference):
    case, cast = case_at(Stage.REFERRAL)
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.UNFAVOURABLE)
    caf = case.opinions.get(partner__funder_level="caf")
    assert caf.value == OpinionValue.PENDING


# --- « Classer sans suite » from a transmitted fiche -----------------------------------


def test_the_coordination_classes_a_transmitted_fiche_without_follow_up(reference, client):
    case, cast = case_at(Stage.SUBMITTED)
    client.force_login(cast.coordinator)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    url = reverse("cases:transition", args=[case.pk, "close_without_follow_up"])
    assert f'href="{url}"' in page
    assert "Classer la demande sans suite" in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Hors du champ de la mission."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED_WITHOUT_FOLLOW_UP
    decision = Decision.objects.get(case=case)
    assert decision.grounds == "Hors du champ de la mission."
    event = case.events.get(kind="close_without_follow_up")
    assert event.label == "Dossier classé sans suite"
    again = client.post(url, {"text": "Deux fois."})
    assert again.status_code == 302
    assert Decision.objects.filter(case=case).count() == 1


def test_during_the_saisine_the_classement_is_on_the_decision_form(reference, client):
    case, cast = case_at(Stage.REFERRAL)
    client.force_login(cast.coordinator)
    url = reverse("cases:transition", args=[case.pk, "close_without_follow_up"])
    response = client.get(url)
    assert response["Location"] == reverse("cases:decision", args=[case.pk])


# --- What the previous step said, shown to whoever must act ----------------------------


def test_the_manager_of_a_returned_fiche_reads_the_return_reason(reference, client):
    case, cast = case_at(Stage.SUBMITTED)
    services.case_return_for_completion(
        case=case, by=cast.coordinator, message="Joignez le dernier bilan comptable."
    )
    client.force_login(cast.board_member)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    panel = page.split('id="a-faire"')[1].split("</section>")[0]
    assert "Message de la coordination" in panel
    assert "Joignez le dernier bilan comptable." in panel
    # Submitted again: the reason is no longer something to act on.
    services.case_submit(case=case, by=cast.board_member)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    assert "Message de la coordination" not in page.split('id="a-faire"')[1].split("</section>")[0]


def test_the_consultant_reads_the_managers_comments_when_changes_are_requested(reference, client):
    case, cast = case_at(Stage.REPORT_REVIEW)
    services.report_request_changes(
        case=case, by=cast.board_member, comment="Nuancez la partie ressources humaines."
    )
    client.force_login(cast.consultant)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    panel = page.split('id="a-faire"')[1].split("</section>")[0]
    assert "Commentaires du gestionnaire" in panel
    assert "Nuancez la partie ressources humaines." in panel
    # Partners never read them (the event is for the manager, coordination and provider).
    client.force_login(cast.partner_state)
    page = page_of(client, reverse("cases:detail", args=[case.pk]))
    assert "Nuancez la partie ressources humaines." not in page


# --- No stage named in web/ ------------------------------------------------------------

STAGE_VALUES = "|".join(re.escape(stage.value) for stage in Stage)


def test_no_stage_is_named_in_the_web_package():
    """Stage-based decisions live in the policies and the workflow table: web/ names no
    stage (no Stage.X, no comparison of a stage with its value in a template)."""
    found = []
    for path in sorted((ROOT / "web").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bStage\.[A-Z_]+\b", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    template_rule = re.compile(rf"stage\s*(==|!=|in)\s*['\"]({STAGE_VALUES})['\"]")
    for path in sorted((ROOT / "web" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if template_rule.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_history_says_the_tables_past_tense(reference):
    case, cast = case_at(Stage.RESTITUTION)
    labels = dict(case.events.exclude(to_stage="").values_list("kind", "label"))
    assert labels == {
        "submit": "Fiche transmise",
        "open_referral": "Saisine concertée ouverte",
        "validate": "Demande validée",
        "submit_report": "Rapport transmis au gestionnaire",
        "validate_report": "Rapport validé",
    }


def test_already_done_is_the_same_step_that_brought_the_case_here(reference):
    case, cast = case_at(Stage.DRAFT)
    assert workflow.arrival_event(case) is None
    assert not workflow.already_done(case, "submit")
    fill_form(case, cast.board_member)
    services.case_submit(case=case, by=cast.board_member)
    assert workflow.arrival_event(case).kind == "submit"
    assert workflow.already_done(case, "submit")
    assert not workflow.already_done(case, "return_for_completion")


def test_a_notification_names_only_audiences_the_table_lists(reference):
    from soutien.cases import notifications

    case, cast = case_at(Stage.SUBMITTED)
    assert set(notifications.told(case, "return_for_completion")) == {cast.board_member.email}
    with pytest.raises(ValueError, match="workflow table"):
        notifications.told(case, "return_for_completion", "partners")
