"""A query cancelled by the database's ``statement_timeout`` answers a French 503 page.

Production sets ``statement_timeout`` on every PostgreSQL connection
(config/settings/prod.py): a query slower than that is cancelled by the server, so it
never ties up a worker. Django then raises ``OperationalError`` whose cause is psycopg's
``QueryCanceled``; this middleware turns it into « Service momentanément surchargé,
réessayez » (503 with ``Retry-After``) instead of the generic 500 page.
"""

import logging

from django.db.utils import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from psycopg.errors import QueryCanceled

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def is_query_cancelled(exception: BaseException) -> bool:
    """True when the database cancelled the statement (timeout or cancel request)."""
    if isinstance(exception, QueryCanceled):
        return True
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, QueryCanceled
    )


class QueryCancelledMiddleware:
    """Answer 503 « réessayez » when a query was cancelled by ``statement_timeout``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_query_cancelled(exception):
            return None
        logger.warning(
            "Requête SQL annulée (statement_timeout) : %s %s", request.method, request.path
        )
        # No request context: the connection is unusable until the transaction ends, and
        # context processors could query it.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
