"""The bare baseline: a minimal Django app that replays each page's captured SQL.

``gunicorn bench.baseline:application`` with ``DATABASE_URL`` (the bench database) and
``BENCH_SQL_FILE`` (the JSON written by the capture step: one list of statements per
page and role). ``GET /replay/<n>/`` runs the n-th list's reads on a persistent
connection, with the production connection options (JIT off), and answers a few bytes:
what the platform could serve at best if templates, forms, middleware and Python cost
nothing. Writes (session refresh, audit records) are not replayed: they would change the
data being measured.
"""

import json
import os

import dj_database_url
from django.conf import settings

if not settings.configured:
    database = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)
    database["CONN_HEALTH_CHECKS"] = True
    database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-baseline-only",  # noqa: S106 - a throwaway local server
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": database},
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def _reads(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


with open(os.environ["BENCH_SQL_FILE"], encoding="utf-8") as source:
    REPLAYS = [_reads(entry["sql"]) for entry in json.load(source)]


def replay(request, index: int):
    if index >= len(REPLAYS):
        raise Http404
    with connection.cursor() as cursor:
        for sql in REPLAYS[index]:
            cursor.execute(sql)
            cursor.fetchall()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("replay/<int:index>/", replay)]
application = get_wsgi_application()
