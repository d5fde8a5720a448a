"""hmsconf.plan.filewise_forked: plan's file-by-file pass in forked workers makes the plan one process makes.

Each case runs in a fresh interpreter (a test process has threads, the emulator's
among them, and never forks), once with ``HMSCONF_JOBS=1`` and once with two workers;
the real ``start`` is wrapped only to note whether it forked.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli import debug_env
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import SECOND_FORK_FAILS, write_project

SCRIPT = """
import json, sys
from hmsconf.errors import HmsconfError, InvalidConfiguration
from hmsconf.plan import filewise, filewise_forked
from hmsconf.usecases import plan as planning

filewise.WAITING_BUDGET = 0  # every template waits for the lists and is compared: the same run every time

forked = []
start = filewise_forked.start

def noted(*args, **kwargs):
    workers = start(*args, **kwargs)
    forked.append(workers is not None)
    return workers

filewise_forked.start = noted
try:
    planned = planning.plan_workspace(sys.argv[1], None, sys.argv[2] or None, salt="s", keep_unchanged=False)
    out = {"plan": {**planned.plan.to_json(), "created_at": None},
           "kept": {name: item.data for name, item in planned.desired.templates.items()}}
except InvalidConfiguration as exc:
    out = {"diagnostics": [[d.file, d.line, d.column, d.rule, d.message] for d in exc.diagnostics]}
except HmsconfError as exc:
    out = {"error": str(exc)}
print(json.dumps({"forked": forked, **out}, default=repr))
"""

FILES = {
    "hmsconf.yaml": "vars: {peers: 7}\n",
    "presets/host.yaml": "kind: RolePreset\nname: host\npermissions: {endRoom: true}\n",
    "templates/extends.yaml": "kind: Template\nname: extends\nroles: {host: {extends: host}}\n",
    "templates/placeholder.yaml": "kind: Template\nname: placeholder\nroles: {host: {maxPeerCount: '${var:peers}'}}\n",
    "templates/recorded.yaml": ("kind: Template\nname: recorded\nroles: {host: {}}\n"
                                "recordings: [{name: r, role: host, trackRecording: {enabled: true}}]\n"),
    "rooms/coded.yaml": "kind: Room\nname: coded\ntemplate: plain-00\nroom_codes: true\n",
    **{f"templates/plain-{n:02d}.yaml": f"kind: Template\nname: plain-{n:02d}\nroles: {{host: {{maxPeerCount: {n + 1}}}, guest: {{}}}}\n"
       for n in range(24)},
}


def plan_in_a_fresh_process(project, url: str, jobs: int, credentials: bool = True, before: str = "") -> dict:
    env = debug_env(HMSCONF_JOBS=str(jobs), **({"HMS_ACCESS_KEY": ACCESS_KEY, "HMS_SECRET": SECRET} if credentials else {}))
    for unset in ("HMS_MANAGEMENT_TOKEN", *(() if credentials else ("HMS_ACCESS_KEY", "HMS_SECRET"))):
        env.pop(unset, None)
    done = subprocess.run([sys.executable, "-c", before + SCRIPT, str(project), url], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout)


def same_in_one_process_and_in_two(project, url: str, credentials: bool = True) -> dict:
    one = plan_in_a_fresh_process(project, url, 1, credentials)
    two = plan_in_a_fresh_process(project, url, 2, credentials)
    assert (one.pop("forked"), two.pop("forked")) == ([False], [True])
    assert two == one
    return two


@pytest.fixture()
def applied(tmp_path, emulator):
    """The project, applied: the live workspace matches it."""
    project = write_project(tmp_path / "p", FILES)
    done = subprocess.run([sys.executable, "-m", "hmsconf", "apply", str(project), "--auto-approve", "-q",
                           "--api-url", emulator.url],
                          env=debug_env(HMS_ACCESS_KEY=ACCESS_KEY, HMS_SECRET=SECRET), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return project


def test_no_changes_the_same_plan_and_fingerprint(applied, emulator):
    out = same_in_one_process_and_in_two(applied, emulator.url)
    assert out["plan"]["summary"]["update"] == 0 and out["plan"]["summary"]["create"] == 0
    assert out["kept"]["plain-03"]["roles"] == {"host": None, "guest": None}  # settled in a worker: a skeleton


def test_changes_in_every_share_the_same_plan(applied, emulator):
    for n in (0, 12, 23):  # the first, the middle and the last file: both workers' shares
        (applied / "templates" / f"plain-{n:02d}.yaml").write_text(
            f"kind: Template\nname: plain-{n:02d}\nroles: {{host: {{maxPeerCount: 99}}, guest: {{}}}}\n")
    (applied / "templates" / "zz-new.yaml").write_text("kind: Template\nname: zz-new\nroles: {host: {}}\n")
    out = same_in_one_process_and_in_two(applied, emulator.url)
    changed = sorted(c["name"] for c in out["plan"]["changes"] if c["action"] != "no-op")
    assert changed == ["plain-00", "plain-12", "plain-23", "zz-new"], changed


def test_problems_in_the_files_come_in_the_same_order(applied, emulator):
    (applied / "templates" / "plain-02.yaml").write_text("kind: Template\nname: plain-02\nroles: {host: {maxpeercount: 3}}\n")
    (applied / "templates" / "plain-20.yaml").write_text("kind: Template\nname: [plain-20\n")
    out = same_in_one_process_and_in_two(applied, emulator.url)
    files = [d[0].rsplit("/", 1)[-1] for d in out["diagnostics"]]
    assert "plain-02.yaml" in files and "plain-20.yaml" in files


def test_a_workspace_that_cannot_be_read_is_said_the_same_way(applied):
    out = same_in_one_process_and_in_two(applied, "http://127.0.0.1:9/v2")  # nothing listens on port 9
    assert "cannot reach" in out["error"]


def test_a_connection_that_cannot_open_is_said_the_same_way(applied):
    (applied / "hmsconf.yaml").write_text("vars: {peers: 7}\nworkspaces:\n  dev: {access_key: '${env:NOT_SET_HERE}', secret: x}\n"
                                          "default_workspace: dev\n")
    out = same_in_one_process_and_in_two(applied, "", credentials=False)  # the workspace's own connection
    assert "NOT_SET_HERE" in out["error"]


MEMFD_FORBIDDEN = """
import os
def refused(*args):
    raise PermissionError(1, "Operation not permitted")
os.memfd_create = refused
"""



@pytest.mark.parametrize("before", [MEMFD_FORBIDDEN, SECOND_FORK_FAILS], ids=["no-memfd", "fork-fails"])
def test_when_the_workers_cannot_start_one_process_makes_the_same_plan(applied, emulator, before):
    """A sandbox without memfd, or a machine out of processes: the pass runs here, nothing is left running."""
    one = plan_in_a_fresh_process(applied, emulator.url, 1)
    refused = plan_in_a_fresh_process(applied, emulator.url, 2, before=before)
    assert (one.pop("forked"), refused.pop("forked")) == ([False], [False])
    assert refused == one
