"""Run every benchmark module found in bench/ (``make bench``)."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    found = [
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if module.name.startswith("bench_")
    ]
    if not found:
        print("Aucun banc de mesure pour le moment.")
        return 0
    for name in sorted(found):
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
