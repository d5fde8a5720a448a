"""This checkout against an earlier revision, side by side: validate and plan on the same files.

Why: a refactor promises "as fast as before"; this measures it in one run, on
one machine, with the runs alternating so that the machine's noise falls on
both. The earlier revision runs from a temporary git worktree through
``PYTHONPATH`` (its own source, this interpreter and its packages).

    python benchmarks/bench_against.py --base 613d0fa [--templates 300] [--roles 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, machine

sys.path.insert(0, str(ROOT))
from tests.factories import template_yaml  # noqa: E402


def project(root: Path, templates: int, roles: int) -> Path:
    (root / "templates").mkdir(parents=True)
    for i in range(templates):
        (root / "templates" / f"t{i:04d}.yaml").write_text(template_yaml(f"template-{i:04d}", roles))
    return root


def run(src: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hmsconf", *args], capture_output=True, text=True, env=env)
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(args)} failed with {src}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("--templates", type=int, default=300)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(work / "base"), options.base],
                       check=True, capture_output=True)
        try:
            sources = {"base": work / "base" / "src", "head": ROOT / "src"}
            projects = {}
            for name, src in sources.items():
                projects[name] = project(work / f"project-{name}", options.templates, options.roles)
                run(src, ["apply", str(projects[name]), "--auto-approve"])  # each revision's own emulator state
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(options.runs):
                for command in ("validate", "plan"):
                    for name, src in sources.items():
                        times.setdefault((command, name), []).append(run(src, [command, str(projects[name])]))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "base")], capture_output=True)
            shutil.rmtree(work / "base", ignore_errors=True)
    print(f"{machine()}; {options.templates} templates x {options.roles} roles; median of {options.runs}, alternating")
    print("| command | base | head | head / base |\n|---|---|---|---|")
    for command in ("validate", "plan"):
        base, head = statistics.median(times[(command, "base")]), statistics.median(times[(command, "head")])
        print(f"| {command} | {base:.2f} s | {head:.2f} s | {head / base:.2f} |")


if __name__ == "__main__":
    main()
