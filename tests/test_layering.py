"""The packages' layering (docs/architecture.md): `soutien/` never imports `web/`, and a
domain package imports only the packages below it. Every import counts, function-local
ones included."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A package may import the packages before it in this list, never after.
LAYERS = [
    "core",  # outbox, network, French wording, personal-data declarations
    "directory",  # organisations, centres, communes, memberships, the Actor
    "accounts",  # users, account requests, invitations, profiles
    "audit",  # the chained audit log
    "cases",  # the MSTR case and its workflow
    "meetings",  # meetings: audience, planning, invitations (.ics), date polls
    "selfcheck",  # the self-check: questions, weights, thresholds, scoring
    "documents",  # attachments, PDFs, invitations
    "evaluation",  # indicators, exports, map
    "content",  # the public site's texts
    "followup",  # after the decision and the closure: decision letter, 6- and 12-month follow-up
    "demo",  # the demo cases, walked through the services of every package below
    "security",  # second factor, backups, retention (reaches into every package)
]


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def domain_modules():
    for path in sorted((ROOT / "soutien").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if len(parts) > 2 and "migrations" not in parts:
            yield parts[1], path


def test_every_domain_package_has_its_place_in_the_layers():
    packages = {path.name for path in (ROOT / "soutien").iterdir() if (path / "apps.py").exists()}
    assert packages == set(LAYERS)


def test_the_domain_never_imports_the_web():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for _, path in domain_modules()
        for module in imports_of(path)
        if module == "web" or module.startswith("web.")
    ]
    assert offenders == []


def test_a_package_imports_only_the_packages_below_it():
    rank = {name: index for index, name in enumerate(LAYERS)}
    offenders = []
    for package, path in domain_modules():
        for module in imports_of(path):
            parts = module.split(".")
            if parts[0] != "soutien" or len(parts) < 2 or parts[1] == package:
                continue
            if rank[parts[1]] > rank[package]:
                offenders.append(f"{path.relative_to(ROOT)} ({package}) imports {module}")
    assert offenders == []
