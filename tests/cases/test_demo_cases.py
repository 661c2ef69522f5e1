import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from soutien.accounts.models import User
from soutien.cases.demo import load_demo_cases
from soutien.cases.enums import ReportStatus, Stage
from soutien.cases.models import Case, CaseEvent, Meeting
from soutien.cases.selectors import awaiting, cases_visible_to

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
