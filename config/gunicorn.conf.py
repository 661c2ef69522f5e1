"""gunicorn settings for ``make serve`` (and production): ``gunicorn -c config/gunicorn.conf.py``.

Each worker renders a tiny PDF right after it is forked, before it accepts a request:
Django's template engine and its tag libraries, the PDF templates, WeasyPrint's imports,
fontconfig's font list and the DejaVu faces and sizes of the PDF stylesheet are then
loaded, so the first report PDF a user asks for costs what the next ones cost
(docs/performance-casepage.md: measured in a fresh process by bench/pdf_first_render.py).
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


def warm_up_pdf() -> float:
    """Render a one-page PDF with the PDFs' stylesheet and boxes (soutien.documents.pdf
    .warm_up); return the seconds it took, WeasyPrint's import included."""
    started = time.perf_counter()
    # Imported here on purpose: this file is read by gunicorn's master before Django is
    # set up, and the import itself is part of the warm-up being timed.
    import weasyprint  # noqa: F401

    from soutien.documents.pdf import warm_up

    warm_up()
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
