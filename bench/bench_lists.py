"""The case list and « Mon espace » on an existing PostgreSQL database (issue #15,
points 1, 4, 6): never run by the suite.

``DATABASE_URL=postgres://… python -m bench.bench_lists [--samples 5] [--out FILE]``
renders, through Django's test client (the demo accounts signed in, their second factor
marked as verified), the case list (page 1, page 2, a commune filter, a text search) for
the five roles of ``bench_platform.PAGES`` and « Mon espace » for the eleven demo roles.
For each page × role: the number of SQL queries, the median of ``--samples`` timings
after a warm-up, and the plan of each read (``EXPLAIN (ANALYZE, BUFFERS)``, as
``bench_platform.explain``): sequential scans of the case table, sorts spilled to disk,
and the slowest query with its plan. Writes a JSON file (``var/bench-lists.json`` by
default) and prints a Markdown table.

The database must hold the demo accounts (``bench/generate.py`` creates them); it is
only read (the test client's session and the audit trail write a few rows).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMUNE = "Marseille"
SEARCH = "banc 12"  # a centre name of bench/generate.py (« Centre social banc 12… »)


def _pages() -> list[tuple[str, str, list[str]]]:
    from django.urls import reverse

    from bench.bench_platform import ALL_ROLES, PAGES
    from soutien.directory.models import Commune

    commune = Commune.objects.filter(name=COMMUNE).order_by("pk").first()
    listed = PAGES["Liste des dossiers"]
    base = reverse("cases:list")
    return [
        ("Liste, page 1", base, listed),
        ("Liste, page 2", base + "?page=2", listed),
        ("Liste, commune", f"{base}?commune={commune.pk}", listed),
        ("Liste, recherche", f"{base}?q={SEARCH.replace(' ', '+')}", listed),
        ("Mon espace", reverse("web:my_space"), ALL_ROLES),
    ]


def _client(email: str):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from soutien.accounts.models import User

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def capture(samples: int, only: str | None = None) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from bench.bench_platform import ROLE_LABELS

    clients = {}
    entries = []
    for page, path, roles in _pages():
        if only and only not in page:
            continue
        for email in roles:
            client = clients.get(email) or clients.setdefault(email, _client(email))
            client.get(path)  # warm-up
            # DEBUG logs every query in a bounded deque: once full, a capture sees none.
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            timings = []
            for _ in range(samples):
                started = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - started)
            entries.append(
                {
                    "page": page,
                    "role": email,
                    "label": ROLE_LABELS[email],
                    "path": path,
                    "status": response.status_code,
                    "queries": len(queries),
                    "median_ms": round(statistics.median(timings) * 1000),
                    "sql": [(q["sql"], float(q["time"])) for q in queries.captured_queries],
                }
            )
            print(f"{page} | {email} | {entries[-1]['median_ms']} ms", file=sys.stderr)
    return entries


def explain(database_url: str, entries: list[dict]) -> None:
    """The plan of each read, as bench_platform.explain, plus the slowest one's text."""
    import psycopg

    from bench.bench_platform import _plan_nodes

    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("SET jit = off")
        db.execute("SET statement_timeout = '60s'")
        for entry in entries:
            seq_scans = disk_sorts = 0
            slowest = (0.0, "", "")
            for sql, _seconds in entry["sql"]:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                try:
                    plan = db.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}").fetchone()
                except psycopg.Error as exc:
                    print(f"EXPLAIN failed: {exc}", file=sys.stderr)
                    continue
                root = plan[0][0]
                for node in _plan_nodes(root["Plan"]):
                    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == (
                        "cases_case"
                    ):
                        seq_scans += 1
                    if node.get("Sort Space Type") == "Disk":
                        disk_sorts += 1
                if root["Execution Time"] > slowest[0]:
                    text = db.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()
                    slowest = (root["Execution Time"], sql, "\n".join(r[0] for r in text))
            entry["seq_scans"], entry["disk_sorts"] = seq_scans, disk_sorts
            entry["slowest_ms"] = round(slowest[0], 1)
            entry["slowest_sql"], entry["slowest_plan"] = slowest[1], slowest[2]


def table(entries: list[dict]) -> str:
    lines = [
        "| Page | Rôle | Requêtes | Médiane | Requête la plus lente | "
        "Parcours séquentiels des dossiers | Tris sur disque |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        lines.append(
            f"| {e['page']} | {e['label']} | {e['queries']} | {e['median_ms']} ms | "
            f"{e['slowest_ms']} ms | {e['seq_scans']} | {e['disk_sorts']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench-lists.json"))
    parser.add_argument("--only", help="pages whose name contains this text")
    args = parser.parse_args(argv)
    database_url = os.environ["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    entries = capture(args.samples, args.only)
    explain(database_url, entries)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(entries, ensure_ascii=False, indent=1))
    print(table(entries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
