"""Time the report PDF's first render in a fresh process, as a gunicorn worker does it.

    DATABASE_URL=… python -m bench.pdf_first_render [--no-warm-up]

Runs what config/gunicorn.conf.py's ``post_fork`` does (django.setup, then the PDF warm
up), then renders a validated report's PDF three times and prints each duration. With
``--no-warm-up`` the warm-up is skipped: the first render then pays the cold start.
"""

import importlib.util
import os
import sys
import time
from pathlib import Path


def gunicorn_settings():
    """config/gunicorn.conf.py as a module (its name is not importable as such)."""
    path = Path(__file__).resolve().parents[1] / "config" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_settings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    print(f"django.setup : {1000 * (time.perf_counter() - started):.0f} ms")
    if "--no-warm-up" not in argv:
        print(f"préchauffage : {1000 * gunicorn_settings().warm_up_pdf():.0f} ms")
    from soutien.cases.models import ReportVersion
    from soutien.documents.pdf import render_report_pdf

    version = ReportVersion.objects.filter(status="validated").select_related("case").first()
    coordinator = version.case.created_by
    for n in range(1, 4):
        started = time.perf_counter()
        render_report_pdf(version, viewer=coordinator)
        print(f"rendu {n} : {1000 * (time.perf_counter() - started):.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
