"""gunicorn settings for ``make serve`` (and production): ``gunicorn -c config/gunicorn.conf.py``.

Each worker renders a tiny PDF right after it is forked, before it accepts a request:
WeasyPrint's imports, fontconfig's font list and the DejaVu faces of the PDF stylesheet are
then loaded, so the first report PDF a user asks for costs what the next ones cost.
Bind address, worker count and logs come from the command line or the environment
(``GUNICORN_CMD_ARGS``, ``WEB_CONCURRENCY``).
"""

import logging
import os
import time

wsgi_app = "config.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request longer than the database's statement_timeout (5 s) plus rendering is stuck.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
control_socket_disable = True

WARM_UP_HTML = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Préchauffage</title>'
    '<style>body { font-family: "DejaVu Sans", sans-serif; }</style></head>'
    "<body><h1>Préchauffage</h1><p><strong>Gras</strong> <em>italique</em> « é ».</p>"
    "</body></html>"
)


def warm_up_pdf() -> float:
    """Render a one-page PDF with the report's fonts; return the seconds it took."""
    started = time.perf_counter()
    # Imported here on purpose: this file is read by gunicorn's master before Django is
    # set up, and the import itself is part of the warm-up being timed.
    from weasyprint import HTML

    from soutien.documents.pdf import PDF_OPTIONS

    HTML(string=WARM_UP_HTML).write_pdf(**PDF_OPTIONS)
    return time.perf_counter() - started


def post_fork(server, worker):
    """Load Django, then WeasyPrint and the fonts, in the worker before it serves."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    import django  # in the worker, after the fork: never in gunicorn's master

    django.setup()
    try:
        seconds = warm_up_pdf()
    except Exception:  # a PDF problem must not keep the site down: it shows on first use
        logging.getLogger("gunicorn.error").exception("Préchauffage PDF impossible")
        return
    server.log.info("Worker %s : polices et moteur PDF chargés en %.2f s", worker.pid, seconds)
