"""Due and late actions of the plan are reminded like every other deadline (issue #16 point 2):
to whoever carries them, before (lead days), on and every N days after their due date,
never twice the same day, until they are done, dropped or given a new date.

Default settings: three days before, then every seven days late."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from soutien.accounts.models import Delivery, NotificationCategory
from soutien.accounts.preferences import preferences_set
from soutien.cases import action_plan
from soutien.cases.awaiting import ACTION_KIND
from soutien.cases.digest import send_digests
from soutien.cases.enums import Audience, EventKind, Stage
from soutien.cases.models import Action, Reminder
from soutien.cases.reminders import run_reminders
from soutien.core.models import OutboxEmail
from soutien.directory.models import Role
from tests.builders import case_at, case_with_recommendations
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DUE = dt.date(2027, 3, 31)
TREASURY = "Construire un plan de trésorerie sur douze mois"


def at(day: dt.date, hour=7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def plan(reference):
    """A case in support; its first action carried by the staff member's account, its
    second by nobody with an account, both due on 31 March 2027; the third undated."""
    case, cast = case_with_recommendations()
    assert case.stage == Stage.SUPPORT
    carried, uncarried, undated = case.actions.order_by("pk")
    action_plan.action_accept(
        action=carried, by=cast.board_member, carried_by=cast.staff, due_date=DUE
    )
    action_plan.action_accept(
        action=uncarried, by=cast.board_member, owner="Le bureau", due_date=DUE
    )
    action_plan.action_accept(action=undated, by=cast.board_member, owner="Le bureau")
    OutboxEmail.objects.all().delete()
    return case, cast, Action.objects.get(pk=carried.pk), Action.objects.get(pk=uncarried.pk)


def action_reminders(case, day=None) -> set[tuple[str, str, str, int]]:
    """(action id, recipient email, slot, rank) of the action reminders written."""
    rows = Reminder.objects.filter(case=case, kind=ACTION_KIND).select_related("recipient")
    if day is not None:
        rows = rows.filter(day=day)
    return {(r.subject, r.recipient.email, r.slot, r.rank) for r in rows}


def test_nothing_before_the_lead_window(plan):
    case, *_ = plan
    run_reminders(now=at(DUE - days(4)))
    assert action_reminders(case) == set()


def test_before_the_due_date_the_carrier_rather_than_the_managers(plan):
    case, cast, carried, uncarried = plan
    result = run_reminders(now=at(DUE - days(3)))
    assert action_reminders(case) == {
        (str(carried.pk), cast.staff.email, "before", 0),
        (str(uncarried.pk), cast.board_member.email, "before", 0),
    }
    assert result.escalations == 0
    # The staff member is told of the action they carry, in the one daily reminder email.
    (email,) = OutboxEmail.objects.filter(to=cast.staff.email)
    assert email.subject.startswith("Rappel")
    assert f"Action du plan « {TREASURY} »" in email.body
    assert "échéance le 31/03/2027, dans 3 jours" in email.body
    (board_email,) = OutboxEmail.objects.filter(to=cast.board_member.email)
    assert TREASURY not in board_email.body


def test_on_the_due_date_then_every_seven_days_late(plan):
    case, cast, carried, _ = plan
    for offset in range(-3, 22):
        run_reminders(now=at(DUE + days(offset)))
    mine = {
        (r.day, r.slot, r.rank)
        for r in Reminder.objects.filter(
            case=case, kind=ACTION_KIND, subject=str(carried.pk), recipient=cast.staff
        )
    }
    assert mine == {
        (DUE - days(3), "before", 0),
        (DUE, "due", 0),
        (DUE + days(7), "late", 1),
        (DUE + days(14), "late", 2),
        (DUE + days(21), "late", 3),
    }


def test_late_actions_are_never_escalated_to_the_coordination(plan):
    case, cast, *_ = plan
    run_reminders(now=at(DUE + days(14)))
    assert {email for _, email, _, _ in action_reminders(case)} == {
        cast.staff.email,
        cast.board_member.email,
    }
    assert not OutboxEmail.objects.filter(to=cast.coordinator.email).exists()


def test_a_second_run_the_same_day_sends_nothing(plan):
    case, cast, *_ = plan
    run_reminders(now=at(DUE))
    second = run_reminders(now=at(DUE, hour=18))
    assert second.reminders == 0
    assert second.emails == 0
    assert len(action_reminders(case, DUE)) == 2
    assert OutboxEmail.objects.filter(to=cast.staff.email).count() == 1


def test_none_once_done_or_dropped(plan):
    case, cast, carried, uncarried = plan
    run_reminders(now=at(DUE))
    action_plan.action_set_status(action=carried, by=cast.staff, status="done")
    action_plan.action_set_status(
        action=uncarried, by=cast.board_member, status="dropped", reason="Plus d'actualité."
    )
    run_reminders(now=at(DUE + days(7)))
    assert action_reminders(case, DUE + days(7)) == set()


def test_an_action_postponed_to_a_new_date_is_reminded_against_it(plan):
    case, cast, carried, _ = plan
    run_reminders(now=at(DUE))
    action_plan.action_set_status(
        action=carried, by=cast.staff, status="postponed", reason="Attendre le budget."
    )
    # No service moves the date of an accepted action yet: set it as the form would.
    Action.objects.filter(pk=carried.pk).update(due_date=DUE + days(30))
    for offset in range(1, 28):
        run_reminders(now=at(DUE + days(offset)))
    later = {
        (r.day, r.due_on, r.slot)
        for r in Reminder.objects.filter(
            case=case, kind=ACTION_KIND, subject=str(carried.pk), day__gt=DUE
        )
    }
    assert later == {(DUE + days(27), DUE + days(30), "before")}


def test_an_inactive_carrier_leaves_the_reminder_to_the_managers(plan):
    case, cast, carried, _ = plan
    cast.staff.is_active = False
    cast.staff.save(update_fields=["is_active"])
    run_reminders(now=at(DUE))
    assert (str(carried.pk), cast.board_member.email, "due", 0) in action_reminders(case)


def test_each_action_reminder_is_in_the_history_for_the_coordination_only(plan):
    case, cast, *_ = plan
    run_reminders(now=at(DUE))
    events = case.events.filter(kind=EventKind.REMINDER, label__contains="Action du plan")
    labels = {e.label for e in events}
    assert f"Rappel : Action du plan « {TREASURY} » — échéance aujourd'hui, le 31/03/2027" in (
        labels
    )
    assert {e.audience for e in events} == {Audience.COORDINATION}


def test_action_reminders_follow_each_persons_choice(plan):
    case, cast, carried, _ = plan
    preferences_set(
        user=cast.staff, by=cast.staff, values={NotificationCategory.REMINDERS: Delivery.NONE}
    )
    run_reminders(now=at(DUE))
    row = Reminder.objects.get(case=case, kind=ACTION_KIND, subject=str(carried.pk))
    assert row.delivery == Delivery.NONE
    assert not OutboxEmail.objects.filter(to=cast.staff.email).exists()


def test_who_chose_the_digest_finds_the_action_there(plan):
    case, cast, carried, _ = plan
    preferences_set(
        user=cast.staff, by=cast.staff, values={NotificationCategory.REMINDERS: Delivery.DIGEST}
    )
    run_reminders(now=at(DUE))
    row = Reminder.objects.get(case=case, kind=ACTION_KIND, subject=str(carried.pk))
    assert row.delivery == Delivery.DIGEST
    assert not OutboxEmail.objects.filter(to=cast.staff.email).exists()
    assert send_digests(now=at(DUE, hour=8)) >= 1
    (digest,) = OutboxEmail.objects.filter(to=cast.staff.email)
    assert "CE QUI VOUS ATTEND" in digest.body
    assert f"Action du plan « {TREASURY} »" in digest.body
    assert "échéance aujourd'hui, le 31/03/2027" in digest.body


def test_the_actions_of_a_case_not_in_support_are_not_reminded(reference):
    case, cast = case_at(Stage.DIAGNOSTIC)
    Action.objects.create(case=case, title="Hors plan", owner="Le bureau", due_date=DUE)
    run_reminders(now=at(DUE))
    assert action_reminders(case) == set()


def test_the_run_with_actions_reads_a_constant_number_of_queries(plan):
    _, cast, *_ = plan

    def count() -> int:
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run_reminders(now=at(DUE))
        return len([q for q in queries if "core_outboxemail" not in q["sql"]])

    one = count()
    other, other_cast = case_with_recommendations()
    extra = MembershipFactory(organisation=other_cast.association, role=Role.BOARD_MEMBER).user
    for action in other.actions.all():
        action_plan.action_accept(
            action=action, by=other_cast.board_member, carried_by=extra, due_date=DUE
        )
    assert count() == one
    assert Reminder.objects.filter(kind=ACTION_KIND).values("case").distinct().count() == 2
