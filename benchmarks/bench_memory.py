"""Peak memory of `plan` on a 5,000-template workspace (target: under 400 MB).

The workspace is seeded straight into an emulator state file (the emulator's
own store, so defaults and validation are the server's), the project holds
the same templates as files, and `plan` (no changes) runs against an emulator
serving that state. Two shapes: templates of 4 roles (a typical workspace)
and of 20 roles (the stress shape of the other benchmarks). Plan forks a
worker per core, so the figure is the whole process tree's, sampled
(common.run_tree_measured), not the largest process's.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_plan import Emulator, timed_tree
from common import HEADER, machine, row

from hmsconf.emulator.store import Store
from tests.factories import template, template_yaml


def seed(state: Path, project: Path, templates: int, roles: int) -> None:
    store = Store(state)
    (project / "templates").mkdir(parents=True)
    for i in range(templates):
        name = f"template-{i:05d}"
        store.create_template(template(name, roles))
        (project / "templates" / f"t{i:05d}.yaml").write_text(template_yaml(name, roles))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=5000)
    parser.add_argument("--roles", type=int, nargs="+", default=[4, 20])
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(HEADER)
    for roles in args.roles:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            seed(tmp / "state.db", tmp / "project", args.templates, roles)
            emulator = Emulator(tmp / "state.db", tmp / "access.log")
            try:
                seconds, done, peak = timed_tree(["plan", "--detailed-exitcode"], emulator.url, tmp / "project")
            finally:
                emulator.stop()
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            size = sum(p.stat().st_size for p in (tmp / "project" / "templates").iterdir()) / 2**20
            print(row(f"peak memory of plan, all its processes (PSS), {args.templates:,} templates x {roles} roles "
                      f"({size:.0f} MB of YAML)",
                      f"{peak:.0f} MB ({seconds:.1f} s)", "< 400 MB", f"{peak / 400:.2f}"))


if __name__ == "__main__":
    main()
