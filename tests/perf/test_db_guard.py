"""Production guards of issue #15: statement_timeout → French 503, persistent
connections, JIT off, fonts preloaded in each gunicorn worker."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from soutien.core.db_guard import is_query_cancelled

ROOT = Path(__file__).resolve().parents[2]


def prod_database_settings(**env) -> dict:
    """config.settings.prod's DATABASES["default"], imported in a fresh interpreter."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DB_STATEMENT_TIMEOUT_MS", "CONN_MAX_AGE", "DJANGO_SETTINGS_MODULE"}
    }
    environ.update(SECRET_KEY="test-only", **env)
    code = (
        "import json, config.settings.prod as s; "
        "print(json.dumps(s.DATABASES['default'], default=str))"
    )
    output = subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def test_production_postgresql_connections_have_a_timeout_no_jit_and_persist():
    database = prod_database_settings(DATABASE_URL="postgres://soutien@127.0.0.1:5432/soutien")
    assert database["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_production_timeout_is_configurable_and_keeps_options_from_the_url():
    database = prod_database_settings(
        DATABASE_URL="postgres://soutien@127.0.0.1/soutien?options=-c%20search_path%3Dmstr",
        DB_STATEMENT_TIMEOUT_MS="2000",
        CONN_MAX_AGE="60",
    )
    assert database["OPTIONS"]["options"] == (
        "-c search_path=mstr -c statement_timeout=2000 -c jit=off"
    )
    assert database["CONN_MAX_AGE"] == 60


def test_only_a_cancelled_query_counts_as_cancelled():
    from psycopg.errors import QueryCanceled

    try:
        raise OperationalError("canceling statement due to statement timeout") from (
            QueryCanceled("canceling statement due to statement timeout")
        )
    except OperationalError as wrapped:
        assert is_query_cancelled(wrapped)
    assert not is_query_cancelled(OperationalError("server closed the connection"))
    assert not is_query_cancelled(RuntimeError("boom"))


@pytest.mark.django_db
def test_other_database_errors_stay_a_500_without_detail(client, settings):
    settings.ROOT_URLCONF = "tests.perf.slow_urls"
    client.raise_request_exception = False
    response = client.get("/autre-erreur/")
    assert response.status_code == 500
    assert "secret technical detail" not in response.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's (CI runs it)"
)
@pytest.mark.django_db(transaction=True)
def test_a_query_cancelled_by_statement_timeout_answers_a_french_503(client, settings):
    settings.ROOT_URLCONF = "tests.perf.slow_urls"
    client.raise_request_exception = False
    response = client.get("/lente/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Le service est momentanément surchargé" in html
    assert "Réessayez dans quelques instants" in html
    assert "pg_sleep" not in html
    assert "Traceback" not in html
    # The worker is not tied up: the same connection serves the next request.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_each_gunicorn_worker_loads_the_pdf_fonts_before_serving():
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "config.wsgi:application"
    logged = []

    class Server:
        class log:  # noqa: N801 - gunicorn's attribute name
            @staticmethod
            def info(message, *args):
                logged.append(message % args)

    class Worker:
        pid = 4242

    config["post_fork"](Server, Worker)
    assert len(logged) == 1
    assert logged[0].startswith("Worker 4242 : polices et moteur PDF chargés en ")
