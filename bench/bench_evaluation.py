"""Benchmark of the evaluation page on 100,000 cases (SQLite, and PostgreSQL when possible).

Never run by the test suite. ``make bench`` (``python -m bench``) calls ``main()``, which runs
each measurement in a child process on a throwaway database:

- SQLite: a temporary file;
- PostgreSQL: ``SOUTIEN_BENCH_PG_URL`` if set, otherwise a throwaway PostgreSQL cluster
  started for the occasion when running as root with the Debian server installed (as in
  .ci/run); skipped otherwise.

The results replace the « Évaluation » section of docs/performance.md.
Options: ``python -m bench.bench_evaluation [--cases N] [--only sqlite|postgresql]``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench_evaluation:start -->", "<!-- bench_evaluation:end -->"
TARGET_SECONDS = 1.0
DEFAULT_CASES = 100_000
RUNS = 5


# --- Child process: generate, then measure --------------------------------------------


def _setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(n_cases: int, seed: int = 13) -> dict:
    """Reference data, ~400 centres and ``n_cases`` cases spread over 2015–2025 (bulk)."""
    from django.core.management import call_command
    from django.db import transaction

    from soutien.cases.enums import ClosureOutcome, DecisionOutcome, Situation, Stage
    from soutien.cases.models import Case, Decision, InformationForm, Satisfaction
    from soutien.directory.models import (
        Commune,
        Domain,
        Organisation,
        OrganisationKind,
        SocialCentre,
    )
    from soutien.directory.reference import load_reference_data

    rng = random.Random(seed)  # noqa: S311 - synthetic data
    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    communes = list(Commune.objects.filter(is_signatory=True))
    communes += list(Commune.objects.filter(is_signatory=False)[:30])
    federations = list(Organisation.objects.filter(kind=OrganisationKind.FEDERATION))
    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    domains = list(Domain.objects.all())
    started = time.perf_counter()
    with transaction.atomic():
        associations = Organisation.objects.bulk_create(
            Organisation(name=f"Association banc {i}", kind=OrganisationKind.ASSOCIATION)
            for i in range(300)
        )
        centres = SocialCentre.objects.bulk_create(
            SocialCentre(
                name=f"Centre banc {i}",
                commune=communes[i % len(communes)],
                manager=associations[i] if i < 300 else federations[i % len(federations)],
                latitude=communes[i % len(communes)].latitude,
                longitude=communes[i % len(communes)].longitude,
            )
            for i in range(400)
        )
        utc = dt.UTC
        first = dt.datetime(2015, 1, 1, tzinfo=utc)
        span = (dt.datetime(2025, 12, 31, tzinfo=utc) - first).days
        stages = [
            (Stage.SUBMITTED, 3),
            (Stage.REFERRAL, 5),
            (Stage.REFUSED, 8),
            (Stage.CLOSED_WITHOUT_FOLLOW_UP, 5),
            (Stage.DIAGNOSTIC, 5),
            (Stage.REPORT_REVIEW, 4),
            (Stage.RESTITUTION, 3),
            (Stage.SUPPORT, 12),
            (Stage.CLOSED, 55),
        ]
        stage_pool = [stage for stage, weight in stages for _ in range(weight)]
        order = [
            Stage.DIAGNOSTIC,
            Stage.REPORT_REVIEW,
            Stage.RESTITUTION,
            Stage.SUPPORT,
            Stage.CLOSED,
        ]
        cases, decisions = [], []
        for i in range(n_cases):
            centre = centres[rng.randrange(len(centres))]
            stage = rng.choice(stage_pool)
            submitted = first + dt.timedelta(days=rng.randrange(span), hours=rng.randrange(10))
            row = {
                "number": f"MSTR-B-{i:07d}",
                "centre": centre,
                "manager_id": centre.manager_id,
                "stage": stage,
                "situation": Situation.PREVENTIVE if rng.random() < 0.6 else Situation.CRISIS,
                "submitted_at": submitted,
            }
            decided = submitted + dt.timedelta(days=rng.randint(5, 60))
            if stage in (Stage.REFUSED, *order):
                row["decided_at"] = decided
                outcome = (
                    DecisionOutcome.REFUSED if stage == Stage.REFUSED else DecisionOutcome.VALIDATED
                )
                decisions.append((i, outcome, decided))
            if stage in order:
                row["provider"] = provider
                level = order.index(stage)
                if level >= 1:
                    report = decided + dt.timedelta(days=rng.randint(15, 90))
                    row["first_report_at"] = report
                    row["report_submitted_at"] = report + dt.timedelta(days=rng.randint(0, 10))
                if level >= 2:
                    row["report_validated_at"] = row["report_submitted_at"] + dt.timedelta(
                        days=rng.randint(1, 30)
                    )
                if level >= 3:
                    row["restitution_at"] = row["report_validated_at"] + dt.timedelta(
                        days=rng.randint(5, 60)
                    )
                if level >= 4:
                    row["closed_at"] = row["restitution_at"] + dt.timedelta(
                        days=rng.randint(30, 300)
                    )
                    row["closure_outcome"] = rng.choice(list(ClosureOutcome))
            cases.append(Case(**row))
        cases = Case.objects.bulk_create(cases, batch_size=5000)
        Decision.objects.bulk_create(
            (
                Decision(
                    case_id=cases[i].pk,
                    outcome=outcome,
                    grounds="Motif" if outcome == DecisionOutcome.REFUSED else "",
                    decided_at=decided,
                )
                for i, outcome, decided in decisions
            ),
            batch_size=5000,
        )
        InformationForm.objects.bulk_create(
            (InformationForm(case_id=case.pk) for case in cases), batch_size=5000
        )
        through = InformationForm.domains.through
        through.objects.bulk_create(
            (
                through(informationform_id=case.pk, domain_id=domain.pk)
                for case in cases
                for domain in rng.sample(domains, rng.randint(1, 2))
            ),
            batch_size=5000,
        )
        Satisfaction.objects.bulk_create(
            (
                Satisfaction(
                    case_id=case.pk,
                    usefulness=rng.randint(1, 5),
                    listening=rng.randint(1, 5),
                    ownership=rng.randint(1, 5),
                    would_recommend=rng.random() < 0.8,
                )
                for case in cases
                if case.stage == Stage.CLOSED and rng.random() < 0.7
            ),
            batch_size=5000,
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generated = time.perf_counter()
    # Bulk writes send no signal: the evaluation's facts, then the published grid, as
    # `manage.py evaluation_refresh` does (docs/performance-evaluation.md).
    from soutien.evaluation.facts import rebuild
    from soutien.evaluation.publication import compute_grid

    rebuild()
    facts = time.perf_counter()
    result = {
        "generation_seconds": round(generated - started, 1),
        "facts_seconds": round(facts - generated, 1),
    }
    if n_cases <= MASKED_GRID_UP_TO:
        grid = compute_grid()
        result["grid_seconds"] = round(time.perf_counter() - facts, 1)
    else:
        grid = _stand_in_grid()
        result["grid_seconds"] = None  # not computed: see _stand_in_grid
    result["grid_suppressed"] = len(grid.suppressed)
    return result


# Beyond this many cases the masking itself (soutien.evaluation.grid.mask, in the
# background task) takes too long for a benchmark run: about 40 s at 10,000 cases, 3 min
# at 30,000 (bench/bench_grid.py).
MASKED_GRID_UP_TO = int(os.environ.get("SOUTIEN_BENCH_MASKED_GRID_UP_TO", "10000"))


def _stand_in_grid():
    """For the page timings only, in this throwaway database: a stored grid suppressing
    every figure of a municipality and a year (the size of a real grid's list, read and
    parsed by each masked page), as the published copy of the facts it goes with."""
    from django.utils import timezone

    from soutien.evaluation.facts import facts_version
    from soutien.evaluation.grid import MEASURE_SPLITS, OUTCOME_MEASURES, STEP_MEASURES
    from soutien.evaluation.groups import ensure_published
    from soutien.evaluation.models import CaseFacts, PublishedGrid
    from soutien.evaluation.publication import _copy_facts

    measures = {"total", "preventive", "crisis", "decided", "validated", "closed"}
    measures |= {*OUTCOME_MEASURES, *STEP_MEASURES, *(p for p, _ in MEASURE_SPLITS)}
    places = CaseFacts.objects.values_list("submitted_year", "municipality_id").distinct()
    suppressed = [
        [year, municipality, manager, measure]
        for year, municipality in places
        for manager in (None, "association", "federation")
        for measure in sorted(measures)
    ]
    grid = PublishedGrid.objects.create(
        facts_version=facts_version(),
        token=uuid.uuid4().hex,
        as_of=timezone.now(),
        suppressed=suppressed,
    )
    _copy_facts(grid.pk)
    ensure_published(grid.pk, grid.token)  # its groups, as compute_grid sums them up
    return grid


def measure() -> dict:
    """Render the evaluation page through the test client, as several users."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from soutien.cases.models import Case
    from soutien.directory.models import Organisation, OrganisationKind, Role
    from tests.factories import MembershipFactory
    from tests.security.helpers import mark_session_verified, needs_second_factor

    users = {
        "coordination (tout le département, chiffres exacts)": MembershipFactory(
            organisation=Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
            role=Role.COORDINATOR,
        ).user,
        "instance d'évaluation (département, masqué)": MembershipFactory(
            organisation=Organisation.objects.get(kind=OrganisationKind.EVALUATION),
            role=Role.EVALUATOR,
        ).user,
        "commune partenaire (Marseille + totaux du département)": MembershipFactory(
            organisation=Organisation.objects.get(
                funder_level="commune", commune__name="Marseille"
            ),
            role=Role.PARTNER,
        ).user,
    }
    url = reverse("evaluation:index")
    results = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        if needs_second_factor(user):
            mark_session_verified(client, user)
        for params_label, params in (("toutes années", {}), ("année 2024", {"year": 2024})):
            response = client.get(url, params)  # warm-up (and check)
            assert response.status_code == 200, response.status_code
            timings = []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    client.get(url, params)
                    timings.append(time.perf_counter() - started)
            results.append(
                {
                    "user": label,
                    "filter": params_label,
                    "median_seconds": round(statistics.median(timings), 3),
                    "max_seconds": round(max(timings), 3),
                    "queries": len(queries),
                }
            )
    return {"cases": Case.objects.count(), "pages": results}


def child(database_url: str, n_cases: int) -> None:
    _setup_django(database_url)
    from django.db import connection

    result = generate(n_cases)
    result.update(measure())
    result["vendor"] = connection.vendor
    if connection.vendor == "postgresql":
        version = connection.pg_version  # 150018 for 15.18
        result["server_version"] = f"{version // 10000}.{version % 10000}"
    else:
        result["server_version"] = connection.Database.sqlite_version
    print("RESULT " + json.dumps(result))


# --- Parent process: databases, children, report --------------------------------------


def _run_child(database_url: str, n_cases: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.bench_evaluation", "--child", database_url, str(n_cases)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"Échec du banc :\n{process.stdout}\n{process.stderr}")


def _free_port() -> int:
    """A loopback port nobody listens on (another cluster may use the usual ones)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, as .ci/run starts one (root only)."""

    def __init__(self, port: int | None = None):
        self.port = port or _free_port()
        self.dir = None
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = bins[-1] if bins else None

    def available(self) -> bool:
        return self.bin is not None and os.geteuid() == 0 and shutil.which("su") is not None

    def _su(self, command: str) -> None:
        subprocess.run(  # noqa: S603 - fixed commands on our temporary directory
            ["su", "postgres", "-s", "/bin/sh", "-c", command],  # noqa: S607
            check=True,
            capture_output=True,
        )

    def __enter__(self) -> str:
        self.dir = Path(tempfile.mkdtemp(prefix="soutien-bench-pg."))
        self.dir.chmod(0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._su(
            f"{self.bin}/initdb -D {data} --auth=trust --encoding=UTF8 --locale=C.UTF-8 -U postgres"
        )
        options = (
            f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._su(f"{self.bin}/pg_ctl -D {data} -w -l {self.dir}/log -o '{options}' start")
        self._su(f"{self.bin}/createdb -h 127.0.0.1 -p {self.port} soutien_bench")
        return f"postgres://postgres@127.0.0.1:{self.port}/soutien_bench"

    def __exit__(self, *exc):
        try:
            self._su(f"{self.bin}/pg_ctl -D {self.dir}/data -m immediate stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _table(result: dict) -> list[str]:
    lines = [
        f"- Base : {result['vendor']} {result['server_version']} ; "
        f"{_thousands(result['cases'])} dossiers (génération en {result['generation_seconds']} s).",
        "",
        "| Utilisateur | Filtre | Médiane | Maximum | Requêtes SQL | Objectif < 1 s |",
        "|---|---|---|---|---|---|",
    ]
    for page in result["pages"]:
        ok = "oui" if page["max_seconds"] < TARGET_SECONDS else "**non**"
        lines.append(
            f"| {page['user']} | {page['filter']} | {page['median_seconds']:.3f} s "
            f"| {page['max_seconds']:.3f} s | {page['queries']} | {ok} |"
        )
    return lines


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def write_report(results: dict[str, dict | str], n_cases: int) -> None:
    lines = [
        START,
        "## Évaluation du dispositif (`bench/bench_evaluation.py`)",
        "",
        f"Page « Évaluation » (`/evaluation/`) rendue par le client de test de Django, {RUNS} "
        f"mesures après un premier affichage, sur {_thousands(n_cases)} dossiers générés "
        "(`bulk_create`, 400 centres, 2015–2025). Objectif : moins d'une seconde. "
        "Tous les indicateurs sont des sommes de groupes pré-agrégés "
        "(`soutien/evaluation/groups.py` : année × commune × type de gestionnaire et "
        "fédération, champs, histogrammes des durées au dixième de jour par niveau), tenus "
        "à jour avec les faits de chaque dossier, en un nombre constant de requêtes ; seul "
        "le nombre de dossiers « en retard » est compté sur les faits des dossiers dont "
        "l'étape a une horloge (docs/performance-evaluation.md).",
        "",
        f"Mesuré le {dt.date.today():%d/%m/%Y} sur {platform.node() or 'la machine locale'} "  # noqa: DTZ011
        f"({platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cœurs ; "
        f"charge moyenne {os.getloadavg()[0]:.1f} à la fin des mesures).",
        "",
    ]
    for name, result in results.items():
        lines.append(f"### {name}")
        lines.append("")
        if isinstance(result, str):
            lines.append(result)
        else:
            lines.extend(_table(result))
        lines.append("")
    lines.append(END)
    section = "\n".join(lines)
    write_section(DOC, START, END, section)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "CASES"))
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    results: dict[str, dict | str] = {}
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="soutien-bench-") as directory:
            print(f"Évaluation — SQLite, {args.cases} dossiers…", flush=True)
            results["SQLite"] = _run_child(f"sqlite:///{directory}/bench.sqlite3", args.cases)
    if args.only in (None, "postgresql"):
        print(f"Évaluation — PostgreSQL, {args.cases} dossiers…", flush=True)
        if os.environ.get("SOUTIEN_BENCH_PG_URL"):
            results["PostgreSQL"] = _run_child(os.environ["SOUTIEN_BENCH_PG_URL"], args.cases)
        elif (server := ThrowawayPostgres()).available():
            with server as url:
                results["PostgreSQL"] = _run_child(url, args.cases)
        else:
            results["PostgreSQL"] = (
                "Non mesuré : ni `SOUTIEN_BENCH_PG_URL`, ni serveur PostgreSQL jetable "
                "(il faut être root avec le paquet Debian `postgresql`)."
            )
    for name, result in results.items():
        print(name, json.dumps(result, ensure_ascii=False, indent=1))
    write_report(results, args.cases)
    print(f"Résultats écrits dans {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
