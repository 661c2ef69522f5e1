"""The daily digest: one email per person who chose it for at least one category, listing
what awaits them (soutien.cases.awaiting, with the due and late actions of the plan) and
what changed on their cases since their last digest (the timeline events they may read,
soutien.cases.policies.visible_audiences).
Nothing is sent when both are empty; at most one digest a person a day
(NotificationDigest, unique per person and day).

What each category contributes follows the person's choices: the things awaiting them
unless they turned reminders off; the changes of their cases if « Activité de mes
dossiers » goes to the digest; the meetings if « Réunions » does.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from soutien.accounts import preferences
from soutien.accounts.models import (
    Delivery,
    NotificationCategory,
    NotificationDigest,
    NotificationPreference,
    User,
)
from soutien.cases import notifications
from soutien.cases.awaiting import Pending, pending_actions, pending_cases, pending_for, pending_of
from soutien.cases.models import CaseEvent, ReminderSettings
from soutien.cases.policies import visible_audiences
from soutien.cases.reminders import when_words
from soutien.cases.selectors import cases_visible_to
from soutien.core import clock
from soutien.core.text import one_line

logger = logging.getLogger(__name__)

# The category of a timeline event, for the person's choice.
MEETING_EVENT_PREFIX = "meeting_"
# Events that are not changes of the case for its readers.
SILENT_EVENT_KINDS = {"reminder"}
FIRST_DIGEST_SPAN = dt.timedelta(days=1)


def digest_for(user, *, things: list[Pending], now, since) -> dict:
    """What the digest of ``user`` lists: {"awaiting": [...], "changes": [(case, [events])]}."""
    chosen = preferences.preferences_of(user)
    awaiting = []
    if chosen[NotificationCategory.REMINDERS] != Delivery.NONE:
        awaiting = pending_of(user.pk, things)
    with_activity = chosen[NotificationCategory.CASE_ACTIVITY] == Delivery.DIGEST
    with_meetings = chosen[NotificationCategory.MEETINGS] == Delivery.DIGEST
    changes = []
    if with_activity or with_meetings:
        events = (
            CaseEvent.objects.filter(
                case__in=cases_visible_to(user), created_at__gt=since, created_at__lte=now
            )
            .exclude(kind__in=SILENT_EVENT_KINDS)
            .exclude(actor=user)
            .select_related("case", "case__centre")
            .order_by("case_id", "created_at", "pk")
        )
        by_case: dict[int, tuple] = {}
        audiences: dict[int, set[str]] = {}
        for event in events:
            meeting = event.kind.startswith(MEETING_EVENT_PREFIX)
            if (meeting and not with_meetings) or (not meeting and not with_activity):
                continue
            case = event.case
            if case.pk not in audiences:
                audiences[case.pk] = visible_audiences(user, case)
            if event.audience not in audiences[case.pk]:
                continue
            by_case.setdefault(case.pk, (case, []))[1].append(event)
        changes = list(by_case.values())
    return {"awaiting": awaiting, "changes": changes}


def _email(content, today) -> notifications.Digest:
    """The digest email (emails/digest.body.txt) listing ``content`` (see digest_for)."""
    site = preferences.site_url

    def url(case):
        return site(reverse("cases:detail", args=[case.pk]))

    awaiting = [
        {
            "case": thing.case,
            "what": thing.label
            + (f" ({one_line(thing.organisation_name)})" if thing.organisation_name else ""),
            "when": when_words(timezone.localdate(thing.due_at), today) if thing.due_at else "",
            "url": url(thing.case),
        }
        for thing in content["awaiting"]
    ]
    changes = [
        {"case": case, "events": events, "url": url(case)} for case, events in content["changes"]
    ]
    return notifications.Digest(today=today, awaiting=awaiting, changes=changes)


def send_digests(*, now=None) -> int:
    """Send today's digests (idempotent for the day). Returns how many were sent."""
    now = now or clock.now()
    today = timezone.localdate(now)
    subscribers = (
        NotificationPreference.objects.filter(delivery=Delivery.DIGEST, user__is_active=True)
        .exclude(category__in=preferences.LOCKED_CATEGORIES)
        .values("user_id")
    )
    done_today = NotificationDigest.objects.filter(day=today).values("user_id")
    users = list(User.objects.filter(pk__in=subscribers).exclude(pk__in=done_today))
    if not users:
        return 0
    last = dict(
        NotificationDigest.objects.filter(user__in=users)
        .order_by("user_id", "sent_at")
        .values_list("user_id", "sent_at")
    )
    things = pending_for(pending_cases().select_related("centre"))
    # The due and late actions of the plan, as the reminders see them.
    things += pending_actions(today, ReminderSettings.current().lead_days)
    sent = 0
    for user in users:
        since = last.get(user.pk) or now - FIRST_DIGEST_SPAN
        content = digest_for(user, things=things, now=now, since=since)
        items = len(content["awaiting"]) + sum(len(events) for _, events in content["changes"])
        if not items:
            continue
        try:
            with transaction.atomic():
                NotificationDigest.objects.create(user=user, day=today, sent_at=now, items=items)
                _email(content, today).send(to=[user])
        except IntegrityError:  # another run sent it first
            continue
        sent += 1
    return sent
