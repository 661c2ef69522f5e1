"""The evaluation page on an already generated database (``bench/generate.py``, COPY),
role by role and filter by filter: queries, timings, ``EXPLAIN (ANALYZE, BUFFERS)`` of
each query (sequential scans, sorts on disk), HTML weight. Never run by the test suite.

``DATABASE_URL=postgres://…/<throwaway> python -m bench.measure_evaluation [--runs N]``
prints one ``RESULT {json}`` line (docs/performance-evaluation.md reads it).

The masked roles need a stored grid; the masking itself (``grid.mask``) does not run at
a million cases yet: if no grid is current, ``bench_evaluation._stand_in_grid`` stores a
stand-in one (**only in a throwaway database**: its figures are not looked at).
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = {
    "coordination": "coordination@caf13.demo",
    "État": "etat@partenaires.demo",
    "commune (Marseille)": "marseille@partenaires.demo",
    "instance d'évaluation": "evaluation@partenaires.demo",
}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _grid() -> dict:
    """A current stored grid (a stand-in one if none), and how long that took."""
    from soutien.evaluation.facts import facts_version
    from soutien.evaluation.models import PublishedGrid

    started = time.perf_counter()
    latest = PublishedGrid.objects.order_by("-pk").first()
    made = False
    if latest is None or latest.facts_version != facts_version():
        from bench.bench_evaluation import _stand_in_grid

        _stand_in_grid()
        made = True
    found = {"stand_in_grid_made": made, "seconds": round(time.perf_counter() - started, 1)}
    # The groups of the grid's copy, as the background task sums them up after computing
    # a grid (its first masked read).
    from soutien.evaluation.groups import ensure_published

    started = time.perf_counter()
    latest = PublishedGrid.objects.order_by("-pk").first()
    ensure_published(latest.pk, latest.token)
    found["published_groups_seconds"] = round(time.perf_counter() - started, 1)
    return found


def _explain(sql: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    total = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return {
        "ms": float(total.group(1)) if total else None,
        "seq_cases": len(re.findall(r"Seq Scan on cases_case\b", plan)),
        "seq_facts": len(re.findall(r"Seq Scan on evaluation_(?:case|published)facts\b", plan)),
        "seq_any": re.findall(r"Seq Scan on (\w+)", plan),
        "disk_sorts": len(re.findall(r"Sort Method: external|Disk: \d+kB", plan)),
        "plan": plan,
    }


def measure(runs: int) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from soutien.accounts.models import User
    from soutien.directory.models import Commune
    from tests.security.helpers import mark_session_verified, needs_second_factor

    marseille = Commune.objects.get(name="Marseille", parent=None).pk
    filters = {
        "toutes années": {},
        "année 2024": {"year": 2024},
        "Marseille, toutes années": {"commune": marseille},
    }
    url = reverse("evaluation:index")
    pages = []
    for role, email in ROLES.items():
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        if needs_second_factor(user):
            mark_session_verified(client, user)
        for label, params in filters.items():
            cache.clear()  # the first page after a change of the facts
            started = time.perf_counter()
            response = client.get(url, params)
            cold = time.perf_counter() - started
            assert response.status_code == 200, (role, label, response.status_code)
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, params)
                    timings.append(time.perf_counter() - started)
            cache.clear()
            with CaptureQueriesContext(connection) as cold_queries:
                client.get(url, params)
            plans = [
                _explain(q["sql"])
                for q in cold_queries.captured_queries
                if q["sql"].lstrip().upper().startswith("SELECT")
            ]
            slowest = sorted(plans, key=lambda p: -(p["ms"] or 0))[:3]
            pages.append(
                {
                    "role": role,
                    "filter": label,
                    "queries": len(queries),
                    "cold_queries": len(cold_queries),
                    "cold_seconds": round(cold, 3),
                    "median_seconds": round(statistics.median(timings), 3),
                    "max_seconds": round(max(timings), 3),
                    "html_kb": round(len(response.content) / 1024, 1),
                    "seq_scans_cases": sum(p["seq_cases"] for p in plans),
                    "seq_scans_facts": sum(p["seq_facts"] for p in plans),
                    "seq_scans": sorted({t for p in plans for t in p["seq_any"]}),
                    "disk_sorts": sum(p["disk_sorts"] for p in plans),
                    "explained_ms": round(sum(p["ms"] or 0 for p in plans), 1),
                    "slowest": [
                        {"ms": p["ms"], "plan": p["plan"].splitlines()[:12]} for p in slowest
                    ],
                }
            )
            shown = {k: v for k, v in pages[-1].items() if k != "slowest"}
            print(json.dumps(shown, ensure_ascii=False), flush=True)
    return {"pages": pages, "load": os.getloadavg()[0]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    _setup()
    from soutien.cases.models import Case

    result = {"cases": Case.objects.count(), "grid": _grid()}
    result.update(measure(args.runs))
    print("RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
