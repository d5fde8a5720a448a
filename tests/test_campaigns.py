"""Campaigns, scaled for CI; HMSCONF_CAMPAIGN_SCALE=10 (or more) runs them at full size.

- crash: apply is SIGKILLed at random points; the local workspace file stays intact and the
  next plan + apply converge;
- stale plans: a saved plan applied after a concurrent change to an object it touches is refused.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmsconf.emulator.store import Store
from tests.helpers import write_project

SCALE = int(os.environ.get("HMSCONF_CAMPAIGN_SCALE", "1"))


def hmsconf_command() -> list[str]:
    script = Path(sys.executable).parent / "hmsconf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]


def big_project(root: Path, templates: int = 20, rooms: int = 50, variant: int = 0) -> None:
    files = {}
    for i in range(templates):
        files[f"templates/t{i:02d}.yaml"] = (
            f"kind: Template\nname: t{i:02d}\nroles:\n  host: {{permissions: {{endRoom: true}}, priority: {1 + variant % 5}}}\n"
            f"  guest: {{maxPeerCount: {10 + variant}}}\nsettings: {{region: eu}}\n"
            "recordings: [{name: r, role: host, trackRecording: {enabled: true}}]\n"
        )
    for i in range(rooms):
        files[f"rooms/r{i:02d}.yaml"] = f"kind: Room\nname: room-{i:02d}\ntemplate: t{i % templates:02d}\nsize: {20 + variant}\n"
    write_project(root, files)


def run(args, cwd):
    return subprocess.run([*hmsconf_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.campaign
def test_sigkill_during_apply_leaves_an_intact_workspace_that_converges(tmp_path):
    rng = random.Random(7)
    kills = 3 * SCALE
    for attempt in range(kills):
        big_project(tmp_path, variant=attempt)
        proc = subprocess.Popen([*hmsconf_command(), "apply", "--auto-approve", "--allow-destroy", "--force"],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = Store(tmp_path / ".hmsconf" / "local-workspace.db")
        assert store.integrity_ok()
        store.close()
        converge = run(["apply", "--auto-approve", "--allow-destroy", "--force"], tmp_path)
        assert converge.returncode == 0, converge.stdout[-2000:] + converge.stderr[-2000:]
        after = run(["plan", "--detailed-exitcode", "--format", "json"], tmp_path)
        assert after.returncode == 0, after.stdout[-2000:]
    store = Store(tmp_path / ".hmsconf" / "local-workspace.db")
    assert store.counts() == {"templates": 20, "rooms": 50}


@pytest.mark.campaign
def test_stale_saved_plans_are_always_refused(tmp_path):
    rng = random.Random(3)
    project = tmp_path / "p"
    big_project(project, templates=5, rooms=10)
    assert run(["apply", "--auto-approve"], project).returncode == 0
    refused = 0
    rounds = 5 * SCALE
    for round_ in range(rounds):
        big_project(project, templates=5, rooms=10, variant=round_ + 1)  # every object changes
        saved = tmp_path / "plan.json"
        assert run(["plan", "--out", str(saved)], project).returncode == 0
        touched = [c for c in json.loads(saved.read_text())["changes"] if c["action"] != "unmanaged"]
        victim = rng.choice(touched)
        # a concurrent change to one object the plan touches, made through the same workspace
        other = tmp_path / f"other-{round_}"
        write_project(other, {"hmsconf.yaml": f"workspaces:\n  local: {{file: {project / '.hmsconf' / 'local-workspace.db'}}}\n"})
        if victim["kind"] == "Template":
            (other / "t.yaml").write_text(f"kind: Template\nname: {victim['name']}\nsettings: {{region: us}}\n")
        else:
            (other / "r.yaml").write_text(f"kind: Room\nname: {victim['name']}\ndescription: changed by someone else {round_}\n")
        assert run(["apply", "--auto-approve"], other).returncode == 0
        applied = run(["apply", str(saved)], project)
        if applied.returncode == 1 and "changed since the plan was made" in applied.stderr:
            refused += 1
        else:
            print(applied.returncode, applied.stdout[-1000:], applied.stderr[-1000:])
        assert run(["apply", "--auto-approve", "--force"], project).returncode == 0  # converge for the next round
    assert refused == rounds
