"""Reminders and escalation, with a frozen clock (every function takes ``now=``).

The case used below was submitted on 1 March 2026 at 10:00 (Paris): its referral
(saisine) is due, for a preventive request, 30 days later: on 31 March 2026. Three
opinions are awaited (the State, the commune, the Caf — given by the coordination) and
the decision: four reminders a day when they are due.
"""

import datetime as dt
import zoneinfo

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from soutien.accounts.models import Delivery, NotificationCategory
from soutien.accounts.preferences import preferences_set
from soutien.cases import services
from soutien.cases.awaiting import case_pending
from soutien.cases.deadlines import refresh_due_at
from soutien.cases.enums import Audience, OpinionValue, Situation, Stage
from soutien.cases.models import Case, Reminder, TargetDuration
from soutien.cases.reminders import run_reminders
from soutien.cases.selectors import events_visible, with_deadline
from soutien.core.models import OutboxEmail
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SUBMITTED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
DUE = dt.date(2026, 3, 31)


def at(day: dt.date, hour=7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def referral(reference):
    """A case in referral, submitted on 1 March 2026; its emails so far forgotten."""
    case, cast = case_at(Stage.REFERRAL)
    Case.objects.filter(pk=case.pk).update(submitted_at=SUBMITTED)
    refresh_due_at(Case.objects.filter(pk=case.pk))  # the date was set behind the services
    case.refresh_from_db()
    OutboxEmail.objects.all().delete()
    return case, cast


def reminded(case, day=None) -> set[tuple[str, str, int]]:
    """(kind, recipient email, rank or slot) of the reminders written, for one day."""
    rows = Reminder.objects.filter(case=case)
    if day is not None:
        rows = rows.filter(day=day)
    return {(r.kind, r.recipient.email, r.slot) for r in rows.select_related("recipient")}


def emails_to(user) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(to=user.email).order_by("pk"))


def test_who_must_act_during_the_referral(referral):
    case, cast = referral
    things = {(t.kind, t.organisation_name): t for t in case_pending(case)}
    opinions = {name for kind, name in things if kind == "opinion"}
    assert {cast.partner_state.memberships.get().organisation.name} <= opinions
    decide = things[("decide", "")]
    assert decide.user_ids == {cast.coordinator.pk}
    assert decide.due_at == SUBMITTED + days(30)
    [state] = [t for t in things.values() if cast.partner_state.pk in t.user_ids]
    assert state.user_ids == {cast.partner_state.pk}
    assert state.kind == "opinion"


def test_nothing_before_the_lead_window(referral):
    case, _ = referral
    result = run_reminders(now=at(DUE - days(4)))
    assert (result.reminders, result.escalations) == (0, 0)
    assert not Reminder.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_reminded_three_days_before_once_a_day(referral):
    case, cast = referral
    result = run_reminders(now=at(DUE - days(3)))
    assert reminded(case) == {
        ("opinion", cast.partner_state.email, "before"),
        ("opinion", cast.partner_commune.email, "before"),
        ("opinion", cast.coordinator.email, "before"),  # the Caf's, given by the coordination
        ("decide", cast.coordinator.email, "before"),
    }
    assert result.reminders == 4
    [email] = emails_to(cast.partner_state)
    assert email.subject == "Rappel : des actions vous attendent"
    assert "Donner l'avis de votre institution" in email.body
    assert "échéance le 31/03/2026, dans 3 jours" in email.body
    assert "/mon-compte/notifications/" in email.body
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A second run the same day sends nothing.
    again = run_reminders(now=at(DUE - days(3), hour=18))
    assert (again.reminders, again.emails) == (0, 0)
    assert len(emails_to(cast.partner_state)) == 1
    # The next days of the window: nothing more until the due date.
    assert run_reminders(now=at(DUE - days(2))).reminders == 0
    assert run_reminders(now=at(DUE - days(1))).reminders == 0


def test_on_the_due_date_then_every_seven_days_late(referral):
    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    assert run_reminders(now=at(DUE)).reminders == 4
    assert ("opinion", cast.partner_state.email, "due") in reminded(case, DUE)
    for late in range(1, 7):
        assert run_reminders(now=at(DUE + days(late))).reminders == 0
    assert run_reminders(now=at(DUE + days(7))).reminders == 4
    [row] = Reminder.objects.filter(recipient=cast.partner_state, day=DUE + days(7))
    assert (row.slot, row.rank) == ("late", 1)
    email = emails_to(cast.partner_state)[-1]
    assert "en retard de 7 jours" in email.body


def test_a_missed_day_is_caught_up_once(referral):
    case, cast = referral
    # The worker was stopped on the due date: the reminder leaves the next morning.
    assert run_reminders(now=at(DUE + days(1))).reminders == 0  # no "due" moment any more
    assert run_reminders(now=at(DUE + days(9))).reminders == 4  # late rank 1, caught up
    assert run_reminders(now=at(DUE + days(10))).reminders == 0


def test_no_reminder_once_done(referral):
    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.FAVOURABLE)
    run_reminders(now=at(DUE))
    assert reminded(case, DUE) == {
        ("opinion", cast.partner_commune.email, "due"),
        ("opinion", cast.coordinator.email, "due"),
        ("decide", cast.coordinator.email, "due"),
    }
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome="validated",
        justification="Décidé en comité des financeurs.",
    )
    # Now in diagnostic: the referral's reminders stop (the report's clock starts).
    assert run_reminders(now=at(DUE + days(7))).reminders == 0


def test_escalation_to_the_coordinator_after_fourteen_days_late(referral):
    case, cast = referral
    assert run_reminders(now=at(DUE + days(13))).escalations == 0
    result = run_reminders(now=at(DUE + days(14)))
    escalations = Reminder.objects.filter(slot="escalation", day=DUE + days(14))
    # One per late opinion (the coordinator's own "decide" is already a reminder today).
    assert result.escalations == escalations.count() >= 2
    assert {r.recipient_id for r in escalations} == {cast.coordinator.pk}
    email = emails_to(cast.coordinator)[-1]
    assert "alerte à la coordination" in email.body
    assert "Attendu de :" in email.body
    assert "en retard de 14 jours" in email.body
    # Not twice the same day.
    assert run_reminders(now=at(DUE + days(14), hour=20)).escalations == 0


def test_each_reminder_is_in_the_history_for_the_coordination_only(referral):
    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    events = case.events.filter(kind="reminder")
    assert events.count() == 4
    assert set(events.values_list("audience", flat=True)) == {Audience.COORDINATION}
    coordinator_sees = set(events_visible(cast.coordinator, case).values_list("kind", flat=True))
    assert "reminder" in coordinator_sees
    for reader in (cast.partner_state, cast.board_member):
        assert not events_visible(reader, case).filter(kind="reminder").exists()
    [state] = events.filter(comment__contains=cast.partner_state.get_full_name())
    assert state.label.startswith("Rappel : Donner l'avis de votre institution (")
    assert "(par courriel)" in state.comment


def test_reminders_follow_each_persons_choice(referral):
    case, cast = referral
    preferences_set(
        user=cast.partner_commune,
        by=cast.partner_commune,
        values={NotificationCategory.REMINDERS: Delivery.NONE},
    )
    preferences_set(
        user=cast.coordinator,
        by=cast.coordinator,
        values={NotificationCategory.REMINDERS: Delivery.DIGEST},
    )
    run_reminders(now=at(DUE - days(3)))
    assert len(emails_to(cast.partner_state)) == 1
    assert emails_to(cast.partner_commune) == []
    assert emails_to(cast.coordinator) == []
    deliveries = dict(
        Reminder.objects.filter(case=case).values_list("recipient__email", "delivery")
    )
    assert deliveries == {
        cast.partner_state.email: Delivery.IMMEDIATE,
        cast.partner_commune.email: Delivery.NONE,
        cast.coordinator.email: Delivery.DIGEST,
    }


def test_the_database_refuses_a_second_reminder_the_same_day(referral):
    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    row = Reminder.objects.filter(recipient=cast.partner_state).get()
    row.pk = None
    row.slot, row.rank = "late", 5  # another moment, same thing, person and day
    with pytest.raises(IntegrityError):
        row.save()


def test_a_crisis_is_due_sooner(referral):
    case, cast = referral
    Case.objects.filter(pk=case.pk).update(situation=Situation.CRISIS)
    refresh_due_at(Case.objects.filter(pk=case.pk))
    crisis_due = dt.date(2026, 3, 16)  # 15 days
    [decide] = [t for t in case_pending(Case.objects.get(pk=case.pk)) if t.kind == "decide"]
    assert decide.due_at == SUBMITTED + days(15)
    listed = with_deadline(Case.objects.filter(pk=case.pk)).get()
    assert listed.due_at == SUBMITTED + days(15)
    assert run_reminders(now=at(crisis_due)).reminders == 4
    TargetDuration.objects.create(step="referral", situation=Situation.CRISIS, days=20)
    refresh_due_at(Case.objects.filter(pk=case.pk))
    assert with_deadline(Case.objects.filter(pk=case.pk)).get().due_at == SUBMITTED + days(20)


def test_the_run_reads_a_constant_number_of_queries(reference):
    def run_with(n_cases: int) -> int:
        for _ in range(n_cases):
            case, _ = case_at(Stage.REFERRAL, make_cast())
            Case.objects.filter(pk=case.pk).update(submitted_at=SUBMITTED)
        with CaptureQueriesContext(connection) as queries:
            run_reminders(now=at(DUE - days(3)))
        # One insert per email sent (one per person) comes on top.
        return len([q for q in queries if "core_outboxemail" not in q["sql"]])

    one = run_with(1)
    Reminder.objects.all().delete()
    three = run_with(2)  # three cases now pending
    assert three == one
    assert Reminder.objects.values("case").distinct().count() == 3


def test_the_coordinator_edits_the_reminder_settings(client, referral):
    from django.urls import reverse

    case, cast = referral
    client.force_login(cast.coordinator)
    url = reverse("cases:targets")
    data = {"section": "reminders", "lead_days": 5, "repeat_days": 0, "escalate_after_days": 10}
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["reminder_form"]
    assert form.errors["repeat_days"] == ["Les relances ont lieu tous les 1 à 60 jours."]
    assert form["lead_days"].value() == "5"  # nothing typed is lost
    data["repeat_days"] = 2
    assert client.post(url, data).status_code == 302
    # Five days before: reminded now; two days late: relaunched.
    assert run_reminders(now=at(DUE - days(5))).reminders == 4
    assert run_reminders(now=at(DUE + days(2))).reminders == 4
    assert run_reminders(now=at(DUE + days(10))).escalations >= 2
    client.force_login(cast.partner_state)
    assert client.post(url, data).status_code == 404


def test_two_runs_at_once_send_each_reminder_once(referral, monkeypatch):
    """The second run read before the first one wrote: the database refuses its rows,
    and it sends nothing (its emails roll back with them)."""
    from soutien.cases import reminders

    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    emails = OutboxEmail.objects.count()
    monkeypatch.setattr(reminders, "_already_sent", lambda things, today: (set(), set()))
    result = run_reminders(now=at(DUE - days(3), hour=8))
    assert result.already_done
    assert OutboxEmail.objects.count() == emails
    assert Reminder.objects.count() == 4


def test_anonymising_a_case_forgets_who_was_reminded(referral):
    case, cast = referral
    run_reminders(now=at(DUE - days(3)))
    services.case_decide(
        case=case,
        by=cast.coordinator,
        outcome="closed_without_follow_up",
        grounds="Le centre a trouvé une autre solution.",
        justification="Décidé en comité des financeurs.",
    )
    services.case_anonymise(case=case)
    assert set(Reminder.objects.filter(case=case).values_list("recipient", flat=True)) == {None}
    [event] = case.events.filter(kind="reminder")[:1]
    assert cast.partner_state.get_full_name() not in event.comment
