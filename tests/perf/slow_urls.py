"""A URLconf with views whose query is cancelled by the database (statement_timeout)."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def slow(request):
    """On PostgreSQL: a 1 ms statement_timeout, then a query that sleeps 1 s."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    return HttpResponse("not cancelled")


@login_not_required
def other_database_error(request):
    raise OperationalError("the database went away: secret technical detail")


urlpatterns = [
    path("lente/", slow),
    path("autre-erreur/", other_database_error),
    path("", include("config.urls")),
]
