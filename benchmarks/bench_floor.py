"""Second-round validate targets, each measured side by side in one run, alternating, medians:

1. ``hmsconf validate`` of 1,000 valid 20-role templates against the floor of any
   libyaml-based reader: one process merely iterating libyaml's events
   (``yaml.parse(data, Loader=yaml.CSafeLoader)``) over the same files. Target <= 1.5x.
2. The pre-commit path: ``hmsconf validate`` in a project of one 20-role template
   (as the hook runs it) against ``check-jsonschema --schemafile
   schemas/template.schema.json FILE`` on the same file. Target <= 0.25x.

Both commands start as installed ones do: the package's bytecode is compiled
first (``pip install`` does that; an editable install under
PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run),
and hmsconf's cache of the compiled model is warmed by one run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HEADER, ROOT, hmsconf, machine, row

from tests.factories import template_yaml

FLOOR = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, "rb") as handle:
        data = handle.read().decode()
    for _ in yaml.parse(data, Loader=yaml.CSafeLoader):
        pass
"""


def timed(command: list[str], **kwargs) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the command's whole process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, (command[:3], done.stdout[-2000:], done.stderr[-2000:])
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def wall(command: list[str], **kwargs) -> float:
    return timed(command, **kwargs)[0]


def alternate(commands: dict[str, tuple[list[str], dict]], rounds: int, cpu: dict | None = None) -> dict[str, float]:
    """Median wall seconds per command; median CPU seconds into ``cpu`` when given."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (command, kwargs) in commands.items():
            seconds, used = timed(command, **kwargs)
            times[name].append(seconds)
            cpus[name].append(used)
    if cpu is not None:
        cpu.update({name: statistics.median(values) for name, values in cpus.items()})
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each command (medians)")
    parser.add_argument("--hook-rounds", type=int, default=21)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    import hmsconf as package

    compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HMSCONF_CACHE_DIR": str(Path(tmp) / "cache")}
        root = Path(tmp) / "project"
        (root / "templates").mkdir(parents=True)
        for i in range(args.files):
            (root / "templates" / f"t{i:04d}.yaml").write_text(template_yaml(f"template-{i}", args.roles))
        files = sorted(str(p) for p in (root / "templates").iterdir())
        size = sum(Path(f).stat().st_size for f in files) / len(files)
        wall([*hmsconf(), "validate", str(root)], env=env)  # warms the cache
        cpu: dict[str, float] = {}
        medians = alternate(
            {
                "floor": ([sys.executable, "-c", FLOOR, *files], {}),
                "hmsconf": ([*hmsconf(), "validate", str(root), "--format", "json"], {"env": env}),
                "serial": ([*hmsconf(), "validate", str(root), "--format", "json"], {"env": {**env, "HMSCONF_JOBS": "1"}}),
            },
            args.rounds,
            cpu,
        )
        ratio = medians["hmsconf"] / medians["floor"]
        print(HEADER)
        print(row(f"libyaml events only (the floor), {args.files} files x {args.roles} roles ({size / 1024:.0f} KB each), one process",
                  f"{medians['floor']:.2f} s (median of {args.rounds})"))
        print(row(f"hmsconf validate, same files ({_jobs()} processes)", f"{medians['hmsconf']:.2f} s (median of {args.rounds})"))
        print(row("ratio hmsconf validate / libyaml events", f"{ratio:.2f}", "<= 1.5", f"{ratio / 1.5:.2f}"))
        print(row("hmsconf validate, same files, one process (HMSCONF_JOBS=1)",
                  f"{medians['serial']:.2f} s ({medians['serial'] / medians['floor']:.2f} x the floor)"))
        print(row("CPU seconds (user + system, whole process tree): floor / hmsconf / one process",
                  f"{cpu['floor']:.2f} / {cpu['hmsconf']:.2f} ({cpu['hmsconf'] / cpu['floor']:.2f} x) / "
                  f"{cpu['serial']:.2f} ({cpu['serial'] / cpu['floor']:.2f} x)"))

        hook = Path(tmp) / "hook"
        (hook / "templates").mkdir(parents=True)
        (hook / "hmsconf.yaml").write_text("default_workspace: local\nworkspaces:\n  local: {file: .hmsconf/local-workspace.db}\n")
        (hook / "templates" / "t.yaml").write_text(template_yaml("hook", args.roles))
        checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
        if not Path(checker).exists():
            print("check-jsonschema not installed: pip install -e '.[test]'")
            return
        schema = str(ROOT / "schemas" / "template.schema.json")
        wall([*hmsconf(), "validate"], cwd=hook, env=env)
        wall([checker, "--schemafile", schema, "templates/t.yaml"], cwd=hook)
        medians = alternate(
            {
                "hmsconf": ([*hmsconf(), "validate"], {"cwd": hook, "env": env}),
                "check": ([checker, "--schemafile", schema, "templates/t.yaml"], {"cwd": hook}),
            },
            args.hook_rounds,
        )
        ratio = medians["hmsconf"] / medians["check"]
        print(row(f"pre-commit: hmsconf validate, project of one {args.roles}-role template (whole command)",
                  f"{medians['hmsconf'] * 1000:.0f} ms (median of {args.hook_rounds})"))
        print(row("pre-commit: check-jsonschema --schemafile schemas/template.schema.json, same file",
                  f"{medians['check'] * 1000:.0f} ms (median of {args.hook_rounds})"))
        print(row("ratio hmsconf / check-jsonschema, one file", f"{ratio:.2f}", "<= 0.25", f"{ratio / 0.25:.2f}"))


def _jobs() -> int:
    from hmsconf.config.parallel import jobs

    return jobs()


if __name__ == "__main__":
    main()
