"""« À faire par moi » in the case list (issue #14, point 5): exactly the cases on which the
person has something to do now, the same things as the reminders read (`pending_for`)."""

import re

import pytest
from django.urls import reverse

from soutien.cases import services
from soutien.cases.awaiting import pending_for
from soutien.cases.enums import OpinionValue, Stage
from soutien.cases.models import Case
from tests.builders import case_at, make_cast

pytestmark = pytest.mark.django_db


def listed(client, user) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("cases:list"), {"mine": "on"}).content.decode()
    return set(re.findall(r">\s*(MSTR-\d{4}-\d{4})", html))  # the rows, not the help text


@pytest.fixture
def world(reference, coordinator):
    cast = make_cast()
    cases = {stage: case_at(stage, cast)[0] for stage in [
        Stage.SUBMITTED, Stage.RETURNED, Stage.REFERRAL, Stage.DIAGNOSTIC,
        Stage.REPORT_REVIEW, Stage.RESTITUTION, Stage.SUPPORT, Stage.CLOSED,
    ]}  # fmt: skip
    return cast, cases, coordinator


def test_each_person_lists_what_awaits_them(client, world):
    cast, cases, coordinator = world
    number = {stage: case.display_number for stage, case in cases.items()}
    # Written by hand: who must act at each stage.
    assert listed(client, coordinator) == {
        number[Stage.SUBMITTED],
        number[Stage.REFERRAL],
        number[Stage.SUPPORT],
    }
    assert listed(client, cast.board_member) == {
        number[Stage.RETURNED],
        number[Stage.REPORT_REVIEW],
        number[Stage.CLOSED],
    }
    assert listed(client, cast.partner_state) == {number[Stage.REFERRAL]}
    assert listed(client, cast.consultant) == {number[Stage.DIAGNOSTIC], number[Stage.RESTITUTION]}
    assert listed(client, cast.staff) == set()


def test_an_opinion_given_leaves_the_partners_list(client, world):
    cast, cases, _ = world
    services.opinion_give(
        case=cases[Stage.REFERRAL], by=cast.partner_state, value=OpinionValue.FAVOURABLE
    )
    assert listed(client, cast.partner_state) == set()
    assert cases[Stage.REFERRAL].display_number in listed(client, cast.partner_commune)


def test_the_filter_agrees_with_what_the_reminders_read(client, world):
    cast, _, coordinator = world
    things = pending_for(Case.objects.all())
    for person in [coordinator, cast.board_member, cast.partner_state, cast.consultant]:
        expected = {thing.case.display_number for thing in things if person.pk in thing.user_ids}
        assert listed(client, person) == expected, person


def test_the_filtered_list_names_itself(client, world):
    _, _, coordinator = world
    client.force_login(coordinator)
    html = client.get(reverse("cases:list"), {"mine": "on"}).content.decode()
    assert "<title>Dossiers à traiter par moi — Soutien</title>" in html
