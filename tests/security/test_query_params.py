"""Odd query strings on the pages that read them (pages, filters, search, redirects)
never give a server error, for a coordinator as for a manager."""

import pytest
from django.urls import reverse

from soutien.cases.enums import Stage
from tests.builders import case_at

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
PARAMS = [
    {"page": HUGE},
    {"page": "-1"},
    {"page": "abc"},
    {"q": "\x00"},
    {"q": "a" * 5000},
    {"commune": HUGE},
    {"federation": f"-{HUGE}"},
    {"domain": HUGE},
    {"stage": "zzz"},
    {"situation": "\x00"},
    {"overdue": "\x00"},
    {"year": "2024\x00"},
    {"action": "\x00"},
    {"user": "\x00"},
    {"ip_address": "999.1.1.1"},
    {"case_number": "\x00"},
    {"next": "//evil.example"},
    {"date_from": "2024-02-30"},
    {"start": "2024-13-01"},
]


def test_odd_query_strings_never_give_a_server_error(client, reference):
    case, cast = case_at(Stage.SUPPORT)
    client.raise_request_exception = False
    urls = [
        reverse("cases:list"),
        reverse("web:my_space"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:targets"),
        reverse("security:audit_log"),
        reverse("evaluation:index"),
        reverse("evaluation:map"),
        reverse("evaluation:map_data"),
        reverse("evaluation:export_csv"),
        reverse("public:account_requests"),
        reverse("public:manage_pages"),
    ]
    errors = []
    for user in (cast.coordinator, cast.board_member):
        client.force_login(user)
        for url in urls:
            for params in PARAMS:
                status = client.get(url, params).status_code
                if status >= 500:
                    errors.append((user.email, url, params, status))
    assert errors == []
