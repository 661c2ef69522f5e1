"""Time the case list on SQLite at 100,000 cases (issue #15): never run by the suite.

``uv run python -m bench.bench_case_list [--cases N] [--runs R]`` generates the cases of
``bench.bench_evaluation`` in a temporary SQLite file (the State and the concerned
commune are asked an opinion on every case past the submission), stores their due dates
(``refresh_due_at``, as the data migration does) and renders ``/dossiers/`` through the
test client for the coordination and for the commune of Marseille, with and without
filters. It prints the median and maximum time and the number of queries of each.
PostgreSQL: ``make bench`` (bench_platform) measures the same pages at 1,000,000 cases.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _opinions() -> int:
    """An opinion asked of the State and of the centre's commune (when it is a partner)
    on every case past the submission: the partners' lists have something to read."""
    from django.db import transaction

    from soutien.cases.enums import Stage
    from soutien.cases.models import Case, Opinion
    from soutien.directory.models import Organisation

    state = Organisation.objects.get(funder_level="state")
    by_commune = dict(
        Organisation.objects.filter(funder_level="commune").values_list("commune_id", "pk")
    )
    rows = []
    cases = Case.objects.exclude(stage__in=[Stage.DRAFT, Stage.SUBMITTED]).values_list(
        "pk", "centre__commune_id"
    )
    for case_id, commune_id in cases.iterator(chunk_size=5000):
        rows.append(Opinion(case_id=case_id, partner_id=state.pk))
        if commune_id in by_commune:
            rows.append(Opinion(case_id=case_id, partner_id=by_commune[commune_id]))
    with transaction.atomic():
        Opinion.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def measure(runs: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from soutien.directory.models import Commune, Organisation, OrganisationKind, Role
    from tests.factories import MembershipFactory
    from tests.security.helpers import mark_session_verified, needs_second_factor

    setup_test_environment()  # the responses carry their context (the count shown)
    marseille = Commune.objects.get(insee_code="13055")
    run = uuid.uuid4().hex[:8]  # a reused database keeps the accounts of earlier runs
    users = {
        "coordination": MembershipFactory(
            organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
            role=Role.COORDINATOR,
            user__email=f"coordination-{run}@banc.test",
        ).user,
        "commune (Marseille)": MembershipFactory(
            organisation=Organisation.objects.get(funder_level="commune", commune=marseille),
            role=Role.PARTNER,
            user__email=f"marseille-{run}@banc.test",
        ).user,
        "État": MembershipFactory(
            organisation=Organisation.objects.get(funder_level="state"),
            role=Role.PARTNER,
            user__email=f"etat-{run}@banc.test",
        ).user,
    }
    filters = {
        "sans filtre": {},
        "page 40": {"page": 40},
        "commune Marseille": {"commune": "Marseille (13055)"},
        "en retard": {"overdue": "on"},
        "étape diagnostic": {"stage": "diagnostic"},
        "recherche « banc 12 »": {"q": "banc 12"},
    }
    url = reverse("cases:list")
    results = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        if needs_second_factor(user):
            mark_session_verified(client, user)
        for name, params in filters.items():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    client.get(url, params)
                    timings.append(time.perf_counter() - started)
            results.append(
                {
                    "user": label,
                    "filter": name,
                    "shown": response.context["page"].paginator.count,
                    "capped": response.context["page"].paginator.capped,
                    "median_ms": round(statistics.median(timings) * 1000),
                    "max_ms": round(max(timings) * 1000),
                    "queries": len(queries),
                }
            )
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database", help="a SQLite file to keep the generated cases (reused if it exists)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(args.database) if args.database else Path(directory) / "bench.sqlite3"
        reuse = path.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path.resolve()}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from bench.bench_evaluation import generate
        from soutien.cases.deadlines import refresh_due_at

        settings.DEBUG = False
        started = time.perf_counter()
        if not reuse:
            generate(args.cases)
            opinions = _opinions()
            refresh_due_at()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(
                f"{args.cases} dossiers, {opinions} avis, générés en "
                f"{time.perf_counter() - started:.0f} s "
                f"(SQLite {connection.Database.sqlite_version})"
            )
        print("| Utilisateur | Filtre | Dossiers comptés | Médiane | Maximum | Requêtes |")
        print("|---|---|---|---|---|---|")
        for row in measure(args.runs):
            counted = f"plus de {row['shown']:,}" if row["capped"] else f"{row['shown']:,}"
            counted = counted.replace(",", "\u00a0")
            print(
                f"| {row['user']} | {row['filter']} | {counted} | {row['median_ms']} ms "
                f"| {row['max_ms']} ms | {row['queries']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
