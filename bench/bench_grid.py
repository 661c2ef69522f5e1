"""The masking of the published grid (soutien.evaluation.grid.mask) on generated cases.

The grid is computed by the task worker, never while a page waits; this measures how long
it takes and how much memory it needs as the cases accumulate. Each size runs in its own
process (its peak memory is that process's), on cases generated in memory with realistic
proportions (bench.generate's stages: most cases closed; 11 years, 120 communes, a third
of the cases in Marseille, a quarter of the centres run by one of 5 federations, one field
of work among 12 per case).

``uv run python -m bench.bench_grid [--cases N [N …]]``; ``make bench`` runs it with the
other benchmarks. Results: docs/performance.md (section « Masquage de la grille »).
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import STAGE_WEIGHTS
from bench.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench_grid:start -->", "<!-- bench_grid:end -->"
DEFAULT_SIZES = [1_000, 10_000, 30_000]

STAGES = STAGE_WEIGHTS  # the proportions of the generated database
PROVIDED = {"diagnostic", "report_review", "restitution", "support", "closed"}
FINAL = {"closed", "refused", "closed_without_follow_up"}
OUTCOMES = ["improved", "improved", "stabilised", "stabilised", "deteriorated"]
STEPS = [  # a step is done once the case has gone past these stages
    ("referral", PROVIDED | {"refused", "closed_without_follow_up"}),
    ("report", {"report_review", "restitution", "support", "closed"}),
    ("validation", {"restitution", "support", "closed"}),
    ("restitution", {"support", "closed"}),
]


def generated_cases(n: int, seed: int = 13) -> list:
    """``n`` cases as the grid reads them (soutien.evaluation.grid.CaseFacts)."""
    from soutien.evaluation.grid import ASSOCIATION, FEDERATION, CaseFacts

    rng = random.Random(seed)
    # Drafts never reach the Caf: the grid does not count them.
    pool = [stage for stage, weight in STAGES if stage != "draft" for _ in range(weight)]
    cases = []
    for pk in range(1, n + 1):
        stage = rng.choice(pool)
        situation = "preventive" if rng.random() < 0.6 else "crisis"
        measures = {"total", situation}
        if rng.random() < 0.05:
            measures.add("from_selfcheck")
            if situation == "preventive":
                measures.add("preventive_from_selfcheck")
        if stage in PROVIDED:
            measures |= {"decided", "validated"}
        if stage == "refused":
            measures.add("decided")
        if stage == "closed_without_follow_up":
            measures.add("without_follow_up")
        if stage == "closed":
            measures |= {"closed", f"outcome_{rng.choice(OUTCOMES)}"}
            if rng.random() < 0.3:
                measures.add("answered")
                if rng.random() < 0.8:
                    measures.add("recommend")
        for step, after in STEPS:
            if stage in after:
                measures.add(f"done_{step}")
                if rng.random() < 0.7:
                    measures.add(f"within_{step}")
        measures.add(f"domain_{rng.randrange(12)}")
        if stage not in FINAL:
            measures.add("in_progress")
            if rng.random() < 0.3:
                measures.add("overdue")
            if stage == "support":
                measures.add("support")
        federation = rng.random() < 0.25
        cases.append(
            CaseFacts(
                pk=pk,
                year=2015 + rng.randrange(11),
                municipality=1 if rng.random() < 0.33 else 1 + rng.randrange(120),
                manager=100_000 + rng.randrange(5) if federation else 200_000 + rng.randrange(3000),
                manager_kind=FEDERATION if federation else ASSOCIATION,
                measures=frozenset(measures),
            )
        )
    return cases


def child(n_cases: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from soutien.evaluation.grid import index_figures, mask

    cases = generated_cases(n_cases)
    figures = len(index_figures(cases)[1])
    started = time.perf_counter()
    suppressed = mask(cases)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB → MiB
    return {
        "cases": n_cases,
        "figures": figures,
        "suppressed": len(suppressed),
        "seconds": round(seconds, 1),
        "peak_mib": peak,
        "load": round(os.getloadavg()[0], 1),
    }


def _run_child(n_cases: int) -> dict:
    done = subprocess.run(  # noqa: S603 - this interpreter, this module
        [sys.executable, "-m", "bench.bench_grid", "--child", str(n_cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def write_report(results: list[dict]) -> None:
    lines = [
        START,
        "## Masquage de la grille publiée (`bench/bench_grid.py`)",
        "",
        "Temps et mémoire du calcul de la grille masquée (`soutien.evaluation.grid.mask`), "
        "fait par la tâche de fond (jamais pendant qu'une page attend), sur des dossiers "
        "générés en mémoire (proportions de `bench/generate.py`, 11 années, 120 communes, "
        "5 fédérations, 12 champs). Un processus par taille : la mémoire est son pic.",
        "",
        f"Mesuré le {dt.date.today():%d/%m/%Y} sur {platform.node() or 'la machine locale'} "  # noqa: DTZ011
        f"({platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cœurs).",
        "",
        "| Dossiers | Cases de la grille | Cases masquées | Calcul | Mémoire (pic) "
        "| Charge machine |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {_n(result['cases'])} | {_n(result['figures'])} | {_n(result['suppressed'])} "
            f"| {str(result['seconds']).replace('.', ',')} s | {_n(result['peak_mib'])} Mio "
            f"| {str(result['load']).replace('.', ',')} |"
        )
    lines.append(END)
    section = "\n".join(lines)
    write_section(DOC, START, END, section)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--child", type=int)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        print("RESULT " + json.dumps(child(args.child)))
        return 0
    results = []
    for size in sorted(args.cases):
        print(f"Grille masquée sur {_n(size)} dossiers…", flush=True)
        results.append(_run_child(size))
        print(f"  {results[-1]}", flush=True)
    write_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
