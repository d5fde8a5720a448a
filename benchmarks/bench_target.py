"""Requests of a targeted plan (`--target`) against a full one, counted in the emulator's access log.

The workspace: 300 templates (every third manages recordings) and 100 rooms that manage
room codes, all applied; then one template (t150, on the second template page) and one
room (r050) are changed in the files. Prints one row per plan: its requests and wall time
(in-process, the emulator in a thread; `--latency-ms` adds latency to every answer).

    python benchmarks/bench_target.py [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hmsconf.emulator.store import Store  # noqa: E402
from hmsconf.plan.apply import Applier  # noqa: E402
from hmsconf.plan.selection import Selection  # noqa: E402
from hmsconf.usecases import plan as planning  # noqa: E402
from tests.conftest import ACCESS_KEY, SECRET, start_emulator  # noqa: E402
from tests.helpers import write_project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    log = tmp / "access.log"
    running, server, thread = start_emulator(Store(tmp / "state.db"), access_log=str(log), latency_ms=args.latency_ms)
    os.environ["HMS_ACCESS_KEY"], os.environ["HMS_SECRET"] = ACCESS_KEY, SECRET
    files = {"hmsconf.yaml": "default_workspace: local\n"}
    for i in range(300):
        recordings = "recordings: [{name: r, role: host, trackRecording: {enabled: true}}]\n" if i % 3 == 0 else ""
        files[f"templates/t{i:03}.yaml"] = f"kind: Template\nname: t{i:03}\nroles: {{host: {{}}, guest: {{}}}}\n{recordings}"
    for i in range(100):
        files[f"rooms/r{i:03}.yaml"] = f"kind: Room\nname: r{i:03}\ntemplate: t{i:03}\nroom_codes: true\n"
    project = write_project(tmp / "p", files)
    try:
        first = planning.plan_workspace(str(project), None, running.url)

        async def apply():
            async with planning.open_client_for(first.project, first.workspace, running.url) as client:
                return await Applier(client, first.plan, first.desired, first.live).run()

        assert planning.run(apply()).ok
        for name, old, new in (("templates/t150.yaml", "guest: {}", "guest: {priority: 2}"),
                               ("rooms/r050.yaml", "room_codes: true\n", "room_codes: true\ndescription: changed\n")):
            path = project / name
            path.write_text(path.read_text().replace(old, new))
        print(f"| plan (300 templates, 100 rooms; latency {args.latency_ms:g} ms) | requests | wall time | changes |")
        print("|---|---|---|---|")
        for label, targets in (("full", []), ("--target Template/t150", ["Template/t150"]),
                               ("--target Template/t000 (unchanged)", ["Template/t000"]),
                               ("--target Room/r050", ["Room/r050"]),
                               ("--target Template/t150 --target Room/r050", ["Template/t150", "Room/r050"])):
            log.write_text("")
            started = time.perf_counter()
            planned = planning.plan_workspace(str(project), None, running.url, selection=Selection.parse(targets))
            took = time.perf_counter() - started
            requests = len(log.read_text().splitlines())
            changes = sum(c.is_change for c in planned.plan.changes)
            print(f"| {label} | {requests} | {took:.2f} s | {changes} |")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


if __name__ == "__main__":
    main()
