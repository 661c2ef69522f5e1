import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from soutien.accounts.models import User
from soutien.cases.enums import ReportStatus, Stage
from soutien.cases.models import Case, CaseEvent, Meeting
from soutien.cases.selectors import awaiting, cases_visible_to
from soutien.demo.cases import load_demo_cases

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_stage_and_are_idempotent(demo):
    created = load_demo_cases()
    assert 55 <= created <= 65
    assert load_demo_cases() == 0
    assert Case.objects.count() == created
    stages = Counter(Case.objects.values_list("stage", flat=True))
    assert set(stages) == set(Stage)
    # Every case went through its steps: its timeline ends at its stage.
    for case in Case.objects.exclude(stage=Stage.DRAFT):
        last = CaseEvent.objects.filter(case=case).exclude(to_stage="").latest("created_at", "pk")
        assert last.to_stage == case.stage, case.number
        assert case.number.startswith("MSTR-")
    numbers = list(Case.objects.exclude(number=None).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    # Partners reach only validated reports: demo data keeps that true.
    for case in Case.objects.filter(stage=Stage.REPORT_REVIEW):
        assert not case.report_versions.filter(status=ReportStatus.VALIDATED).exists()
    # Steps and meetings happen in office hours, Paris time (a meeting at 4:30 looked
    # wrong), except what was capped at "an hour or two ago".
    recent = timezone.now() - dt.timedelta(hours=3)
    for when in Case.objects.exclude(submitted_at=None).values_list("submitted_at", flat=True):
        assert 9 <= timezone.localtime(when).hour <= 17 or when > recent
    for when in Meeting.objects.values_list("starts_at", flat=True):
        assert timezone.localtime(when).hour in (9, 10, 14, 15) or when > recent


DEMO_SPACES = {
    # account → does « Mon espace » list something awaiting this person?
    "coordination@caf13.demo": True,
    "etat@partenaires.demo": False,
    "marseille@partenaires.demo": False,
    "federation@federation.demo": True,
    "administrateur@centre.demo": True,
    "salarie@centre.demo": True,
    "consultant@prestataire.demo": True,
}


def test_every_demo_space_is_populated(demo):
    load_demo_cases()
    for email, awaits in DEMO_SPACES.items():
        user = User.objects.get(email=email)
        assert cases_visible_to(user).exists(), email
        if awaits:
            assert any(item["count"] for item in awaiting(user)), email
    assert not cases_visible_to(User.objects.get(email="evaluation@partenaires.demo")).exists()


def test_demo_cases_are_walked_through_the_services_in_the_past(
    demo, django_capture_on_commit_callbacks
):
    """Issue 13: every demo case was moved by the real services, under the clock set at
    successive past dates, with no email queued."""
    from soutien.audit.models import AuditEntry
    from soutien.audit.selectors import audit_chain_check
    from soutien.cases.models import Action, Message, Opinion, ReportVersion, Satisfaction
    from soutien.cases.workflow import TRANSITIONS
    from soutien.core.models import OutboxEmail
    from soutien.directory.models import Membership, Role

    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo_cases()
    # No email written, none scheduled (the services schedule a send per email).
    assert not OutboxEmail.objects.exists()
    # Nothing scheduled that sends (the evaluation's refresh of its facts may run, and the
    # process cache forget the reference data it holds).
    harmless = ("soutien.evaluation", "soutien.core.refcache")
    assert [c for c in callbacks if not c.__module__.startswith(harmless)] == []
    for case in Case.objects.all():
        events = list(case.events.order_by("pk"))
        dates = [event.created_at for event in events]
        # The history lies in the past, in the order it was recorded.
        assert dates == sorted(dates), case.number
        assert all(when < started for when in dates), case.number
        assert events[0].kind == "create" and events[0].created_at == case.created_at
        # Each step starts where the previous one ended, by a transition of the table.
        stage = Stage.DRAFT
        for event in (e for e in events if e.to_stage):
            assert event.from_stage == stage, (case.number, event.kind)
            assert stage in TRANSITIONS[event.kind].sources, (case.number, event.kind)
            stage = event.to_stage
        assert stage == case.stage, case.number
        # The case's dates are those of its events (the services set both from the clock).
        first = {}
        for event in events:
            first.setdefault(event.kind, event.created_at)
        for kind, date in (
            ("submit", case.submitted_at),
            ("open_referral", case.referral_opened_at),
            ("validate_report", case.report_validated_at),
        ):
            assert first.get(kind) == date, (case.number, kind)
        moves = [event.created_at for event in events if event.to_stage]
        assert case.stage_changed_at == (moves[-1] if moves else None), case.number
    # Rows dated on save took the clock too: none carries the real time of the loading.
    for model, name in (
        (Case, "updated_at"),
        (Meeting, "created_at"),
        (Message, "created_at"),
        (ReportVersion, "updated_at"),
        (Action, "updated_at"),
        (Satisfaction, "answered_at"),
    ):
        saved = list(model.objects.values_list(name, flat=True))
        assert saved and max(saved) < started, model.__name__
    # Every event went through record_event, which writes its audit entry (a row
    # written beside the services has none); the chain is intact and follows the clock.
    audited = AuditEntry.objects.filter(action__startswith="case.")
    assert audited.count() == CaseEvent.objects.count()
    assert audit_chain_check().ok
    audit_dates = list(AuditEntry.objects.order_by("id").values_list("created_at", flat=True))
    assert audit_dates == sorted(audit_dates)
    # Numbers are given at submission, in the order of the submissions of each year.
    by_year = {}
    for number in (
        Case.objects.exclude(number=None)
        .order_by("submitted_at", "pk")
        .values_list("number", flat=True)
    ):
        year = number.split("-")[1]
        by_year.setdefault(year, []).append(number)
    for year, numbers in by_year.items():
        assert numbers == [f"MSTR-{year}-{n:04d}" for n in range(1, len(numbers) + 1)]
    # Each opinion given was given by a person of that partner.
    for opinion in Opinion.objects.exclude(given_at=None):
        assert Membership.objects.filter(
            user=opinion.given_by, organisation=opinion.partner, role=Role.PARTNER
        ).exists()
