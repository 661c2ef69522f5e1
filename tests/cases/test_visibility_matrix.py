"""Who sees what: every role × every stage, expected answers written as tables.

D = the whole case, S = its stage only, N = nothing (404).
"""

import pytest
from django.http import Http404

from soutien.cases import policies
from soutien.cases.enums import Channel, Stage
from soutien.cases.selectors import case_for, cases_visible_to
from tests.builders import case_at

pytestmark = pytest.mark.django_db

ROLES = [
    "board_member",
    "staff",
    "coordinator",
    "partner_state",
    "partner_commune",
    "partner_other_commune",
    "consultant",
    "other_consultant",
    "evaluator",
    "outsider",
]

#                 board staff coord state city  other cons  ocons eval  out
BEFORE_REFERRAL = ["D", "S", "D", "N", "N", "N", "N", "N", "N", "N"]
IN_REFERRAL = ["D", "S", "D", "D", "D", "N", "N", "N", "N", "N"]
WITH_PROVIDER = ["D", "S", "D", "D", "D", "N", "D", "N", "N", "N"]

CASE_ACCESS = {
    Stage.DRAFT: ["D", "N", "N", "N", "N", "N", "N", "N", "N", "N"],
    Stage.SUBMITTED: BEFORE_REFERRAL,
    Stage.RETURNED: BEFORE_REFERRAL,
    Stage.REFERRAL: IN_REFERRAL,
    Stage.REFUSED: IN_REFERRAL,
    Stage.CLOSED_WITHOUT_FOLLOW_UP: IN_REFERRAL,
    Stage.DIAGNOSTIC: WITH_PROVIDER,
    Stage.REPORT_REVIEW: WITH_PROVIDER,
    Stage.RESTITUTION: WITH_PROVIDER,
    Stage.SUPPORT: WITH_PROVIDER,
    Stage.CLOSED: WITH_PROVIDER,
}

# Who reads the report's latest transmitted version (True) at the stages where one exists.
#                     board  staff  coord  state  city   other  cons   ocons  eval   out
REPORT_BEFORE_VALIDATION = [True, False, False, False, False, False, True, False, False, False]
REPORT_AFTER_VALIDATION = [True, False, True, True, True, False, True, False, False, False]
REPORT_ACCESS = {
    Stage.REPORT_REVIEW: REPORT_BEFORE_VALIDATION,
    Stage.RESTITUTION: REPORT_AFTER_VALIDATION,
    Stage.SUPPORT: REPORT_AFTER_VALIDATION,
    Stage.CLOSED: REPORT_AFTER_VALIDATION,
}

# Private notes: the coordination and the concerned partners, never the provider or manager.
#              board  staff  coord  state  city   other  cons   ocons  eval   out
PRIVATE_NOTES = [False, False, True, True, True, False, False, False, False, False]
MESSAGES = [True, False, True, False, False, False, True, False, False, False]


@pytest.mark.parametrize("stage", list(CASE_ACCESS), ids=str)
def test_case_access_matrix(reference, stage):
    case, cast = case_at(stage)
    for role, expected in zip(ROLES, CASE_ACCESS[stage], strict=True):
        user = getattr(cast, role)
        user = type(user).objects.get(pk=user.pk)  # fresh roles cache
        in_scope = cases_visible_to(user).filter(pk=case.pk).exists()
        detail = policies.can_view_case(user, case)
        stage_only = policies.can_view_stage_only(user, case)
        got = "D" if detail else "S" if stage_only else "N"
        assert got == expected, f"{role} at {stage}: {got}, expected {expected}"
        assert in_scope == (expected != "N"), f"{role} at {stage}: scope"
        if expected == "N":
            with pytest.raises(Http404):
                case_for(user, case.pk)


@pytest.mark.parametrize("stage", list(REPORT_ACCESS), ids=str)
def test_report_access_matrix(reference, stage):
    case, cast = case_at(stage)
    version = case.report_versions.order_by("-number").first()
    for role, expected in zip(ROLES, REPORT_ACCESS[stage], strict=True):
        user = getattr(cast, role)
        user = type(user).objects.get(pk=user.pk)
        assert policies.can_view_report_version(user, version) == expected, f"{role} {stage}"
        assert policies.can_view_findings(user, case) == expected, f"{role} {stage} findings"


@pytest.mark.parametrize("stage", [Stage.REFERRAL, Stage.DIAGNOSTIC, Stage.SUPPORT], ids=str)
def test_channels_matrix(reference, stage):
    case, cast = case_at(stage)
    for role, notes, messages in zip(ROLES, PRIVATE_NOTES, MESSAGES, strict=True):
        user = getattr(cast, role)
        user = type(user).objects.get(pk=user.pk)
        assert policies.can_read_channel(user, case, Channel.PRIVATE_NOTE) == notes, role
        expected_messages = messages and not (role == "consultant" and stage == Stage.REFERRAL)
        assert policies.can_read_channel(user, case, Channel.MESSAGE) == expected_messages, role


def test_an_employee_sees_the_drafts_they_wrote(reference):
    case, cast = case_at(Stage.DRAFT)
    from soutien.cases import services

    own = services.case_create_draft(centre=cast.centre, by=cast.staff)
    staff = type(cast.staff).objects.get(pk=cast.staff.pk)
    visible = set(cases_visible_to(staff).values_list("pk", flat=True))
    assert own.pk in visible
    assert case.pk not in visible
    assert policies.can_edit_form(staff, own)
    assert not policies.can_submit(staff, own)
