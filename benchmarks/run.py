"""Every benchmark, one table: `python benchmarks/run.py` (about 17 minutes here;
check-jsonschema on 1,000 files takes most of it). `--quick` runs each at a
tenth of its size to check that they all still work.

Each script prints Markdown rows `| benchmark | measured | target | ratio |`;
a ratio is measured / target, so at most 1.00 meets the target. This script
runs them one after another (never in parallel: they measure time), keeps
their rows, and prints one table under the machine's details, ready for the
README's "Performance" section.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import HEADER, machine  # noqa: E402

# (script, full-size arguments, quick arguments)
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("bench_startup.py", [], []),
    ("bench_validate.py", [], ["--files", "100"]),
    ("bench_floor.py", [], ["--files", "100", "--rounds", "1", "--hook-rounds", "3"]),
    ("bench_fmt.py", [], ["--files", "100"]),
    ("bench_plan.py", [], ["--templates", "100", "--rooms", "20", "--with-recordings", "10", "--repeat", "1"]),
    ("bench_memory.py", [], ["--templates", "500"]),
    ("bench_emulator.py", [], []),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="each benchmark at a tenth of its size")
    parser.add_argument("--only", nargs="+", help="run only these scripts (e.g. bench_plan.py)")
    args = parser.parse_args()
    rows: list[str] = []
    failures: list[str] = []
    started = time.perf_counter()
    for script, full, quick in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        if script == "bench_emulator.py" and not shutil.which("wrk"):
            rows.append("| emulator throughput | not run: wrk is not installed (apt-get install wrk) | >= 2,000 req/s | |")
            continue
        print(f"running {script} ...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick else full)],
                              capture_output=True, text=True, cwd=HERE)
        if done.returncode != 0:
            failures.append(f"{script} failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
            continue
        rows += [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| benchmark |")]
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/run.py{' --quick' if args.quick else ''} ({time.perf_counter() - started:.0f} s)")
    print()
    print(HEADER)
    print("\n".join(rows))
    if failures:
        print("\n".join(failures), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
