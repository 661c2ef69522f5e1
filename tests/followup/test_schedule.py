"""Follow-up questionnaires: planned at closure, sent at 6 and 12 months, reminded twice,
never twice the same day, never once answered (frozen clock, hand-written dates)."""

import datetime as dt

import pytest

from soutien.cases.enums import Audience
from soutien.core import clock
from soutien.followup import services
from soutien.followup.enums import ActionsContinued, Situation, WouldAskAgain
from soutien.followup.jobs import REMIND_AFTER_DAYS
from soutien.followup.models import FollowUp
from tests.followup.helpers import at, closed_case, followup_emails_to, run_at

pytestmark = pytest.mark.django_db


def answer(followup, by, moment):
    with clock.frozen_at(moment):
        return services.followup_answer(
            followup=followup,
            by=by,
            situation=Situation.STABILISED,
            actions_continued=ActionsContinued.SOME,
            new_difficulties=False,
            would_ask_again=WouldAskAgain.YES,
        )


def test_closing_a_case_plans_the_6_and_12_month_questionnaires(reference):
    case, _ = closed_case(at(2026, 3, 15, 10))
    planned = list(case.followups.values_list("milestone", "due_on", "sent_at"))
    assert planned == [(6, dt.date(2026, 9, 15), None), (12, dt.date(2027, 3, 15), None)]


def test_a_closure_late_at_night_counts_in_paris_time(reference):
    # 23:30 in Paris on 31 August is still 31 August there (21:30 UTC).
    case, _ = closed_case(at(2026, 8, 31, 23, 30))
    assert list(case.followups.values_list("due_on", flat=True)) == [
        dt.date(2027, 2, 28),
        dt.date(2027, 8, 31),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 15), 6, dt.date(2026, 9, 15)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2026, 7, 10), 6, dt.date(2027, 1, 10)),
    ],
)
def test_months_are_added_to_the_calendar(day, months, expected):
    assert services.add_months(day, months) == expected


def test_sent_on_its_due_date_reminded_twice_then_silent(reference):
    case, cast = closed_case(at(2026, 3, 15, 10))
    manager = cast.board_member
    assert run_at(at(2026, 9, 14)) == {"sent": 0, "reminded": 0}
    assert followup_emails_to(manager) == []

    assert run_at(at(2026, 9, 15)) == {"sent": 1, "reminded": 0}
    [email] = followup_emails_to(manager)
    assert email.subject == f"[{case.number}] Suivi à 6 mois : où en est votre centre ?"
    assert f"/suivi/dossier/{case.pk}/6-mois/" in email.body
    # The same day, later: nothing more.
    assert run_at(at(2026, 9, 15, 18)) == {"sent": 0, "reminded": 0}
    # 13 days later: too early; 14 days: the first reminder, once that day.
    assert REMIND_AFTER_DAYS == 14
    assert run_at(at(2026, 9, 28)) == {"sent": 0, "reminded": 0}
    assert run_at(at(2026, 9, 29)) == {"sent": 0, "reminded": 1}
    assert run_at(at(2026, 9, 29, 12)) == {"sent": 0, "reminded": 0}
    assert run_at(at(2026, 10, 13)) == {"sent": 0, "reminded": 1}
    # Two reminders at most.
    assert run_at(at(2026, 10, 27)) == {"sent": 0, "reminded": 0}
    assert run_at(at(2026, 12, 1)) == {"sent": 0, "reminded": 0}

    subjects = [email.subject for email in followup_emails_to(manager)]
    assert subjects == [
        f"[{case.number}] Suivi à 6 mois : où en est votre centre ?",
        f"[{case.number}] Rappel : suivi à 6 mois, votre réponse est attendue",
        f"[{case.number}] Rappel : suivi à 6 mois, votre réponse est attendue",
    ]
    last = followup_emails_to(manager)[-1]
    assert "C'est le dernier rappel" in last.body
    assert "C'est le dernier rappel" not in followup_emails_to(manager)[1].body
    # The employee of the centre is not the manager: nothing for him.
    assert followup_emails_to(cast.staff) == []
    six = FollowUp.objects.get(case=case, milestone=6)
    assert (six.reminders, six.reminded_at) == (2, at(2026, 10, 13))
    # Each email is in the history, for the coordination only.
    events = case.events.filter(kind="followup_email").order_by("pk")
    assert [(e.label, e.audience) for e in events] == [
        ("Suivi à 6 mois : questionnaire envoyé au gestionnaire", Audience.COORDINATION),
        ("Suivi à 6 mois : relance n°1 envoyée", Audience.COORDINATION),
        ("Suivi à 6 mois : relance n°2 envoyée", Audience.COORDINATION),
    ]


def test_the_12_month_questionnaire_replaces_the_unanswered_6_month_one(reference):
    case, cast = closed_case(at(2026, 3, 15, 10))
    assert run_at(at(2026, 9, 15)) == {"sent": 1, "reminded": 0}
    assert run_at(at(2027, 3, 14)) == {"sent": 0, "reminded": 1}
    # The 12-month one is due: it is sent, and the 6-month one is no longer reminded.
    assert run_at(at(2027, 3, 15)) == {"sent": 1, "reminded": 0}
    assert run_at(at(2027, 3, 29)) == {"sent": 0, "reminded": 1}
    subjects = [email.subject for email in followup_emails_to(cast.board_member)]
    assert subjects == [
        f"[{case.number}] Suivi à 6 mois : où en est votre centre ?",
        f"[{case.number}] Rappel : suivi à 6 mois, votre réponse est attendue",
        f"[{case.number}] Suivi à 12 mois : où en est votre centre ?",
        f"[{case.number}] Rappel : suivi à 12 mois, votre réponse est attendue",
    ]
    assert f"/suivi/dossier/{case.pk}/12-mois/" in followup_emails_to(cast.board_member)[2].body


def test_nothing_is_sent_once_answered(reference):
    case, cast = closed_case(at(2026, 3, 15, 10))
    run_at(at(2026, 9, 15))
    answer(FollowUp.objects.get(case=case, milestone=6), cast.board_member, at(2026, 9, 20, 15))
    assert run_at(at(2026, 9, 29)) == {"sent": 0, "reminded": 0}
    assert run_at(at(2026, 10, 13)) == {"sent": 0, "reminded": 0}
    assert len(followup_emails_to(cast.board_member)) == 1
    event = case.events.get(kind="followup_6")
    assert (event.label, event.audience) == ("Suivi à 6 mois reçu", Audience.COORDINATION)


def test_a_run_caught_up_late_sends_once(reference):
    case, cast = closed_case(at(2026, 3, 15, 10))
    # The worker was stopped for a fortnight: the questionnaire goes out once, late.
    assert run_at(at(2026, 9, 30)) == {"sent": 1, "reminded": 0}
    assert run_at(at(2026, 9, 30, 8)) == {"sent": 0, "reminded": 0}
    assert len(followup_emails_to(cast.board_member)) == 1


def test_a_manager_who_turned_case_activity_off_gets_no_questionnaire_email(reference):
    from soutien.accounts.models import Delivery, NotificationCategory, NotificationPreference

    case, cast = closed_case(at(2026, 3, 15, 10))
    NotificationPreference.objects.create(
        user=cast.board_member,
        category=NotificationCategory.CASE_ACTIVITY,
        delivery=Delivery.NONE,
    )
    assert run_at(at(2026, 9, 15)) == {"sent": 1, "reminded": 0}
    assert followup_emails_to(cast.board_member) == []
    # The questionnaire is open on the site all the same.
    assert FollowUp.objects.get(case=case, milestone=6).sent_at == at(2026, 9, 15)


def test_an_anonymised_case_gets_no_questionnaire(reference):
    from soutien.cases.services import case_anonymise

    case, cast = closed_case(at(2026, 3, 15, 10))
    case_anonymise(case=case)
    assert run_at(at(2026, 9, 15)) == {"sent": 0, "reminded": 0}


def test_the_daily_run_of_the_task_worker_sends_them(reference):
    from soutien.cases.tasks import run_daily

    case, cast = closed_case(at(2026, 3, 15, 10))
    done = run_daily(now=at(2026, 9, 15))
    assert done["send_followups"] == {"sent": 1, "reminded": 0}
    assert len(followup_emails_to(cast.board_member)) == 1


def test_anonymising_the_case_erases_the_words_of_the_answers(reference):
    from soutien.cases.services import case_anonymise

    case, cast = closed_case(at(2026, 3, 15, 10))
    run_at(at(2026, 9, 15))
    followup = FollowUp.objects.get(case=case, milestone=6)
    with clock.frozen_at(at(2026, 9, 20)):
        services.followup_answer(
            followup=followup,
            by=cast.board_member,
            situation=Situation.DETERIORATED,
            actions_continued=ActionsContinued.NONE,
            new_difficulties=True,
            new_difficulties_text="Conflit au conseil d'administration.",
            would_ask_again=WouldAskAgain.NO,
        )
    case_anonymise(case=case)
    followup.refresh_from_db()
    # The structured answers stay for the evaluation; the words and the person go.
    assert (followup.situation, followup.actions_continued, followup.would_ask_again) == (
        "deteriorated",
        "none",
        "no",
    )
    assert (followup.new_difficulties_text, followup.answered_by) == ("[anonymisé]", None)


def refuse_everything(**arguments):
    raise RuntimeError("Le suivi n'a pas pu être planifié")


def test_a_failing_closure_hook_rolls_the_closure_back(reference, settings):
    from soutien.cases import services as case_services
    from soutien.cases.enums import ClosureOutcome, Stage
    from tests.builders import case_at

    settings.SOUTIEN_CASE_HOOKS = {"close": [f"{__name__}.refuse_everything"]}
    case, cast = case_at(Stage.SUPPORT)
    with pytest.raises(RuntimeError):
        case_services.case_close(case=case, by=cast.coordinator, outcome=ClosureOutcome.IMPROVED)
    case.refresh_from_db()
    assert case.stage == Stage.SUPPORT
    assert not FollowUp.objects.filter(case=case).exists()
