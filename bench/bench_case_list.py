"""The platform's pages on SQLite at 100,000 cases, for every role (issue #15, point 4).

Never run by the suite. ``uv run python -m bench.bench_case_list [--cases N] [--runs R]
[--database FILE]`` generates the cases of ``bench.bench_evaluation`` in a SQLite file (a
temporary one unless ``--database`` names a file to keep and reuse): the State, the
Region, the Department and the concerned commune are asked an opinion on every case past
the submission (pending on half the cases at the referral stage), each case's timeline
is written (one event per step walked), the due dates are stored (``refresh_due_at``, as
the data migration does). On that data it creates, once per database, eleven accounts
standing for the eleven demo roles of ``bench_platform.ALL_ROLES`` (tests/factories.py),
each with something to do: the board member and the employee on an association-run
centre of Marseille with cases in progress, the federation's staff on the federation
managing the most cases, the consultant designated on some of the provider's cases in
progress, and one case of the board member's centre brought to the support stage through
the real services (its history).

Then, one user at a time, through Django's test client with production-like settings
(DEBUG off, the database cache, the database task queue): the case list (page 1, page
40, a commune, the overdue cases, a stage, a text search) for the five list roles,
« Mon espace » for the eleven roles, that case's page for the coordination and the board
member, the evaluation page for four roles. For each page × role: status (must be 200),
SQL queries, median and p95 over ``--runs`` requests after a warm-up, whether under
300 ms, and the slowest query (its ``EXPLAIN QUERY PLAN`` is printed when the page misses
the target). Prints the table and writes it into docs/performance-sqlite.md.
PostgreSQL: ``make bench`` (bench_platform) measures the same pages at 1,000,000 cases.
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance-sqlite.md"
START, END = "<!-- bench_case_list:start -->", "<!-- bench_case_list:end -->"
TARGET_MS = 300
LIST_FILTERS = {
    "sans filtre": {},
    "page 40": {"page": 40},
    "commune Marseille": {"commune": "Marseille (13055)"},
    "en retard": {"overdue": "on"},
    "étape diagnostic": {"stage": "diagnostic"},
    "recherche « banc 12 »": {"q": "banc 12"},
}


def _bench_email(demo_email: str) -> str:
    """The bench account standing for a demo account (same local part, bench domain)."""
    return f"{demo_email.split('@')[0]}@banc.test"


def _opinions() -> int:
    """The State, the Region, the Department and the centre's commune (when it is a
    partner) asked an opinion on every case past the submission, as bench/generate.py
    does: given three days after the submission, except on half the cases still at the
    referral stage (the partners' « Avis à donner »). The partners' lists have something
    to read, their « Mon espace » something to do."""
    from django.db import transaction

    from soutien.cases.enums import OpinionValue, Stage
    from soutien.cases.models import Case, Opinion
    from soutien.directory.models import Organisation

    wide = list(
        Organisation.objects.filter(funder_level__in=["state", "region", "department"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    by_commune = dict(
        Organisation.objects.filter(funder_level="commune").values_list("commune_id", "pk")
    )
    values = [OpinionValue.FAVOURABLE, OpinionValue.FAVOURABLE, OpinionValue.RESERVED]
    rows = []
    cases = Case.objects.exclude(stage__in=[Stage.DRAFT, Stage.SUBMITTED]).values_list(
        "pk", "stage", "submitted_at", "centre__commune_id"
    )
    for case_id, stage, submitted_at, commune_id in cases.iterator(chunk_size=5000):
        partners = [*wide, by_commune[commune_id]] if commune_id in by_commune else wide
        for partner_id in partners:
            if stage == Stage.REFERRAL and case_id % 2:
                rows.append(Opinion(case_id=case_id, partner_id=partner_id))
                continue
            rows.append(
                Opinion(
                    case_id=case_id,
                    partner_id=partner_id,
                    value=values[(case_id + partner_id) % len(values)],
                    given_at=submitted_at + dt.timedelta(days=3),
                )
            )
    with transaction.atomic():
        Opinion.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _events() -> int:
    """Each case's timeline, one event per step walked (kinds and labels of
    bench/generate.py), dated from the case's own dates: the case list's « nouveau depuis
    votre visite » and the pages that read the history have a table of realistic size.
    Written by plain INSERTs: the event's date is ``auto_now_add`` (bulk_create would
    date every event now)."""
    from django.db import connection, transaction

    from bench.generate import EVENT_OF
    from soutien.cases.models import Case

    adapt = connection.ops.adapt_datetimefield_value
    day = dt.timedelta(days=1)
    steps = [  # (stage entered, the case's date of that step)
        ("diagnostic", "decided_at"),
        ("report_review", "report_submitted_at"),
        ("restitution", "report_validated_at"),
        ("support", "restitution_at"),
        ("closed", "closed_at"),
    ]
    fields = ["pk", "stage", "submitted_at", "decided_at"] + [name for _, name in steps[1:]]
    rows = []
    for case in Case.objects.values(*fields).iterator(chunk_size=5000):
        submitted = case["submitted_at"]
        walk = [("create", "", "draft", submitted - 3 * day)]
        walk.append(("submitted", "draft", "submitted", submitted))
        if case["stage"] != "submitted":
            walk.append(("referral", "submitted", "referral", submitted + 2 * day))
        if case["stage"] in ("refused", "closed_without_follow_up"):
            decided = case["decided_at"] or submitted + 30 * day
            walk.append((case["stage"], "referral", case["stage"], decided))
        previous = "referral"
        for stage, date_field in steps:
            if case.get(date_field) is None:
                break
            walk.append((stage, previous, stage, case[date_field]))
            previous = stage
        for step, from_stage, to_stage, moment in walk:
            kind, label = ("create", "Brouillon créé") if step == "create" else EVENT_OF[step]
            rows.append((case["pk"], kind, label, adapt(moment), from_stage, to_stage))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO cases_caseevent (case_id, kind, label, created_at, from_stage, "
            "to_stage, comment, audience) VALUES (%s, %s, %s, %s, %s, %s, '', 'case')",
            rows,
        )
    return len(rows)


# --- The eleven roles on the generated data ---------------------------------------------


def _active_stages() -> list[str]:
    from soutien.cases.enums import FINAL_STAGES, Stage

    return [stage for stage in Stage if stage not in FINAL_STAGES]


def create_roles(n_cases: int) -> dict:
    """The eleven accounts of the demo roles on the generated data, and the case shown
    (support stage, full history through the services). Returns what was chosen."""
    from django.db.models import Count, Q

    from bench.bench_evaluation import MASKED_GRID_UP_TO, _stand_in_grid
    from soutien.cases.enums import Stage
    from soutien.cases.models import Case
    from soutien.directory.models import (
        Commune,
        Organisation,
        OrganisationKind,
        Role,
        SocialCentre,
    )
    from soutien.evaluation.publication import compute_grid
    from tests.builders import Cast, case_at
    from tests.factories import MembershipFactory, UserFactory

    active = _active_stages()
    marseille = Commune.objects.get(insee_code="13055")
    centre = (
        SocialCentre.objects.filter(commune=marseille, manager__kind=OrganisationKind.ASSOCIATION)
        .annotate(active=Count("cases", filter=Q(cases__stage__in=active)))
        .order_by("-active", "pk")
        .first()
    )
    federation_id = (
        Case.objects.filter(manager__kind=OrganisationKind.FEDERATION)
        .values("manager_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "manager_id")[0]["manager_id"]
    )

    def member(demo_email: str, organisation, role):
        return MembershipFactory(
            organisation=organisation, role=role, user__email=_bench_email(demo_email)
        ).user

    def funder(level: str, **lookup):
        return Organisation.objects.get(kind=OrganisationKind.FUNDER, funder_level=level, **lookup)

    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    users = {
        "coordination@caf13.demo": member(
            "coordination@caf13.demo",
            Organisation.objects.get(kind=OrganisationKind.COORDINATOR),
            Role.COORDINATOR,
        ),
        "etat@partenaires.demo": member("etat@partenaires.demo", funder("state"), Role.PARTNER),
        "region@partenaires.demo": member(
            "region@partenaires.demo", funder("region"), Role.PARTNER
        ),
        "departement@partenaires.demo": member(
            "departement@partenaires.demo", funder("department"), Role.PARTNER
        ),
        "marseille@partenaires.demo": member(
            "marseille@partenaires.demo", funder("commune", commune=marseille), Role.PARTNER
        ),
        "federation@federation.demo": member(
            "federation@federation.demo",
            Organisation.objects.get(pk=federation_id),
            Role.FEDERATION_STAFF,
        ),
        "administrateur@centre.demo": member(
            "administrateur@centre.demo", centre.manager, Role.BOARD_MEMBER
        ),
        "salarie@centre.demo": member("salarie@centre.demo", centre.manager, Role.STAFF),
        "consultant@prestataire.demo": member(
            "consultant@prestataire.demo", provider, Role.CONSULTANT
        ),
        "evaluation@partenaires.demo": member(
            "evaluation@partenaires.demo",
            Organisation.objects.get(kind=OrganisationKind.EVALUATION),
            Role.EVALUATOR,
        ),
        "admin@soutien.demo": UserFactory(
            email=_bench_email("admin@soutien.demo"), is_staff=True, is_superuser=True
        ),
    }
    # The consultant designated on one case in fifty of the provider's cases in progress
    # (bench/generate.py does the same), the diagnostic among them.
    provided = Case.objects.filter(
        stage__in=[Stage.DIAGNOSTIC, Stage.REPORT_REVIEW, Stage.RESTITUTION, Stage.SUPPORT]
    ).order_by("pk")
    designated = list(provided.values_list("pk", flat=True))[::50]
    Case.objects.filter(pk__in=designated).update(consultant=users["consultant@prestataire.demo"])
    cast = Cast(
        centre=centre,
        association=centre.manager,
        board_member=users["administrateur@centre.demo"],
        staff=users["salarie@centre.demo"],
        coordinator=users["coordination@caf13.demo"],
        partner_state=users["etat@partenaires.demo"],
        partner_commune=users["marseille@partenaires.demo"],
        partner_other_commune=None,
        consultant=users["consultant@prestataire.demo"],
        other_consultant=None,
        evaluator=users["evaluation@partenaires.demo"],
        outsider=None,
    )
    shown, _ = case_at(Stage.SUPPORT, cast)
    # The services changed the evaluation's facts: a published grid of the facts as they
    # now stand, as after generation (bench_evaluation.generate), so that no page waits.
    if n_cases <= MASKED_GRID_UP_TO:
        compute_grid()
    else:
        _stand_in_grid()
    return {
        "case": shown.pk,
        "centre": centre.name,
        "centre_active": centre.active,
        "federation": Organisation.objects.get(pk=federation_id).name,
        "federation_cases": Case.objects.filter(manager_id=federation_id).count(),
        "designated": len(designated),
        "case_events": shown.events.count(),
    }


# --- Measurement ------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest rank (as bench_platform): with 12 runs, the p95 is the slowest but one."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _pages(case_id: int) -> list[tuple[str, str, dict, list[str]]]:
    """(page, path, query parameters, demo roles) in the order measured."""
    from django.urls import reverse

    from bench.bench_platform import ALL_ROLES, PAGES

    listed = PAGES["Liste des dossiers"]
    pages = [
        (f"Liste des dossiers, {name}", reverse("cases:list"), params, listed)
        for name, params in LIST_FILTERS.items()
    ]
    pages.append(("Mon espace", reverse("web:my_space"), {}, ALL_ROLES))
    pages.append(
        (
            "Page d'un dossier",
            reverse("cases:detail", args=[case_id]),
            {},
            PAGES["Page d'un dossier"],
        )
    )
    pages.append(("Évaluation", reverse("evaluation:index"), {}, PAGES["Évaluation"]))
    return pages


def _client(email: str):
    from django.test import Client

    from soutien.accounts.models import User
    from tests.security.helpers import mark_session_verified, needs_second_factor

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    if needs_second_factor(user):
        mark_session_verified(client, user)
    return client


class _Recorder:
    """Each query of a request with its duration (``connection.execute_wrapper``: no
    debug cursor, whose bookkeeping would be timed with the page)."""

    def __init__(self):
        self.queries: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def measure(runs: int, case_id: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from bench.bench_platform import ROLE_LABELS

    clients = {}
    results = []
    for page, path, params, roles in _pages(case_id):
        for demo in roles:
            client = clients.get(demo) or clients.setdefault(demo, _client(_bench_email(demo)))
            # Warm-up, with the test environment's instrumented templates (the response
            # carries its context: the count shown); the timed requests go without.
            setup_test_environment()
            try:
                response = client.get(path, params)
            finally:
                teardown_test_environment()
            statuses, timings, sql_times = {response.status_code}, [], []
            for _ in range(runs):
                recorder = _Recorder()
                with connection.execute_wrapper(recorder):
                    started = time.perf_counter()
                    statuses.add(client.get(path, params).status_code)
                    timings.append(time.perf_counter() - started)
                sql_times.append(sum(seconds for _sql, _params, seconds in recorder.queries))
            slowest = max(recorder.queries, key=lambda query: query[2], default=("", None, 0.0))
            row = {
                "page": page,
                "role": ROLE_LABELS[demo],
                "status": max(statuses, key=lambda status: (status != 200, status)),
                "queries": len(recorder.queries),
                "median_ms": round(statistics.median(timings) * 1000),
                "p95_ms": round(_percentile(timings, 0.95) * 1000),
                "sql_ms": round(statistics.median(sql_times) * 1000, 1),
                "slowest_ms": round(slowest[2] * 1000, 1),
                "slowest_sql": (slowest[0], slowest[1]),
                "load": round(os.getloadavg()[0], 1),
            }
            page_obj = response.context.get("page") if response.context else None
            if page.startswith("Liste") and page_obj is not None:
                row["shown"] = page_obj.paginator.count
                row["capped"] = page_obj.paginator.capped
            results.append(row)
            print(
                f"{page} | {row['role']} | {row['status']} | {row['queries']} requêtes "
                f"| SQL {row['sql_ms']} ms | médiane {row['median_ms']} ms "
                f"| p95 {row['p95_ms']} ms | charge {row['load']}",
                flush=True,
            )
    return results


def explain(rows: list[dict]) -> None:
    """The plan of the slowest query of each page that misses the target."""
    from django.db import connection

    for row in rows:
        if row["p95_ms"] < TARGET_MS and row["status"] == 200:
            continue
        sql, params = row["slowest_sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            row["plan"] = [detail for _id, _parent, _unused, detail in cursor.fetchall()]
        print(f"{row['page']} — {row['role']} : {row['slowest_ms']} ms\n{sql}\n{params}")
        print("\n".join(row["plan"]), flush=True)


# --- Report -----------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _fr(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _generated(data: dict) -> str:
    if data.get("generation_seconds") is None:
        return "base déjà générée (durée de génération non conservée)"
    return (
        f"générés en {data['generation_seconds']:.0f} s (faits de l'évaluation et grille "
        "publiée compris)"
    )


def report(data: dict, rows: list[dict], runs: int) -> str:
    loads = [row["load"] for row in rows]
    failing = [row for row in rows if row["status"] != 200 or row["p95_ms"] >= TARGET_MS]
    lines = [
        START,
        "## Mesures (`bench/bench_case_list.py`)",
        "",
        f"Mesuré le {dt.datetime.now(dt.UTC):%d/%m/%Y à %H:%M} UTC sur "
        f"{platform.node() or 'la machine locale'} ({platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cœurs partagés avec d'autres travaux : "
        f"charge moyenne sur une minute de {_fr(min(loads))} à {_fr(max(loads))} pendant les "
        "mesures ; au-delà de 2, les temps sont allongés d'autant), SQLite "
        f"{data['sqlite_version']}, un seul processus, un utilisateur à la fois.",
        "",
        f"Données : {_n(data['cases'])} dossiers de `bench.bench_evaluation.generate` "
        "(400 centres, 2015–2025, écrits par `bulk_create`), "
        f"{_n(data['opinions'])} avis (l'État, la Région, le Département et la commune du "
        "centre quand elle est partenaire, sur chaque dossier passé la transmission ; en "
        "attente sur la moitié des dossiers en saisine), "
        f"{_n(data['events'])} événements (un par étape franchie), {_generated(data)}. "
        "Onze comptes créés par `tests/factories.py` pour les onze rôles de "
        f"démonstration : l'administratrice et le salarié sur « {data['centre']} » "
        f"(Marseille, {data['centre_active']} dossiers en cours), la fédération sur "
        f"« {data['federation']} » ({_n(data['federation_cases'])} dossiers), la "
        f"consultante désignée sur {data['designated']} dossiers en cours du prestataire. "
        "Le dossier affiché est amené à l'accompagnement par les vrais services "
        f"(`tests/builders.case_at`, {data['case_events']} événements à son historique).",
        "",
        "Méthode : client de test de Django, réglages proches de la production (`DEBUG` "
        "coupé, cache et file des tâches en base comme en production), session marquée "
        "comme ayant passé le second facteur ; pour chaque page et rôle, un affichage de "
        f"chauffe puis {runs} mesurés : médiane, p95 (rang le plus proche), nombre de "
        "requêtes SQL d'un affichage, médiane du temps passé dans SQLite (chronométré "
        "autour de chaque requête, sans le curseur de débogage). Objectif (issue #15, point 4) : "
        f"moins de {TARGET_MS} ms, jugé sur le p95.",
        "",
        "Relancer : `uv run python -m bench.bench_case_list --database "
        "/chemin/hors/du/depot/bench100k.sqlite3` (le fichier est gardé et réutilisé ; "
        "sans `--database`, un fichier temporaire) ; `--cases N`, `--runs R`. "
        "`make bench` l'exécute avec les autres bancs.",
        "",
        "| Page | Rôle | Statut | Dossiers comptés | Requêtes | SQL | Médiane | p95 "
        f"| < {TARGET_MS} ms | Charge |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        counted = "—"
        if "shown" in row:
            counted = f"plus de {_n(row['shown'])}" if row["capped"] else _n(row["shown"])
        ok = "oui" if row["p95_ms"] < TARGET_MS and row["status"] == 200 else "**non**"
        lines.append(
            f"| {row['page']} | {row['role']} | {row['status']} | {counted} "
            f"| {row['queries']} | {_fr(row['sql_ms'])} ms | {row['median_ms']} ms "
            f"| {row['p95_ms']} ms | {ok} | {_fr(row['load'])} |"
        )
    lines.append("")
    if failing:
        lines.append(
            f"Pages au-dessus de {TARGET_MS} ms : requête la plus lente et son plan "
            "(`EXPLAIN QUERY PLAN`)."
        )
        lines.append("")
        for row in failing:
            lines.append(f"- {row['page']} — {row['role']} : {row['slowest_ms']} ms")
            if row.get("plan"):
                lines.append("")
                lines.append("  ```")
                lines.extend(f"  {detail}" for detail in row["plan"])
                lines.append("  ```")
        lines.append("")
    else:
        lines.append(f"Toutes les pages mesurées sont sous {TARGET_MS} ms.")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


# --- Entry point ------------------------------------------------------------------------

PRODUCTION_LIKE = {
    "DEBUG": False,
    # As config.settings.base (production): the database cache and task queue.
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "soutien_cache",
        }
    },
    "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    "WHITENOISE_AUTOREFRESH": False,
}


def prepare(n_cases: int, stats_file: Path, reuse: bool) -> dict:
    """Generate the data (unless the file holds it already) and the eleven accounts."""
    from django.core.management import call_command
    from django.db import connection

    from bench.bench_evaluation import generate
    from soutien.accounts.models import User
    from soutien.cases.deadlines import refresh_due_at
    from soutien.cases.models import Case, CaseEvent, Opinion

    data = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    if reuse:
        call_command("migrate", verbosity=0, interactive=False)  # a file of an older schema
        data.setdefault("generation_seconds", None)  # generated before its timing was kept
    else:
        started = time.perf_counter()
        generate(n_cases)
        _opinions()
        _events()
        refresh_due_at()
        data["generation_seconds"] = round(time.perf_counter() - started, 1)
        stats_file.write_text(json.dumps(data), encoding="utf-8")  # kept if what follows fails
    if not User.objects.filter(email=_bench_email("coordination@caf13.demo")).exists():
        data.update(create_roles(Case.objects.count()))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif "case" not in data:
        raise SystemExit(
            f"{stats_file} manque (la description des données du banc) : supprimez la base "
            "pour la régénérer."
        )
    data.update(
        cases=Case.objects.count(),
        opinions=Opinion.objects.count(),
        events=CaseEvent.objects.count(),
        sqlite_version=connection.Database.sqlite_version,
    )
    stats_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument(
        "--database", help="a SQLite file to keep the generated cases (reused if it exists)"
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    with tempfile.TemporaryDirectory() as directory:
        path = Path(args.database) if args.database else Path(directory) / "bench.sqlite3"
        if path.resolve().is_relative_to(ROOT):
            raise SystemExit("La base du banc ne doit pas être dans le dépôt.")
        reuse = path.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path.resolve()}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        # The static files come from the finders here (no collectstatic): not a problem.
        warnings.filterwarnings("ignore", message="No directory at")
        from django.test.utils import override_settings

        with override_settings(**PRODUCTION_LIKE):
            data = prepare(args.cases, path.with_name(path.name + ".json"), reuse)
            print(
                f"{_n(data['cases'])} dossiers, {_n(data['opinions'])} avis, "
                f"{_generated(data)} (SQLite {data['sqlite_version']})",
                flush=True,
            )
            rows = measure(args.runs, data["case"])
            explain(rows)
        section = report(data, rows, args.runs)
        print(section)
        if not DOC.exists():
            DOC.write_text("# Performances sur SQLite\n\n", encoding="utf-8")
        write_section(DOC, START, END, section)
        print(f"Résultats écrits dans {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
