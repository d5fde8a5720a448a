"""End to end over real sockets: the hmsconf CLI against `hmsconf emulator`.

Every example is applied to an empty workspace, after which plan is empty;
one changed field shows as exactly that field; a saved plan goes stale and is
refused; the local workspace file works with no server at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["webinar", "telehealth", "classroom"]
KEY, SECRET = "test-access-key", "test-secret-that-is-long-enough-0123456789"


def hmsconf_command() -> list[str]:
    script = Path(sys.executable).parent / "hmsconf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]


@pytest.fixture()
def server(tmp_path):
    """`hmsconf emulator` on a free port, as a user would start it."""
    proc = subprocess.Popen(
        [*hmsconf_command(), "emulator", "--host", "127.0.0.1", "--port", "0", "--access-key", KEY, "--secret", SECRET,
         "--state", str(tmp_path / "emulator.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = None
    lines = []
    for _ in range(50):
        line = proc.stdout.readline()
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+/v2)", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        proc.kill()
        pytest.fail("emulator did not start: " + "".join(lines))
    yield url
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def run(args: list[str], url: str | None = None, cwd: Path | None = None, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB_STEP"))}
    if url:
        env.update({"HMSCONF_API_URL": url, "HMS_ACCESS_KEY": KEY, "HMS_SECRET": SECRET})
    env.update(env_extra or {})
    return cli.run(args, env=env, cwd=cwd)


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, target, ignore=shutil.ignore_patterns(".hmsconf"))
    return target


@pytest.mark.parametrize("example", EXAMPLES)
def test_apply_every_example_then_plan_is_empty(example, tmp_path, server):
    project = copy_example(example, tmp_path)
    first = run(["plan", str(project), "--detailed-exitcode", "--no-color"], server)
    assert first.returncode == 2, first.stdout + first.stderr
    assert "to create" in first.stdout
    applied = run(["apply", str(project), "--auto-approve", "--no-color"], server)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = run(["plan", str(project), "--detailed-exitcode", "--format", "json"], server)
    assert again.returncode == 0, again.stdout + again.stderr
    assert not [c for c in json.loads(again.stdout)["changes"] if c["action"] != "unmanaged"]


def test_one_changed_field_shows_exactly_that_field(tmp_path, server):
    project = copy_example("webinar", tmp_path)
    assert run(["apply", str(project), "--auto-approve"], server).returncode == 0
    path = project / "templates" / "webinar.yaml"
    path.write_text(path.read_text().replace("messageInterval: 10", "messageInterval: 15"))
    plan = run(["plan", str(project), "--format", "json"], server)
    assert plan.returncode == 0
    changes = [c for c in json.loads(plan.stdout)["changes"] if c["action"] != "unmanaged"]
    assert [(c["name"], [f["path"] for f in c["fields"]]) for c in changes] == [("webinar", ["settings.roomState.messageInterval"])]
    assert [r["part"] for r in changes[0]["requests"]] == ["settings"]


def test_saved_plan_goes_stale_and_is_refused(tmp_path, server):
    project = copy_example("telehealth", tmp_path)
    assert run(["apply", str(project), "--auto-approve"], server).returncode == 0
    room = project / "rooms" / "clinic-rooms.yaml"
    room.write_text(room.read_text().replace("size: 2\n", "size: 3\n", 1))
    saved = tmp_path / "plan.json"
    assert run(["plan", str(project), "--out", str(saved)], server).returncode == 0
    # someone changes the room in the dashboard meanwhile
    other = copy_example("telehealth", tmp_path / "other")
    other_room = other / "rooms" / "clinic-rooms.yaml"
    other_room.write_text(other_room.read_text().replace("max_duration_seconds: 3600", "max_duration_seconds: 1800", 1))
    assert run(["apply", str(other), "--auto-approve"], server).returncode == 0
    refused = run(["apply", str(saved)], server)
    assert refused.returncode == 1
    assert "changed since the plan was made" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_saved_plan_applies_when_fresh(tmp_path, server):
    project = copy_example("classroom", tmp_path)
    saved = tmp_path / "plan.json"
    assert run(["plan", str(project), "--out", str(saved)], server).returncode == 0
    applied = run(["apply", str(saved)], server)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert run(["plan", str(project), "--detailed-exitcode"], server).returncode == 0


def test_local_workspace_file_needs_no_server(tmp_path):
    project = copy_example("webinar", tmp_path)
    assert run(["plan", str(project), "--detailed-exitcode"]).returncode == 2
    applied = run(["apply", str(project), "--auto-approve"])
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (project / ".hmsconf" / "local-workspace.db").exists()
    assert run(["plan", str(project), "--detailed-exitcode"]).returncode == 0


def test_apply_without_terminal_or_approval_refuses(tmp_path, server):
    project = copy_example("webinar", tmp_path)
    refused = run(["apply", str(project)], server)
    assert refused.returncode == 1 and "--auto-approve" in refused.stderr


def test_wrong_secret_is_one_sentence(tmp_path, server):
    project = copy_example("webinar", tmp_path)
    failed = run(["plan", str(project)], server, env_extra={"HMS_SECRET": "wrong-secret"})
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr and "wrong-secret" not in failed.stderr + failed.stdout
    assert len(failed.stderr.strip().splitlines()) <= 2


def test_unreachable_api_is_one_sentence(tmp_path):
    project = copy_example("webinar", tmp_path)
    failed = run(["plan", str(project)], "http://127.0.0.1:9/v2")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
