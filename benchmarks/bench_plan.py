"""plan / apply at scale against `hmsconf emulator`, with and without injected latency.

Figures: requests and wall time for plan of N templates (20 roles) + M rooms with no
changes, at 0 and 50 ms latency; the latency's added time against the critical path
(the cursor-paged template list: ceil(N/100) pages x latency); plan vs validate at 0 ms;
apply of 100 template changes; peak memory of plan.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from common import HEADER, hmsconf, machine, row

from tests.factories import template_yaml

KEY, SECRET = "bench-key", "bench-secret-0123456789abcdef0123456789"


class Emulator:
    def __init__(self, state: Path, log: Path, latency_ms: int = 0) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [*hmsconf(), "emulator", "--port", "0", "--access-key", KEY, "--secret", SECRET, "--state", str(state),
             "--latency-ms", str(latency_ms), "--access-log", str(log)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.url = None
        for _ in range(50):
            line = self.proc.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+/v2)", line)
            if match:
                self.url = match.group(1)
                break
        if not self.url:
            raise SystemExit("emulator did not start")

    def requests(self) -> int:
        return sum(1 for _ in open(self.log)) if self.log.exists() else 0

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def timed(args: list[str], url: str, project: Path) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "HMSCONF_API_URL": url, "HMS_ACCESS_KEY": KEY, "HMS_SECRET": SECRET}
    start = time.perf_counter()
    done = subprocess.run([*hmsconf(), *args, str(project)], capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done


def write_project(root: Path, templates: int, rooms: int, with_recordings: int) -> None:
    (root / "templates").mkdir(parents=True)
    (root / "rooms").mkdir()
    for i in range(templates):
        text = template_yaml(f"template-{i:04d}", 20)
        if i < with_recordings:
            text += "recordings:\n- name: rec\n  role: role-0\n  trackRecording: {enabled: true}\n"
        (root / "templates" / f"t{i:04d}.yaml").write_text(text)
    for i in range(rooms):
        (root / "rooms" / f"r{i:04d}.yaml").write_text(
            f"kind: Room\nname: room-{i:04d}\ntemplate: template-{i % templates:04d}\nsize: 50\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--with-recordings", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project, state = tmp / "project", tmp / "state.db"
        write_project(project, args.templates, args.rooms, args.with_recordings)
        emulator = Emulator(state, tmp / "seed.log")
        seconds, done = timed(["apply", "--auto-approve"], emulator.url, project)
        assert done.returncode == 0, done.stderr[-3000:]
        print(row(f"apply: create {args.templates} templates + {args.rooms} rooms", f"{seconds:.1f} s, {emulator.requests()} requests"))
        emulator.stop()

        figures = {}
        for latency in (0, args.latency_ms):
            log = tmp / f"plan-{latency}.log"
            emulator = Emulator(state, log, latency)
            seconds, done = timed(["plan", "--detailed-exitcode"], emulator.url, project)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            figures[latency] = (seconds, emulator.requests())
            emulator.stop()
        pages = math.ceil(args.templates / 100)
        minimum = pages + args.with_recordings + math.ceil(args.rooms / 100) + 1
        for latency, (seconds, count) in figures.items():
            print(row(f"plan, no changes, latency {latency} ms", f"{seconds:.2f} s, {count} requests", f"{minimum} requests (API minimum)", f"{count / minimum:.2f}"))
        added = figures[args.latency_ms][0] - figures[0][0]
        critical = pages * args.latency_ms / 1000
        print(row(f"time added by {args.latency_ms} ms latency", f"{added:.2f} s", f"<= 1.2 x critical path ({critical:.2f} s)", f"{added / critical:.2f}"))

        start = time.perf_counter()
        done = subprocess.run([*hmsconf(), "validate", str(project)], capture_output=True, text=True)
        validate = time.perf_counter() - start
        print(row("plan (latency 0) vs validate, same files", f"{figures[0][0]:.2f} s vs {validate:.2f} s", "<= 1.5", f"{figures[0][0] / validate:.2f}"))

        for i in range(100):
            path = project / "templates" / f"t{i:04d}.yaml"
            path.write_text(path.read_text().replace("priority: 1\n", "priority: 2\n", 1))
        log = tmp / "apply.log"
        emulator = Emulator(state, log, args.latency_ms)
        seconds, done = timed(["apply", "--auto-approve"], emulator.url, project)
        writes = sum(1 for line in open(log) if line.split()[0] in ("POST", "DELETE"))
        print(row(f"apply 100 template changes, latency {args.latency_ms} ms", f"{seconds:.2f} s, {writes} writes", "100 writes (one per changed sub-object)", f"{writes / 100:.2f}"))
        emulator.stop()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(row("peak memory of the largest child (plan/apply/emulator)", f"{usage.ru_maxrss / 1024:.0f} MB", "< 400 MB (5,000 templates: --templates 5000)", ""))


if __name__ == "__main__":
    main()
