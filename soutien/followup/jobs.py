"""The daily job of the follow-up questionnaires (settings ``SOUTIEN_DAILY_JOBS``).

On its due date (6 and 12 months after closure) a questionnaire is sent to the case's
managers; unanswered, it is reminded ``REMIND_AFTER_DAYS`` days after the last email,
``MAX_REMINDERS`` times at most; then it stops. Once answered, nothing more is sent. The
6-month questionnaire still unanswered when the 12-month one is due is no longer
reminded (the newer one replaces it). A run caught up late sends what is due once.

Never twice: each questionnaire is handled in its own transaction, under a row lock,
and its dates are checked again there; nothing is sent on a day when that questionnaire
already had an email (``sent_at`` or ``reminded_at`` of today). Each email is recorded in
the case history, visible to the coordination only.

Who is told: each active manager account of the case (« administrateur bénévole » of
the association, or « salarié » of the federation, that manages the centre), by email
through the outbox, unless they chose « Jamais » for the category (« Activité de mes
dossiers » for the questionnaire, « Rappels et retards » for its reminders). The daily
digest does not list them: whoever chose the digest gets the email itself.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from soutien.accounts.models import NotificationCategory, User
from soutien.cases.enums import Audience, EventKind, Stage
from soutien.cases.services import record_event
from soutien.core import clock
from soutien.directory.models import Membership, Role
from soutien.followup.enums import Milestone
from soutien.followup.models import FollowUp
from soutien.followup.notifications import FollowUpQuestionnaire, FollowUpReminder

REMIND_AFTER_DAYS = 14
MAX_REMINDERS = 2
MANAGER_ROLES = (Role.BOARD_MEMBER, Role.FEDERATION_STAFF)


def manager_users(case) -> list[User]:
    """The active accounts of the case's manager who receive the questionnaire."""
    user_ids = Membership.objects.filter(
        organisation_id=case.manager_id, role__in=MANAGER_ROLES, is_active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def answer_url(followup: FollowUp) -> str:
    path = reverse("followup:answer", args=[followup.case_id, followup.milestone])
    return settings.SITE_URL.rstrip("/") + path


def _email(followup: FollowUp, *, notification, category: str) -> int:
    """Queue the email to each manager who did not turn the category off. Returns how many."""
    return len(
        notification(
            followup=followup,
            case=followup.case,
            centre=followup.case.centre,
            url=answer_url(followup),
            remaining=MAX_REMINDERS - followup.reminders,
        ).send(to=manager_users(followup.case))
    )


def moment_for(followup: FollowUp, today: dt.date, superseded: bool) -> str | None:
    """What is due today for this questionnaire: ``"send"``, ``"remind"`` or None."""
    if followup.answered_at is not None or superseded:
        return None
    if followup.sent_at is None:
        return "send" if followup.due_on <= today else None
    last = timezone.localdate(followup.reminded_at or followup.sent_at)
    if last >= today or followup.reminders >= MAX_REMINDERS:
        return None
    return "remind" if (today - last).days >= REMIND_AFTER_DAYS else None


def _handle(pk: int, now, today: dt.date) -> str | None:
    with transaction.atomic():
        followup = (
            FollowUp.objects.select_for_update()
            .select_related("case", "case__centre")
            .filter(pk=pk)
            .first()
        )
        if followup is None:
            return None
        case = followup.case
        if case.stage != Stage.CLOSED or case.anonymised_at is not None:
            return None
        superseded = (
            followup.milestone == Milestone.SIX_MONTHS
            and FollowUp.objects.filter(
                case=case, milestone=Milestone.TWELVE_MONTHS, due_on__lte=today
            ).exists()
        )
        moment = moment_for(followup, today, superseded)
        if moment == "send":
            followup.sent_at = now
            followup.save(update_fields=["sent_at"])
            _email(
                followup,
                notification=FollowUpQuestionnaire,
                category=NotificationCategory.CASE_ACTIVITY,
            )
            label = f"{followup.get_milestone_display()} : questionnaire envoyé au gestionnaire"
        elif moment == "remind":
            followup.reminders += 1
            followup.reminded_at = now
            followup.save(update_fields=["reminders", "reminded_at"])
            _email(followup, notification=FollowUpReminder, category=NotificationCategory.REMINDERS)
            label = f"{followup.get_milestone_display()} : relance n°{followup.reminders} envoyée"
        else:
            return None
        record_event(
            case=case, kind=EventKind.FOLLOWUP_EMAIL, label=label, audience=Audience.COORDINATION
        )
        return moment


def send_followups(*, now=None) -> dict:
    """Send today's questionnaires and reminders (idempotent for the day). Returns
    {"sent": n, "reminded": n}."""
    now = now or clock.now()
    today = timezone.localdate(now)
    candidates = FollowUp.objects.filter(
        answered_at__isnull=True,
        due_on__lte=today,
        reminders__lt=MAX_REMINDERS,
        case__stage=Stage.CLOSED,
        case__anonymised_at__isnull=True,
    ).order_by("due_on", "pk")
    done = {"sent": 0, "reminded": 0}
    for pk in list(candidates.values_list("pk", flat=True)):
        moment = _handle(pk, now, today)
        if moment == "send":
            done["sent"] += 1
        elif moment == "remind":
            done["reminded"] += 1
    return done
