"""Benchmark of the platform's pages at 10,000 and 1,000,000 cases (issue #15, point 5).

Never run by the tests or CI: ``make bench`` (``python -m bench``) calls ``main()``;
``BENCH_CASES=10000 make bench`` or ``python -m bench.bench_platform --cases 10000`` for
a quick run. Root with the Debian ``postgresql`` package is needed (as for .ci/run).

1. A throwaway PostgreSQL cluster (temporary directory, free port, 127.0.0.1 only).
2. For each size, a database filled with COPY (bench/generate.py), timed.
3. Each page × role rendered once through Django's test client: its SQL queries are
   counted and captured (the bare baseline replays them).
4. On the largest database, ``make serve`` (gunicorn, 2 workers, production settings),
   the demo accounts logged in through the real login and second-factor pages (codes
   computed from each account's TOTP key in the bench database), then:
   - one user alone: p50 and p95 of each page × role;
   - 20 locust users (headless, time-bounded) per page, interleaved with the same load on
     the bare baseline (bench/baseline.py replaying that page's reads), rounds alternating.
5. The table replaces the « Pages de la plateforme » section of docs/performance.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench_platform:start -->", "<!-- bench_platform:end -->"
DEFAULT_SIZES = [10_000, 1_000_000]
USERS = 20
PASSWORD = "soutien-demo"  # noqa: S105 - the public demo password (settings.SOUTIEN_DEMO_PASSWORD)

ALL_ROLES = [
    "coordination@caf13.demo",
    "etat@partenaires.demo",
    "region@partenaires.demo",
    "departement@partenaires.demo",
    "marseille@partenaires.demo",
    "federation@federation.demo",
    "administrateur@centre.demo",
    "salarie@centre.demo",
    "consultant@prestataire.demo",
    "evaluation@partenaires.demo",
    "admin@soutien.demo",
]
ROLE_LABELS = {
    "coordination@caf13.demo": "coordination",
    "etat@partenaires.demo": "État (tous les dossiers)",
    "region@partenaires.demo": "Région",
    "departement@partenaires.demo": "Département",
    "marseille@partenaires.demo": "commune (Marseille)",
    "federation@federation.demo": "fédération",
    "administrateur@centre.demo": "gestionnaire (administratrice)",
    "salarie@centre.demo": "salarié du centre",
    "consultant@prestataire.demo": "consultante",
    "evaluation@partenaires.demo": "instance d'évaluation",
    "admin@soutien.demo": "administration technique",
}
FLOOR = "Plancher : « Mon espace » de l'instance d'évaluation"
# page → roles measured (issue #15, point 4)
PAGES = {
    "Liste des dossiers": [
        "coordination@caf13.demo",
        "etat@partenaires.demo",
        "marseille@partenaires.demo",
        "federation@federation.demo",
        "administrateur@centre.demo",
    ],
    "Mon espace": ALL_ROLES,
    "Page d'un dossier": ["coordination@caf13.demo", "administrateur@centre.demo"],
    "Évaluation": [
        "coordination@caf13.demo",
        "etat@partenaires.demo",
        "marseille@partenaires.demo",
        "evaluation@partenaires.demo",
    ],
    # The floor: the lightest private page (four queries: session, account, second
    # factor, memberships), what the request cycle alone costs beside its replay.
    FLOOR: ["evaluation@partenaires.demo"],
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Child processes: generation, capture ---------------------------------------------


def _django(database_url: str, settings_module: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_generate(database_url: str, n_cases: int) -> dict:
    # DEBUG settings: the demo accounts refuse any other (this database is thrown away).
    _django(database_url, "config.settings.dev")
    from bench.generate import generate

    return generate(n_cases, log=log)


def _shown_case_id() -> int:
    """A case at the support stage on the board member's demo centre (full timeline)."""
    from soutien.cases.models import Case
    from soutien.directory.demo import DEMO_BOARD_CENTRE

    case = (
        Case.objects.filter(centre__name=DEMO_BOARD_CENTRE, stage="support").order_by("-pk").first()
    ) or Case.objects.filter(centre__name=DEMO_BOARD_CENTRE).order_by("-pk").first()
    return case.pk


def child_capture(database_url: str) -> list[dict]:
    """Each page × role once through the test client: status, query count, SQL."""
    _django(database_url, "config.settings.test")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from soutien.accounts.models import User

    case_id = _shown_case_id()
    paths = {
        "Liste des dossiers": reverse("cases:list"),
        "Mon espace": reverse("web:my_space"),
        "Page d'un dossier": reverse("cases:detail", args=[case_id]),
        "Évaluation": reverse("evaluation:index"),
        FLOOR: reverse("web:my_space"),
    }
    clients = {}
    for email in ALL_ROLES:
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
        clients[email] = client
    entries = []
    for page, roles in PAGES.items():
        for email in roles:
            clients[email].get(paths[page])  # warm-up (session work done once)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = clients[email].get(paths[page])
                seconds = time.perf_counter() - started
            entries.append(
                {
                    "page": page,
                    "role": email,
                    "path": paths[page],
                    "status": response.status_code,
                    "queries": len(queries),
                    "client_seconds": round(seconds, 3),
                    "sql": [query["sql"] for query in queries.captured_queries],
                }
            )
    return entries


def _run_child(kind: str, *args: str) -> object:
    process = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.bench_platform", f"--child-{kind}", *args],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
        print(line, flush=True)
    raise RuntimeError(f"Échec de l'étape {kind} du banc (code {process.returncode}).")


# --- Servers ----------------------------------------------------------------------------


class Server:
    """A process group started for the benchmark, stopped by its own id."""

    def __init__(self, command: list[str], env: dict, log_path: Path, port: int):
        self.command, self.env, self.log_path, self.port = command, env, log_path, port
        self.process = None

    def __enter__(self):
        self.log_file = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - fixed commands
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, path: str = "/", timeout: float = 600) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Le serveur s'est arrêté ; voir {self.log_path}")
            try:
                if requests.get(self.url(path), timeout=30).status_code < 500:
                    return
            except requests.RequestException:  # not listening yet, or workers warming up
                pass
            time.sleep(1)  # waiting for a server to start, not in a test
        raise RuntimeError(f"Le serveur ne répond pas ; voir {self.log_path}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log_file.close()


def serve_platform(database_url: str, workdir: Path) -> Server:
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        WEB_CONCURRENCY="2",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    make = ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"]
    return Server(make, env, workdir / "serve.log", port)


def serve_baseline(database_url: str, sql_file: Path, workdir: Path) -> Server:
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, BENCH_SQL_FILE=str(sql_file))
    gunicorn = [sys.executable, "-m", "gunicorn", "bench.baseline:application"]
    gunicorn += ["--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket"]
    return Server(gunicorn, env, workdir / "baseline.log", port)


# --- Logging in for real ----------------------------------------------------------------


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("Jeton CSRF introuvable dans le formulaire.")
    return match.group(1)


def _totp_code(database_url: str, email: str) -> str:
    """The code the account's authentication app would show now (RFC 6238)."""
    import psycopg
    from django_otp.oath import totp

    with psycopg.connect(database_url) as db:
        key, step, t0, digits = db.execute(
            "SELECT d.key, d.step, d.t0, d.digits FROM otp_totp_totpdevice d "
            "JOIN accounts_user u ON u.id = d.user_id WHERE u.email = %s AND d.confirmed",
            [email],
        ).fetchone()
    return str(totp(bytes.fromhex(key), step=step, t0=t0, digits=digits)).zfill(digits)


def login(server: Server, database_url: str, email: str) -> dict:
    """Password, then second factor, through the login pages; returns the cookies.

    The session cookie is marked Secure (production settings): it is sent back by hand
    over this loopback HTTP connection."""
    import requests

    cookies = {}

    def step(method: str, path: str, **kwargs):
        response = requests.request(
            method, server.url(path), cookies=cookies, allow_redirects=False, timeout=60, **kwargs
        )
        cookies.update(response.cookies.get_dict())
        return response

    page = step("GET", "/compte/connexion/")
    step(
        "POST",
        "/compte/connexion/",
        data={
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf_token(page.text),
        },
    )
    verify = "/securite/double-authentification/verifier/"
    page = step("GET", verify)
    answer = step(
        "POST",
        verify,
        data={
            "token": _totp_code(database_url, email),
            "csrfmiddlewaretoken": _csrf_token(page.text),
        },
    )
    if answer.status_code != 302 or step("GET", "/mon-espace/").status_code != 200:
        raise RuntimeError(f"Connexion impossible pour {email} (HTTP {answer.status_code}).")
    return cookies


# --- Measurements -----------------------------------------------------------------------


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def explain(database_url: str, entries: list[dict]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each page's reads: sequential scans of the case table
    and sorts spilled to disk (issue #15, point 1), stored on each entry."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("SET jit = off")
        db.execute("SET statement_timeout = '60s'")
        for entry in entries:
            seq_scans = disk_sorts = 0
            for sql in entry["sql"]:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                try:
                    plan = db.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}").fetchone()
                except psycopg.Error:
                    continue
                for node in _plan_nodes(plan[0][0]["Plan"]):
                    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == (
                        "cases_case"
                    ):
                        seq_scans += 1
                    if node.get("Sort Space Type") == "Disk":
                        disk_sorts += 1
            entry["seq_scans"], entry["disk_sorts"] = seq_scans, disk_sorts


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def single_user(server: Server, entry: dict, cookies: dict, samples: int) -> dict:
    """Sequential requests of one user; a non-200 answer (a 503 after statement_timeout)
    counts as an error, its time is kept."""
    import requests

    timings, errors = [], 0
    for index in range(samples + 2):
        started = time.perf_counter()
        response = requests.get(
            server.url(entry["path"]), cookies=cookies, allow_redirects=False, timeout=120
        )
        elapsed = time.perf_counter() - started
        if index >= 2:  # two warm-up requests
            timings.append(elapsed)
            errors += response.status_code != 200
        if index == 2 and elapsed > 1:  # a slow page: fewer samples, same percentiles
            samples = min(samples, 5)
    return {
        "p50": statistics.median(timings),
        "p95": _percentile(timings, 0.95),
        "samples": len(timings),
        "errors": errors,
        "load": os.getloadavg()[0],
    }


def locust_run(host: str, targets: list[dict], workdir: Path, seconds: int, label: str) -> dict:
    """20 users, no pause, for ``seconds``, headless; returns requests/s and failures."""
    targets_file = workdir / f"targets-{label}.json"
    targets_file.write_text(json.dumps(targets), encoding="utf-8")
    prefix = workdir / f"locust-{label}"
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
    command = [locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
    command += ["-u", str(USERS), "-r", str(USERS), "-t", f"{seconds}s", "--host", host]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(  # noqa: S603 - fixed command, loopback host
        command,
        cwd=ROOT,
        env=dict(os.environ, BENCH_TARGETS=str(targets_file)),
        capture_output=True,
        check=False,
    )
    import csv

    stats_file = Path(f"{prefix}_stats.csv")
    rows = {}
    if stats_file.exists():
        with open(stats_file, encoding="utf-8") as source:
            rows = {row["Name"]: row for row in csv.DictReader(source)}
    total = rows.get("Aggregated", {})

    def number(key: str) -> float:  # "N/A" when no request finished in time
        try:
            return float(total.get(key) or 0)
        except ValueError:
            return 0.0

    return {
        "rps": number("Requests/s"),
        "requests": int(number("Request Count")),
        "failures": int(number("Failure Count")),
        "p95_ms": number("95%"),
        "load": os.getloadavg()[0],
    }


def wait_idle(server: Server, probe: str, timeout: float = 300) -> None:
    """Wait until the server answers a cheap request at once: the requests still queued
    from the previous pass are done (gunicorn serves them in order)."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            requests.get(server.url(probe), allow_redirects=False, timeout=timeout)
        except requests.RequestException:
            pass
        if time.perf_counter() - started < 0.5:
            return


def measure(server, database_url, entries, workdir, args) -> dict:
    log("Connexion des comptes de démonstration (mot de passe et second facteur)…")
    cookies = {email: login(server, database_url, email) for email in ALL_ROLES}
    log("Un utilisateur seul : p50 et p95 de chaque page…")
    for entry in entries:
        entry.update(single_user(server, entry, cookies[entry["role"]], args.samples))
        log(
            f"  {entry['page']} — {entry['role']} : p50 {entry['p50'] * 1000:.0f} ms, "
            f"p95 {entry['p95'] * 1000:.0f} ms, {entry['errors']} erreur(s), "
            f"charge {entry['load']:.1f}"
        )
    partial = ROOT / "var" / "bench-platform-single-user.json"
    partial.parent.mkdir(exist_ok=True)
    partial.write_text(json.dumps([{k: v for k, v in e.items() if k != "sql"} for e in entries]))
    sql_file = workdir / "replay.json"
    sql_file.write_text(json.dumps([{"sql": entry["sql"]} for entry in entries]))
    concurrency = {}
    with serve_baseline(database_url, sql_file, workdir) as baseline:
        baseline.wait_ready("/replay/0/")
        for page in PAGES:
            chosen = [(i, e) for i, e in enumerate(entries) if e["page"] == page]
            platform_targets = [
                {"path": e["path"], "cookies": cookies[e["role"]], "name": page} for _, e in chosen
            ]
            baseline_targets = [
                {"path": f"/replay/{i}/", "cookies": {}, "name": page} for i, _ in chosen
            ]
            # A pass lasts at least twenty times the page's p95 alone: enough finished
            # requests for a rate, even when one takes seconds.
            seconds = max(args.seconds, min(180, round(20 * max(e["p95"] for _, e in chosen))))
            runs = {"platform": [], "baseline": []}
            for round_ in range(args.rounds):  # interleaved: P, B, P, B…
                for name, target_server, targets, probe in (
                    ("platform", server, platform_targets, "/"),
                    ("baseline", baseline, baseline_targets, "/replay/999999/"),
                ):
                    wait_idle(target_server, probe)
                    label = f"{len(concurrency)}-{name}-{round_}"
                    runs[name].append(
                        locust_run(target_server.url(""), targets, workdir, seconds, label)
                    )
            platform_rps = statistics.mean(run["rps"] for run in runs["platform"])
            baseline_rps = statistics.mean(run["rps"] for run in runs["baseline"])
            concurrency[page] = {
                "seconds": seconds,
                "rps": platform_rps,
                "baseline_rps": baseline_rps,
                "ratio": platform_rps / baseline_rps if baseline_rps else 0.0,
                "errors": sum(run["failures"] for run in runs["platform"]),
                "requests": sum(run["requests"] for run in runs["platform"]),
                "p95_ms": max(run["p95_ms"] for run in runs["platform"]),
                "load": max(run["load"] for run in runs["platform"] + runs["baseline"]),
            }
            log(
                f"  {page} : {platform_rps:.1f} req/s, base nue {baseline_rps:.1f} req/s, "
                f"{concurrency[page]['errors']} erreur(s)"
            )
    return concurrency


# --- Report -----------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _fr(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def write_report(result: dict) -> None:
    sizes = result["sizes"]
    largest = str(max(int(size) for size in sizes))
    queries_header = " | ".join(f"Requêtes à {_n(int(size))}" for size in sizes)
    lines = [
        START,
        "## Pages de la plateforme (`bench/bench_platform.py`)",
        "",
        f"Mesuré le {time.strftime('%d/%m/%Y')} sur {platform.node() or 'la machine locale'} "
        f"({platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cœurs, "
        f"PostgreSQL {result['server_version']} jetable, `fsync=off`). `make serve` "
        "(gunicorn, 2 processus, réglages de production : `statement_timeout`, connexions "
        "persistantes, JIT coupé), comptes de démonstration connectés par les vraies pages "
        "(mot de passe puis second facteur). Données écrites par `COPY` "
        "(`bench/generate.py`) : 4 000 centres, une seule convention ; environ 78 % des "
        "dossiers clôturés, 12 % refusés ou classés sans suite, 10 % en cours dont une "
        "partie en retard. Les faits de l'évaluation et leurs groupes sont recalculés "
        "(`facts.rebuild`), puis la grille publiée : calculée comme le fait la tâche de fond "
        "jusqu'à 10 000 dossiers ; au-delà, une grille de substitution de même taille "
        "(`bench_evaluation._stand_in_grid`), le masquage d'un million de dossiers prenant "
        "des heures (section « Masquage de la grille publiée »).",
        "",
        "Relancer : `make bench` (root) ; `BENCH_CASES=10000 make bench` pour un essai "
        "rapide ; `uv run python -m bench.bench_platform --cases 10000 [--samples N] "
        "[--seconds S] [--rounds R]` ; `--report-only` réécrit ce tableau depuis "
        "`var/bench-platform.json`.",
        "",
        "| Dossiers | Génération en tout | dont migrations et référentiel | dont COPY "
        "| Dossiers en cours | Avis | Événements |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, stats in sizes.items():
        lines.append(
            f"| {_n(int(size))} | {_duration(stats['generation_seconds'])} "
            f"| {_duration(stats.get('setup_seconds'))} | {_duration(stats.get('copy_seconds'))} "
            f"| {_n(stats['active'])} | {_n(stats['opinions'])} | {_n(stats['events'])} |"
        )
    lines += [
        "",
        f"### Un utilisateur seul, à {_n(int(largest))} dossiers",
        "",
        f"p50 et p95 sur {result['samples']} requêtes successives (5 pour une page de plus "
        "d'une seconde) après deux de chauffe, client HTTP sur 127.0.0.1. Les requêtes SQL "
        "sont comptées par le client de test de Django, une fois par taille de base ; leur "
        "plan (`EXPLAIN (ANALYZE, BUFFERS)`) est lu sur la plus grande. Charge : "
        "moyenne sur une minute de la machine à la fin des mesures de la ligne (2 cœurs "
        "partagés avec d'autres travaux : au-delà de 2, les temps sont allongés d'autant).",
        "",
        f"| Page | Rôle | {queries_header} | p50 | p95 | Erreurs | Charge machine "
        "| Parcours séquentiels de la table des dossiers | Tris sur disque |",
        "|---|---|" + "---|" * len(sizes) + "---|---|---|---|---|---|",
    ]
    for entry in result["entries"]:
        counts = " | ".join(
            str(result["queries"][size].get(f"{entry['page']}|{entry['role']}", "—"))
            for size in sizes
        )
        lines.append(
            f"| {entry['page']} | {ROLE_LABELS[entry['role']]} | {counts} "
            f"| {_ms(entry['p50'])} | {_ms(entry['p95'])} | {entry['errors']} "
            f"| {_fr(entry['load'])} | {entry.get('seq_scans', '—')} "
            f"| {entry.get('disk_sorts', '—')} |"
        )
    lines += [
        "",
        f"### {USERS} utilisateurs simultanés, à {_n(int(largest))} dossiers",
        "",
        f"locust sans interface, {USERS} utilisateurs sans pause, passes d'au moins "
        f"{result['seconds']} s (vingt fois le p95 de la page seule, 3 min au plus ; la durée "
        "est dans le tableau), chacune après le retour au repos du serveur, "
        f"{result['rounds']} passe(s) par page en alternance avec la base nue (une "
        "petite application Django qui rejoue, sur une connexion persistante, les lectures "
        "SQL capturées de la même page pour les mêmes rôles). Charge : moyenne sur une "
        "minute de la machine (2 cœurs, partagée avec les autres utilisateurs de la "
        "machine), au plus haut pendant les passes de la page.",
        "",
        "| Page | Durée d'une passe | Requêtes/s | Base nue requêtes/s | Rapport "
        "| p95 sous charge | Erreurs | Charge machine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page, row in result["concurrency"].items():
        lines.append(
            f"| {page} | {row.get('seconds', result['seconds'])} s "
            f"| {_fr(row['rps'])} | {_fr(row['baseline_rps'])} "
            f"| {row['ratio'] * 100:.0f}\u202f% | {row['p95_ms']:.0f} ms "
            f"| {row['errors']} sur {_n(row['requests'])} | {_fr(row['load'])} |"
        )
    lines += ["", END]
    section = "\n".join(lines)
    write_section(DOC, START, END, section)


# --- Orchestration ----------------------------------------------------------------------


def run(args) -> dict:
    from bench.bench_evaluation import ThrowawayPostgres

    server_pg = ThrowawayPostgres()
    if not server_pg.available():
        raise SystemExit(
            "Le banc des pages démarre un serveur PostgreSQL jetable : il faut être root, "
            "avec le paquet Debian postgresql (comme pour .ci/run)."
        )
    sizes = sorted(args.cases)
    result = {"sizes": {}, "queries": {}, "samples": args.samples}
    result.update(seconds=args.seconds, rounds=args.rounds)
    with server_pg as first_url, tempfile.TemporaryDirectory(prefix="soutien-bench-") as tmp:
        workdir = Path(tmp)
        base = first_url.rsplit("/", 1)[0]
        entries = []
        for size in sizes:
            name = f"soutien_bench_{size}"
            server_pg._su(f"{server_pg.bin}/createdb -h 127.0.0.1 -p {server_pg.port} {name}")
            url = f"{base}/{name}"
            log(f"Génération de {_n(size)} dossiers (COPY)…")
            stats = _run_child("generate", url, str(size))
            log(f"  en {stats['generation_seconds']} s : {json.dumps(stats)}")
            result["sizes"][str(size)] = stats
            log("Capture des requêtes de chaque page et rôle…")
            entries = _run_child("capture", url)
            bad = [e for e in entries if e["status"] != 200]
            if bad:
                raise RuntimeError(f"Pages en erreur à la capture : {bad[0]['page']} {bad[0]}")
            result["queries"][str(size)] = {
                f"{e['page']}|{e['role']}": e["queries"] for e in entries
            }
            largest_url = url
        log("EXPLAIN (ANALYZE, BUFFERS) des lectures de chaque page…")
        explain(largest_url, entries)
        import psycopg

        with psycopg.connect(largest_url) as db:
            result["server_version"] = db.execute("SHOW server_version").fetchone()[0]
        log("Démarrage de make serve…")
        with serve_platform(largest_url, workdir) as server:
            server.wait_ready("/")
            try:
                result["concurrency"] = measure(server, largest_url, entries, workdir, args)
            finally:  # what the server and its task worker said, kept for reading
                (ROOT / "var").mkdir(exist_ok=True)
                shutil.copy(workdir / "serve.log", ROOT / "var" / "bench-serve.log")
        result["entries"] = [{k: v for k, v in e.items() if k != "sql"} for e in entries]
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    env_sizes = os.environ.get("BENCH_CASES")
    default_sizes = [int(s) for s in env_sizes.split(",")] if env_sizes else DEFAULT_SIZES
    parser.add_argument("--cases", type=int, nargs="+", default=default_sizes)
    parser.add_argument("--samples", type=int, default=20, help="requêtes par page, seul")
    parser.add_argument("--seconds", type=int, default=10, help="durée d'une passe locust")
    parser.add_argument("--rounds", type=int, default=2, help="passes par page et serveur")
    parser.add_argument("--report-only", action="store_true", help="réécrire le tableau")
    parser.add_argument("--child-generate", nargs=2, metavar=("DATABASE_URL", "CASES"))
    parser.add_argument("--child-capture", nargs=1, metavar="DATABASE_URL")
    args = parser.parse_args(argv if argv is not None else [])
    if args.child_generate:
        print(
            "RESULT "
            + json.dumps(child_generate(args.child_generate[0], int(args.child_generate[1])))
        )
        return 0
    if args.child_capture:
        print("RESULT " + json.dumps(child_capture(args.child_capture[0])))
        return 0
    saved = ROOT / "var" / "bench-platform.json"  # var/ is not versioned
    if args.report_only:
        write_report(json.loads(saved.read_text(encoding="utf-8")))
        return 0
    started = time.perf_counter()
    result = run(args)
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(result), encoding="utf-8")
    write_report(result)
    log(f"Résultats écrits dans {DOC.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
