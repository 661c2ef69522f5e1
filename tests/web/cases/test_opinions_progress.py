"""The case list shows the saisine (issue #14, point 5): « Avis reçus : 1/5 » for those who
read the opinions (coordination, concerned partners), never for the centre or the
provider; one query for the whole page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.cases import services
from soutien.cases.enums import OpinionValue, Stage

pytestmark = pytest.mark.django_db


def progress_texts(client) -> list[str]:
    html = client.get(reverse("cases:list")).content.decode()
    return re.findall(r"Avis reçus : (\d+/\d+)", html)


def test_coordination_and_partners_see_how_many_opinions_came_in(client, case_at, coordinator):
    case, cast = case_at(Stage.REFERRAL)
    expected = case.opinions.count()
    assert expected >= 4  # État, Région, Département, Caf, the commune
    services.opinion_give(case=case, by=cast.partner_state, value=OpinionValue.RESERVED)

    for person in [coordinator, cast.partner_state, cast.partner_commune]:
        client.force_login(person)
        assert progress_texts(client) == [f"1/{expected}"], person
    for person in [cast.board_member, cast.staff, cast.consultant]:
        client.force_login(person)
        assert progress_texts(client) == [], person


def test_a_case_without_a_saisine_shows_no_progress(client, case_at, coordinator):
    case_at(Stage.SUBMITTED)
    client.force_login(coordinator)
    assert progress_texts(client) == []


def test_the_progress_costs_one_query_whatever_the_page(client, case_at, coordinator):
    case_at(Stage.REFERRAL)
    client.force_login(coordinator)
    client.get(reverse("cases:list"))  # the first page after signing in does one-off work
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cases:list"))
    for _ in range(3):
        case_at(Stage.REFERRAL)
    # Creating cases adds centres and organisations: the reference lists kept in the
    # process (soutien.core.refcache) are read again once.
    client.get(reverse("cases:list"))
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("cases:list"))
    assert len(four) == len(one)
