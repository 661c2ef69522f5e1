"""Issue #15, point 4: a report PDF under 300 ms, the first one of a worker included.
Each gunicorn worker runs ``soutien.documents.pdf.warm_up`` after the fork
(tests/perf/test_db_guard.py checks that it does, and that it succeeds); here, in a fresh
interpreter, what the warm-up leaves loaded for the first real PDF."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import json, sys, django
django.setup()
from django.template import engines
from soutien.documents.pdf import PDF_TEMPLATES, warm_up
before = {"weasyprint": "weasyprint" in sys.modules}
warm_up()
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "before": before,
    "weasyprint": "weasyprint" in sys.modules,
    "tags": "soutien.documents.templatetags.documents_tags" in sys.modules,
    "missing": [name for name in PDF_TEMPLATES if name not in loader.get_template_cache],
    "templates": len(PDF_TEMPLATES),
}))
"""


def test_the_warm_up_loads_the_pdf_engine_the_template_tags_and_every_pdf_template():
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    output = subprocess.run(  # noqa: S603 - our own code, in a fresh interpreter
        [sys.executable, "-c", CODE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    state = json.loads(output.strip().splitlines()[-1])
    assert state["before"] == {"weasyprint": False}  # the warm-up did load it
    assert state["weasyprint"] and state["tags"]
    assert state["missing"] == [] and state["templates"] == 4
