"""Validate on every core (hmsconf.config.parallel): the same output as one process, byte for byte.

The commands run as subprocesses: forking is refused in a process with other
threads, which a pytest-xdist worker has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hmsconf.config import parallel
from tests.cli import run as run_hmsconf
from tests.factories import template_yaml
from tests.helpers import SECOND_FORK_FAILS

ROOT = Path(__file__).resolve().parents[1]


def _hmsconf(*args: str, jobs: int, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", parallel.ENV: str(jobs)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return run_hmsconf(args, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory) -> Path:
    """The webinar example plus 40 templates, a third of them broken in different ways,
    a duplicate name, a room naming a missing template, bad YAML: more than enough files to fork."""
    root = tmp_path_factory.mktemp("many") / "project"
    shutil.copytree(ROOT / "examples" / "webinar", root, ignore=shutil.ignore_patterns(".hmsconf"))
    for i in range(40):
        text = template_yaml(f"t{i}", 4)
        if i % 3 == 1:
            text = text.replace("priority: 1", "priority: 9", 1).replace("bitRate: 32", "bitRate: 'x'", 1)
        if i % 7 == 2:
            text = text.replace("permissions:", "permisions:", 1)
        if i % 11 == 5:
            text = text.replace(f"name: t{i}\n", "name: t0\n", 1)  # a duplicate name
        (root / "templates" / f"t{i:02d}.yaml").write_text(text)
    (root / "templates" / "broken.yaml").write_text("kind: Template\nname: [\n")
    # documents checked alone in a worker, with what the parent still judges across documents
    (root / "templates" / "edges.yaml").write_text(
        "kind: Template\nname: only-prod\nworkspaces: [prod, nowhere]\nroles: {a: {priority: 0}}\n"
        "---\nkind: Template\nname: not-staging\nexcept_workspaces: [staging]\n"
        "settings: {recording: {upload: {type: s3, location: b, credentials: {key: AKIAABCDEFGHIJKLMNOP, secretKey: hunter2hunter2}}}}\n"
        "---\nkind: Template\nworkspaces: oops\nname: bad-list\n"
        "---\nkind: Template\nroles: {}\n"
        "---\nkind: Room\nname: t1\ntemplate: t1\nregion: mars\n"
        "---\nkind: Room\nname: T1\ntemplate: t2\n"
        "---\nkind: Templat\nname: typo\n"
        "---\nkind: Template\nname: uses-preset\nroles: {h: {extends: nope}}\n"
    )
    (root / "rooms" / "orphan.yaml").write_text("kind: Room\nname: orphan\ntemplate: nowhere\nsize: 99999\n")
    return root


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_parallel_output_is_identical_to_serial(broken_project, output_format):
    serial = _hmsconf("validate", "--format", output_format, ".", jobs=1, cwd=broken_project)
    forked = _hmsconf("validate", "--format", output_format, ".", jobs=3, cwd=broken_project)
    assert serial.returncode == 1, serial.stderr
    for rule in ("DUPLICATE-NAME", "ROLE-PRIORITY", "YAML-SYNTAX", "OVERLAY-UNKNOWN-WORKSPACE", "OVERLAY-LIST", "DOC-NAME",
                 "SECRET-LITERAL", "ROOM-REGION", "DOC-KIND", "PRESET-UNKNOWN", "UNKNOWN-KEY"):
        assert rule in serial.stdout, rule
    assert "hunter2" not in serial.stdout
    assert (forked.returncode, forked.stdout, forked.stderr) == (serial.returncode, serial.stdout, serial.stderr)


def test_workers_really_are_other_processes():
    script = (
        "import os\n"
        "from hmsconf.config.parallel import forked_map\n"
        "def pid(_):\n"
        "    return os.getpid()\n"
        "def square(x):\n"
        "    if x == 77:\n"
        "        raise ValueError('item 77')\n"
        "    return x * x\n"
        "pids = forked_map(pid, list(range(64)))\n"
        "print(len(pids), os.getpid() in pids, forked_map(square, list(range(77))) == [x * x for x in range(77)])\n"
        "try:\n"
        "    forked_map(square, list(range(100)))\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, parallel.ENV: "2"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=True)
    assert done.stdout.split("\n")[:2] == ["64 False True", "item 77"]


def _square(x: int) -> int:
    return x * x


def _explode(x: int) -> int:
    if x == 37:
        raise ValueError("item 37")
    return x


def test_results_keep_input_order_and_errors_surface(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "3")
    assert parallel.forked_map(_square, list(range(100))) == [x * x for x in range(100)]
    with pytest.raises(ValueError, match="item 37"):
        parallel.forked_map(_explode, list(range(100)))


def test_serial_while_other_threads_run(monkeypatch):
    """A fork would copy locks other threads hold: with a second thread alive, nothing forks."""
    monkeypatch.setenv(parallel.ENV, "4")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel._can_fork()
        assert set(parallel.forked_map(_pid, list(range(50)))) == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def _pid(_: int) -> int:
    return os.getpid()


def test_few_items_or_one_job_stay_in_process(monkeypatch):
    monkeypatch.setenv(parallel.ENV, "1")
    assert set(parallel.forked_map(_pid, list(range(200)))) == {os.getpid()}
    monkeypatch.setenv(parallel.ENV, "4")
    assert set(parallel.forked_map(_pid, list(range(parallel.MIN_ITEMS - 1)))) == {os.getpid()}


def test_room_references_are_judged_alike_when_every_file_loads(broken_project, tmp_path):
    """With no file failing to load, rooms naming undeclared templates are reported (by the parent,
    from skeletons) exactly as in one process."""
    project = tmp_path / "loads"
    shutil.copytree(broken_project, project)
    (project / "templates" / "broken.yaml").unlink()
    edges = project / "templates" / "edges.yaml"
    edges.write_text(edges.read_text().replace("kind: Templat\n", "kind: Template\n"))  # no file-level error left
    serial = _hmsconf("validate", "--format", "json", ".", jobs=1, cwd=project)
    forked = _hmsconf("validate", "--format", "json", ".", jobs=2, cwd=project)
    assert "ROOM-TEMPLATE-UNDECLARED" in serial.stdout
    assert (forked.returncode, forked.stdout, forked.stderr) == (serial.returncode, serial.stdout, serial.stderr)


RUN_THE_CLI = """
import sys
sys.argv = ["hmsconf", *sys.argv[1:]]
from hmsconf.cli import main
main()
"""


def test_a_machine_out_of_processes_validates_in_one(broken_project):
    """The pool cannot start all its workers (EAGAIN): the same output from this process, no traceback."""
    serial = _hmsconf("validate", "--format", "json", ".", jobs=1, cwd=broken_project)
    env = {**os.environ, "NO_COLOR": "1", parallel.ENV: "3", "HMSCONF_DEBUG": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    refused = subprocess.run([sys.executable, "-c", SECOND_FORK_FAILS + RUN_THE_CLI, "validate", "--format", "json", "."],
                             cwd=broken_project, env=env, capture_output=True, text=True, timeout=300)
    assert (refused.returncode, refused.stdout) == (serial.returncode, serial.stdout), refused.stderr[-3000:]
