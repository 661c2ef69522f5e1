"""A case closed at a known moment, and the daily run at a given local time."""

import datetime as dt
from zoneinfo import ZoneInfo

from soutien.cases import services
from soutien.cases.enums import ClosureOutcome, Stage
from soutien.core import clock
from soutien.core.models import OutboxEmail
from soutien.followup.jobs import send_followups
from tests.builders import case_at

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=7, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def closed_case(moment=None):
    """A case in support, closed by the coordination at ``moment`` (15 March 2026, 10:00)."""
    case, cast = case_at(Stage.SUPPORT)
    with clock.frozen_at(moment or at(2026, 3, 15, 10)):
        services.case_close(case=case, by=cast.coordinator, outcome=ClosureOutcome.IMPROVED)
    case.refresh_from_db()
    return case, cast


def run_at(moment) -> dict:
    with clock.frozen_at(moment):
        return send_followups()


def emails_to(user) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(to=user.email).order_by("pk"))


def followup_emails_to(user) -> list[OutboxEmail]:
    return [email for email in emails_to(user) if "uivi" in email.subject]
