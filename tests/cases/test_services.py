"""The business rules of each step, through the services."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import (
    Channel,
    DecisionOutcome,
    OpinionValue,
    ReportStatus,
    Stage,
)
from soutien.cases.models import Case, CaseEvent, Decision, Opinion
from soutien.core.models import OutboxEmail
from soutien.directory.models import Commune, Domain, FunderLevel
from tests.builders import case_at, fill_form, make_cast

pytestmark = pytest.mark.django_db


# --- Information form ----------------------------------------------------------------


def test_a_draft_saves_with_every_field_empty(reference):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    services.information_form_save(
        case=case,
        by=cast.board_member,
        fields={"description": "", "expectations": ""},
        situation="",
        warning_signs=[],
        domains=[],
        version=case.version,
    )
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT
    assert case.number is None


def test_submission_lists_every_missing_field_in_french(reference):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    with pytest.raises(services.CaseError) as excinfo:
        services.case_submit(case=case, by=cast.board_member)
    errors = excinfo.value.errors
    for field in (
        "situation",
        "requester_function",
        "requester_phone",
        "domains",
        "description",
        "expectations",
        "availability",
        "confidentiality_ack",
        "cooperation_ack",
        "warning_signs",
    ):
        assert field in errors, field
    assert errors["cooperation_ack"] == "Vous devez accepter la démarche de coopération."
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT


def test_the_draft_is_prefilled_with_the_requester(reference):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    assert case.form.requester_email == cast.board_member.email
    assert case.manager == cast.centre.manager


def test_an_employee_prepares_but_cannot_submit(reference):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.staff)
    fill_form(case, cast.staff)
    with pytest.raises(services.NotPermitted):
        services.case_submit(case=case, by=cast.staff)
    services.case_hand_over(case=case, by=cast.staff, message="Merci de relire.")
    assert CaseEvent.objects.filter(case=case, kind="hand_over").exists()
    services.case_submit(case=case, by=cast.board_member)
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED


def test_federation_staff_submits_for_a_federation_run_centre(reference):
    cast = make_cast(federation=True)
    case, _ = case_at(Stage.SUBMITTED, cast)
    assert case.stage == Stage.SUBMITTED
    assert re.fullmatch(r"MSTR-\d{4}-\d{4}", case.number)


def test_someone_else_cannot_start_a_case_for_a_centre(reference):
    cast = make_cast()
    with pytest.raises(services.NotPermitted):
        services.case_create_draft(centre=cast.centre, by=cast.outsider)
    with pytest.raises(services.NotPermitted):
        services.case_create_draft(centre=cast.centre, by=cast.coordinator)


def test_case_numbers_follow_each_other_within_the_year(reference):
    first, cast = case_at(Stage.SUBMITTED)
    second, _ = case_at(Stage.SUBMITTED, cast)
    year = timezone.localdate().year
    assert first.number == f"MSTR-{year}-0001"
    assert second.number == f"MSTR-{year}-0002"


def test_a_stale_form_overwrites_nothing(reference):
    cast = make_cast()
    case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
    stale_version = case.version
    services.information_form_save(
        case=case,
        by=cast.board_member,
        fields={"description": "Première version"},
        situation="crisis",
        warning_signs=[],
        domains=[],
        version=stale_version,
    )
    with pytest.raises(services.StaleForm):
        services.information_form_save(
            case=Case.objects.get(pk=case.pk),
            by=cast.board_member,
            fields={"description": "Écrasement"},
            situation="preventive",
            warning_signs=[],
            domains=[],
            version=stale_version,
        )
    case.form.refresh_from_db()
    assert case.form.description == "Première version"


def test_returned_case_keeps_everything_and_can_be_submitted_again(reference):
    case, cast = case_at(Stage.RETURNED)
    assert case.form.description.startswith("La trésorerie")
    event = CaseEvent.objects.get(case=case, kind="return_for_completion")
    assert event.comment == "Précisez."
    number = case.number
    services.case_submit(case=case, by=cast.board_member)
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
    assert case.number == number


def test_returning_needs_a_message(reference):
    case, cast = case_at(Stage.SUBMITTED)
    with pytest.raises(services.CaseError, match="Expliquez"):
        services.case_return_for_completion(case=case, by=cast.coordinator, message="  ")


# --- Saisine concertée ---------------------------------------------------------------


def test_referral_concerns_the_four_institutions_and_the_signatory_commune(reference):
    case, _ = case_at(Stage.REFERRAL)
    levels = sorted(case.opinions.values_list("partner__funder_level", flat=True))
    assert levels == sorted(["state", "region", "department", "caf", "commune"])
    commune_partner = case.opinions.get(partner__funder_level=FunderLevel.COMMUNE).partner
    assert commune_partner.commune == case.centre.commune


def test_a_centre_in_a_non_signatory_commune_concerns_no_commune(reference):
    cast = make_cast()
    cast.centre.commune = Commune.objects.get(insee_code="13004")  # Arles
    cast.centre.save()
    case, _ = case_at(Stage.REFERRAL, cast)
    assert not case.opinions.filter(partner__funder_level=FunderLevel.COMMUNE).exists()
    assert case.opinions.count() == 4


def test_a_partner_gives_then_revises_its_opinion_until_the_decision(reference):
    case, cast = case_at(Stage.REFERRAL)
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.RESERVED)
    services.opinion_give(
        case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE, comment="Rassuré."
    )
    opinion = Opinion.objects.get(case=case, partner__funder_level="state")
    assert (opinion.value, opinion.comment) == (OpinionValue.FAVOURABLE, "Rassuré.")
    assert CaseEvent.objects.filter(case=case, kind="opinion").count() == 2
    services.case_decide(
        case=case, by=cast.coordinator, outcome="validated", justification="Comité du 3 mars."
    )
    with pytest.raises(services.NotPermitted):
        services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.UNFAVOURABLE)


def test_a_partner_from_another_commune_is_not_concerned(reference):
    case, cast = case_at(Stage.REFERRAL)
    with pytest.raises(services.NotPermitted):
        services.opinion_give(
            case=case, by=cast.partner_other_commune, value=OpinionValue.FAVOURABLE
        )


def test_deciding_while_an_opinion_is_missing_requires_a_justification(reference):
    case, cast = case_at(Stage.REFERRAL)
    with pytest.raises(services.CaseError) as excinfo:
        services.case_decide(case=case, by=cast.coordinator, outcome=DecisionOutcome.VALIDATED)
    assert excinfo.value.field == "justification"
    case.refresh_from_db()
    assert case.stage == Stage.REFERRAL


def test_deciding_once_every_opinion_is_given_needs_no_justification(reference):
    case, cast = case_at(Stage.REFERRAL)
    for opinion in case.opinions.all():
        opinion.value = OpinionValue.FAVOURABLE
        opinion.given_at = timezone.now()
        opinion.save()
    services.case_decide(case=case, by=cast.coordinator, outcome=DecisionOutcome.VALIDATED)
    case.refresh_from_db()
    assert case.stage == Stage.DIAGNOSTIC
    assert case.provider.name == "Cabinet Singuliers & Co"


def test_a_refusal_needs_grounds_sent_to_the_requester(
    reference, mailoutbox, django_capture_on_commit_callbacks
):
    case, cast = case_at(Stage.REFERRAL)
    with pytest.raises(services.CaseError, match="motivé"):
        services.case_decide(
            case=case, by=cast.coordinator, outcome=DecisionOutcome.REFUSED, justification="x"
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_decide(
            case=case,
            by=cast.coordinator,
            outcome=DecisionOutcome.REFUSED,
            grounds="La situation relève d'une autre aide.",
            justification="Comité.",
        )
    assert Decision.objects.get(case=case).grounds == "La situation relève d'une autre aide."
    to_requester = [m for m in mailoutbox if cast.board_member.email in m.to]
    assert to_requester and "La situation relève d'une autre aide." in to_requester[0].body


def test_the_requester_may_withdraw_until_the_decision(reference):
    case, cast = case_at(Stage.REFERRAL)
    services.case_withdraw(case=case, by=cast.board_member, reason="Situation rétablie.")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED_WITHOUT_FOLLOW_UP
    later, cast = case_at(Stage.DIAGNOSTIC)
    with pytest.raises(services.CaseError):
        services.case_withdraw(case=later, by=cast.board_member)


# --- Diagnostic and report -------------------------------------------------------------


def test_only_a_consultant_of_the_provider_is_assigned(reference):
    case, cast = case_at(Stage.REFERRAL)
    services.case_decide(case=case, by=cast.coordinator, outcome="validated", justification="x")
    with pytest.raises(services.CaseError):
        services.consultant_assign(case=case, by=cast.consultant, consultant=cast.board_member)
    services.consultant_assign(case=case, by=cast.consultant, consultant=cast.other_consultant)
    case.refresh_from_db()
    assert case.consultant == cast.other_consultant


def test_findings_are_kept_per_field(reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    domain = Domain.objects.get(code="gouvernance")
    services.finding_save(case=case, by=cast.consultant, domain=domain, observations="CA réduit")
    services.finding_save(
        case=case, by=cast.consultant, domain=domain, observations="CA réduit à 3 membres"
    )
    assert case.findings.get().observations == "CA réduit à 3 membres"
    with pytest.raises(services.NotPermitted):
        services.finding_save(case=case, by=cast.other_consultant, domain=domain)


def test_changes_requested_lead_to_a_new_version_and_every_version_is_kept(reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    with pytest.raises(services.CaseError, match="modifications"):
        services.report_request_changes(case=case, by=cast.board_member, comment="")
    services.report_request_changes(case=case, by=cast.board_member, comment="Nuancer la RH.")
    services.report_save(case=case, by=cast.consultant, analysis="Analyse nuancée.")
    services.report_submit(case=case, by=cast.consultant)
    versions = list(case.report_versions.order_by("number"))
    assert [(v.number, v.status) for v in versions] == [
        (1, ReportStatus.CHANGES_REQUESTED),
        (2, ReportStatus.SUBMITTED),
    ]
    assert versions[0].manager_comment == "Nuancer la RH."
    assert versions[1].recommendations == versions[0].recommendations  # copied forward
    services.report_validate(case=case, by=cast.board_member)
    case.refresh_from_db()
    assert case.stage == Stage.RESTITUTION
    assert case.report_versions.get(status=ReportStatus.VALIDATED).number == 2


def test_only_the_manager_validates_the_report(reference):
    case, cast = case_at(Stage.REPORT_REVIEW)
    for someone in (cast.coordinator, cast.partner_state, cast.consultant, cast.staff):
        with pytest.raises(services.NotPermitted):
            services.report_validate(case=case, by=someone)


def test_restitution_needs_a_summary(reference):
    case, cast = case_at(Stage.RESTITUTION)
    with pytest.raises(services.CaseError, match="synthèse"):
        services.restitution_record(
            case=case, by=cast.consultant, starts_at=timezone.now(), summary=""
        )


# --- Support and closure ---------------------------------------------------------------


def test_the_centre_owns_its_action_plan(reference):
    case, cast = case_at(Stage.SUPPORT)
    action = services.action_add(
        case=case,
        by=cast.consultant,
        title="Construire un plan de trésorerie",
        owner="La trésorière",
        due_date=dt.date(2027, 3, 31),
    )
    with pytest.raises(services.NotPermitted):
        services.action_update(action=action, by=cast.consultant, status="in_progress")
    services.action_update(
        action=action, by=cast.staff, status="in_progress", note="Premier tableau fait."
    )
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert action.notes.get().text == "Premier tableau fait."


def test_closing_needs_an_outcome_and_opens_the_satisfaction_questionnaire(reference):
    case, cast = case_at(Stage.SUPPORT)
    with pytest.raises(services.CaseError):
        services.case_close(case=case, by=cast.coordinator, outcome="")
    services.case_close(case=case, by=cast.coordinator, outcome="improved")
    answers = {"usefulness": 5, "listening": 4, "ownership": 4, "would_recommend": True}
    with pytest.raises(services.NotPermitted):
        services.satisfaction_answer(case=case, by=cast.coordinator, **answers)
    services.satisfaction_answer(case=case, by=cast.board_member, **answers)
    with pytest.raises(services.AlreadyDone):
        services.satisfaction_answer(case=case, by=cast.board_member, **answers)


# --- Messages, notifications ---------------------------------------------------------


def test_private_notes_are_for_the_coordination_and_partners_only(reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    services.message_post(
        case=case, by=cast.partner_state, channel=Channel.PRIVATE_NOTE, body="À suivre."
    )
    for someone in (cast.consultant, cast.board_member):
        with pytest.raises(services.NotPermitted):
            services.message_post(
                case=case, by=someone, channel=Channel.PRIVATE_NOTE, body="Puis-je ?"
            )
    with pytest.raises(services.NotPermitted):
        services.message_post(
            case=case, by=cast.partner_state, channel=Channel.MESSAGE, body="Bonjour"
        )
    services.message_post(case=case, by=cast.board_member, channel=Channel.MESSAGE, body="Merci")


def test_notifications_are_written_in_the_transaction_and_sent_on_commit(
    reference, django_capture_on_commit_callbacks, mailoutbox
):
    case, cast = case_at(Stage.DRAFT)
    fill_form(case, cast.board_member)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_submit(case=case, by=cast.board_member)
    assert OutboxEmail.objects.filter(subject__contains=case.number).exists()
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    to_coordination = [m for m in mailoutbox if cast.coordinator.email in m.to]
    assert to_coordination
    assert "/dossiers/" in to_coordination[0].body
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_nothing_is_sent_when_the_transaction_rolls_back(
    reference, django_capture_on_commit_callbacks, mailoutbox
):
    case, cast = case_at(Stage.DRAFT)
    fill_form(case, cast.board_member)
    outbox_before = OutboxEmail.objects.count()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.case_submit(case=case, by=cast.board_member)
                raise RuntimeError("panne après la transition")
        except RuntimeError:
            pass
    assert mailoutbox == []
    assert OutboxEmail.objects.count() == outbox_before
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT


def test_a_failed_send_is_kept_and_retried(
    reference, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from soutien.core.outbox import outbox_enqueue, outbox_flush

    settings.MAILERS = {"default": {"BACKEND": "tests.cases.failing_mailer.FailingBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        [email] = outbox_enqueue(to=["a@exemple.test"], subject="Essai", body="Texte")
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and "Panne" in email.last_error
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert outbox_flush(now=timezone.now() + dt.timedelta(hours=1)) == (1, 0)
    email.refresh_from_db()
    assert email.sent_at is not None
    assert [m.subject for m in mailoutbox] == ["Essai"]


# --- Concurrency ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_numbers(reference):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        # In-memory SQLite is one connection shared by threads: submit sequentially
        # through distinct transactions, which still goes through the locking code.
        workers = 1
    else:
        workers = 4
    cast = make_cast()
    cases = []
    for _ in range(4):
        case = services.case_create_draft(centre=cast.centre, by=cast.board_member)
        fill_form(case, cast.board_member)
        cases.append(case.pk)
    errors = []

    def submit(pk):
        try:
            services.case_submit(case=Case.objects.get(pk=pk), by=cast.board_member)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    if workers == 1:
        for pk in cases:
            services.case_submit(case=Case.objects.get(pk=pk), by=cast.board_member)
    else:
        threads = [threading.Thread(target=submit, args=(pk,)) for pk in cases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    numbers = list(Case.objects.filter(pk__in=cases).values_list("number", flat=True))
    assert len(set(numbers)) == 4
    assert all(number is not None for number in numbers)


def test_the_justification_of_an_early_decision_stays_between_funders(reference):
    from soutien.cases.enums import Audience

    case, cast = case_at(Stage.REFERRAL)
    services.case_decide(
        case=case, by=cast.coordinator, outcome="validated", justification="Comité du 3 mars."
    )
    decision_event = CaseEvent.objects.get(case=case, kind="validate")
    assert decision_event.comment == ""
    note = CaseEvent.objects.get(case=case, kind="decision_justification")
    assert (note.comment, note.audience) == ("Comité du 3 mars.", Audience.PARTNERS)
