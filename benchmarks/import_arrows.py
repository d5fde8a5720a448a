"""How tangled the package is: import arrows between its top-level places (a module or a package).

Why: the structure issue (17) set a goal of few arrows between few places, read top-down
as the pipeline; this counts them the same way each time. An arrow is a pair of places
(A, B) where some module of A imports some module of B directly; ``__main__`` is left out.

    python benchmarks/import_arrows.py [--list]
    PYTHONPATH=/path/to/other/checkout/src python benchmarks/import_arrows.py   # another revision
"""

from __future__ import annotations

import argparse
from collections import Counter

import grimp


def arrows(package: str = "hmsconf") -> tuple[set[str], Counter[tuple[str, str]]]:
    graph = grimp.build_graph(package)
    places: set[str] = set()
    pairs: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        if not module.startswith(package + "."):
            continue
        here = module.split(".")[1]
        places.add(here)
        for imported in graph.find_modules_directly_imported_by(module):
            there = imported.split(".")[1] if imported.startswith(package + ".") else None
            if there and there != here:
                pairs[(here, there)] += 1
    places.discard("__main__")
    return places, Counter({pair: n for pair, n in pairs.items() if "__main__" not in pair})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true", help="print each arrow with its number of module imports")
    args = parser.parse_args()
    places, pairs = arrows()
    if args.list:
        for (here, there), count in sorted(pairs.items()):
            print(f"{here} -> {there}  ({count})")
    print(f"{len(pairs)} import arrows between {len(places)} places")


if __name__ == "__main__":
    main()
