"""Shared by the retention tests: a clock set far in the future, and a closed case whose
report went through a request for changes (the case the anonymisation used to crash on)."""

import contextlib
import datetime as dt
from unittest import mock

from django.utils import timezone

from soutien.cases import services
from soutien.cases.enums import ClosureOutcome, Stage
from tests.builders import case_at


@contextlib.contextmanager
def clock_at(moment: dt.datetime):
    """Every `timezone.now()` (services, auto_now fields, sessions) answers `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def far_future() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=20 * 365)


def closed_after_changes(cast=None, *, comment="Précisez le plan de trésorerie."):
    """A case closed after its manager asked for changes on a first report version."""
    case, cast = case_at(Stage.REPORT_REVIEW, cast)
    services.report_request_changes(case=case, by=cast.board_member, comment=comment)
    services.report_save(case=case, by=cast.consultant, summary="Version revue.")
    services.report_submit(case=case, by=cast.consultant)
    services.report_validate(case=case, by=cast.board_member)
    services.restitution_record(
        case=case,
        by=cast.consultant,
        starts_at=timezone.now() - dt.timedelta(days=1),
        summary="Le diagnostic a été présenté.",
    )
    services.case_close(case=case, by=cast.coordinator, outcome=ClosureOutcome.IMPROVED)
    return case, cast
