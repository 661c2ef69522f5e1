"""The daily reminder run: whoever must act is reminded before, on and after the due date;
the coordinator is told of a step long late.

For each dated pending thing (soutien.cases.awaiting: the stage things, and the open
actions of the plans in support, reminded to whoever carries them) and each person who
must act, one moment (`slot`) may be due today, with the coordinator's settings (ReminderSettings):

- ``before``: from ``lead_days`` days before the due date (once);
- ``due``: on the due date (once);
- ``late`` rank k: once k × ``repeat_days`` days have passed since the due date;
- ``escalation`` rank k, to the coordination: once ``escalate_after_days`` + k ×
  ``repeat_days`` days have passed (not for the actions of the plan).

A moment missed (the worker was stopped) is caught up on the next run, and never sent
twice: each reminder is a `Reminder` row, unique per (thing, person, day) and per
(thing, person, due date, moment, rank) in the database. A thing done is no longer
pending, so its reminders stop; an action done or dropped too, and an action given a
new due date is reminded against the new date. Each reminder sent is recorded in the case history,
visible to the coordination only. Each person receives at most one email per run,
listing all their reminders, if they chose to be told at once (preferences, category
« Rappels et retards »); with the daily digest they find them there.

The run is bounded: a fixed number of queries whatever the number of cases, plus one
insert per email.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from soutien.accounts import preferences
from soutien.accounts.models import Delivery, NotificationCategory, User
from soutien.cases import notifications
from soutien.cases.awaiting import Pending, pending_actions, pending_cases, pending_for
from soutien.cases.deadlines import CLOCKS
from soutien.cases.enums import Audience, EventKind
from soutien.cases.models import CaseEvent, Reminder, ReminderSettings
from soutien.core import clock
from soutien.core.text import one_line
from soutien.directory.models import Membership, Role

logger = logging.getLogger(__name__)

CATEGORY = NotificationCategory.REMINDERS
Slot = Reminder.Slot
DELIVERY_WORDS = {
    Delivery.IMMEDIATE: "par courriel",
    Delivery.DIGEST: "dans son récapitulatif quotidien",
    Delivery.NONE: "non prévenu(e) : a choisi de ne pas recevoir de rappels",
}


@dataclass(frozen=True)
class Moment:
    slot: str
    rank: int = 0


@dataclass
class RunResult:
    day: dt.date
    reminders: int = 0
    escalations: int = 0
    emails: int = 0
    already_done: bool = False


def moment_for(due_on: dt.date, today: dt.date, settings: ReminderSettings) -> Moment | None:
    """The reminder due today for a thing due on ``due_on`` (None: nothing today)."""
    late = (today - due_on).days
    if late < 0:
        return Moment(Slot.BEFORE) if -late <= settings.lead_days else None
    if late == 0:
        return Moment(Slot.DUE)
    rank = late // settings.repeat_days
    return Moment(Slot.LATE, rank) if rank >= 1 else None


def escalation_for(due_on: dt.date, today: dt.date, settings: ReminderSettings) -> Moment | None:
    """The alert to the coordination due today (None: not late enough)."""
    beyond = (today - due_on).days - settings.escalate_after_days
    if beyond < 0:
        return None
    return Moment(Slot.ESCALATION, beyond // settings.repeat_days)


def when_words(due_on: dt.date, today: dt.date) -> str:
    days = (due_on - today).days
    if days > 1:
        return f"échéance le {due_on:%d/%m/%Y}, dans {days} jours"
    if days == 1:
        return f"échéance demain, le {due_on:%d/%m/%Y}"
    if days == 0:
        return f"échéance aujourd'hui, le {due_on:%d/%m/%Y}"
    late = -days
    return f"échéance le {due_on:%d/%m/%Y}, en retard de {late} jour{'s' if late > 1 else ''}"


def run_reminders(*, now=None) -> RunResult:
    """Send today's reminders and escalations (idempotent for the day)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    settings = ReminderSettings.current()
    cases = list(pending_cases().filter(stage__in=list(CLOCKS)).select_related("centre"))
    things = [t for t in pending_for(cases) if t.due_at is not None]
    things += pending_actions(today, settings.lead_days)
    result = RunResult(day=today)
    if not things:
        return result

    sent, sent_today = _already_sent(things, today)
    coordinators = _coordinators()

    # (thing, moment, recipient ids) to send.
    planned: list[tuple[Pending, Moment, list[int]]] = []
    for thing in things:
        due_on = timezone.localdate(thing.due_at)
        taken = set()
        for moment, user_ids in (
            (moment_for(due_on, today, settings), thing.user_ids),
            (escalation_for(due_on, today, settings) if thing.escalates else None, coordinators),
        ):
            if moment is None:
                continue
            recipients = [
                user_id
                for user_id in sorted(user_ids)
                if user_id not in taken
                and (*thing.key, user_id) not in sent_today
                and (*thing.key, user_id, due_on, moment.slot, moment.rank) not in sent
            ]
            taken.update(recipients)
            if recipients:
                planned.append((thing, moment, recipients))
    if not planned:
        return result

    user_ids = {user_id for _, _, recipients in planned for user_id in recipients}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True)}
    chosen = preferences.deliveries(users, CATEGORY)
    rows, events = [], []
    by_user: dict[int, list[tuple[Pending, Moment]]] = defaultdict(list)
    for thing, moment, recipients in planned:
        recipients = [user_id for user_id in recipients if user_id in users]
        if not recipients:
            continue
        due_on = timezone.localdate(thing.due_at)
        for user_id in recipients:
            rows.append(
                Reminder(
                    case=thing.case,
                    kind=thing.kind,
                    subject=thing.subject,
                    recipient_id=user_id,
                    day=today,
                    due_on=due_on,
                    slot=moment.slot,
                    rank=moment.rank,
                    delivery=chosen[user_id],
                )
            )
            if chosen[user_id] == Delivery.IMMEDIATE:
                by_user[user_id].append((thing, moment))
        events.append(_event(thing, moment, due_on, today, recipients, users, chosen))
        if moment.slot == Slot.ESCALATION:
            result.escalations += len(recipients)
        else:
            result.reminders += len(recipients)

    try:
        with transaction.atomic():
            Reminder.objects.bulk_create(rows)
            CaseEvent.objects.bulk_create(events)
            for user_id, items in by_user.items():
                _email(users[user_id], items, today)
                result.emails += 1
    except IntegrityError:
        # Another run of the same day wrote these reminders first: it sent them.
        logger.info("Reminders of %s already sent by another run.", today)
        return RunResult(day=today, already_done=True)
    return result


def _already_sent(things: list[Pending], today: dt.date) -> tuple[set, set]:
    """The moments already sent for these things, and (thing, person) reminded today."""
    rows = Reminder.objects.filter(case_id__in={t.case.pk for t in things}).values_list(
        "case_id", "kind", "subject", "recipient_id", "due_on", "slot", "rank", "day"
    )
    sent, sent_today = set(), set()
    for *moment_key, day in rows:
        sent.add(tuple(moment_key))
        if day == today:
            sent_today.add(tuple(moment_key[:4]))
    return sent, sent_today


def _coordinators() -> frozenset[int]:

    return frozenset(
        Membership.objects.filter(
            role=Role.COORDINATOR, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _what(thing: Pending) -> str:
    if thing.organisation_name:
        return f"{thing.label} ({one_line(thing.organisation_name)})"
    return thing.label


def _event(thing, moment, due_on, today, recipients, users, chosen) -> CaseEvent:
    escalation = moment.slot == Slot.ESCALATION
    head = "Alerte de retard à la coordination" if escalation else "Rappel"
    names = "\n".join(
        f"- {one_line(users[user_id].get_full_name() or users[user_id].email)} "
        f"({DELIVERY_WORDS[chosen[user_id]]})"
        for user_id in recipients
    )
    return CaseEvent(
        case=thing.case,
        kind=EventKind.REMINDER,
        label=f"{head} : {_what(thing)} — {when_words(due_on, today)}"[:200],
        comment=f"Personnes concernées :\n{names}",
        audience=Audience.COORDINATION,
    )


def _case_url(case) -> str:
    return preferences.site_url(reverse("cases:detail", args=[case.pk]))


def _email(user, items: list[tuple[Pending, Moment]], today: dt.date) -> None:
    escalations = [thing for thing, moment in items if moment.slot == Slot.ESCALATION]
    reminders = [thing for thing, moment in items if moment.slot != Slot.ESCALATION]
    notifications.Reminders(
        reminders=[_item(thing, today) for thing in reminders],
        escalations=[_item(thing, today) for thing in escalations],
    ).send(to=[user])


def _item(thing: Pending, today: dt.date) -> dict:
    """One line of the reminder email (emails/reminders.body.txt)."""
    return {
        "case": thing.case,
        "what": _what(thing),
        "when": when_words(timezone.localdate(thing.due_at), today),
        "url": _case_url(thing.case),
        "actor": thing.actor_label,
    }
