"""Anonymous self-checks store nothing: no row in any table, no write query, no answer in
any log line, the session untouched and no session cookie."""

import logging

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.selfcheck.models import Choice

pytestmark = pytest.mark.django_db

ANSWERS = {
    "tresorerie": "moins-de-2",
    "fonds-propres": "negatifs",
    "conflit-social": "conflit",
    "demissions": "plusieurs",
    "agrement": "menace",
}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def answer_texts() -> list[str]:
    """What would betray the answers in a log: each chosen code and its label."""
    texts = []
    for question, code in ANSWERS.items():
        texts.append(f"{question}={code}")
        texts.append(Choice.objects.get(question__code=question, code=code).label)
    return texts


def test_an_anonymous_self_check_writes_nothing_and_logs_no_answer(
    client, questionnaire, caplog, monkeypatch
):
    from web.selfcheck import views

    monkeypatch.setattr(views, "render_pdf", lambda template, context: b"%PDF-1.7")
    client.get(reverse("selfcheck:start"))
    session_before = dict(client.session.items())
    counts_before = row_counts()
    secrets = answer_texts()
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.get(reverse("selfcheck:start")),
            client.post(reverse("selfcheck:result"), ANSWERS),
            client.post(reverse("selfcheck:start"), ANSWERS),  # « Modifier mes réponses »
            client.post(reverse("selfcheck:result_pdf"), ANSWERS),
            client.post(reverse("selfcheck:result"), {"tresorerie": "pas-une-reponse"}),
        ]
    assert [response.status_code for response in responses] == [200, 200, 200, 200, 400]
    assert row_counts() == counts_before
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert all(settings.SESSION_COOKIE_NAME not in response.cookies for response in responses)
    assert dict(client.session.items()) == session_before == {}
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert [secret for secret in secrets if secret in logged] == []
    # The result pages are never cached by the browser or a proxy.
    assert "no-store" in responses[1]["Cache-Control"]
    assert "no-store" in responses[3]["Cache-Control"]


def test_a_signed_in_self_check_leaves_the_session_alone_too(client, questionnaire, coordinator):
    client.force_login(coordinator)
    counts_before = row_counts()
    response = client.post(reverse("selfcheck:result"), ANSWERS)
    assert response.status_code == 200
    stored = repr(dict(client.session.items()))
    assert [code for code in ANSWERS.values() if code in stored] == []
    assert row_counts() == counts_before
