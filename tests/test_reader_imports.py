"""The live reader's thread imports nothing: ``hmsconf.api.connection.preload`` imports it first.

Two threads importing at once can deadlock on CPython's per-module import locks:
CI once failed with ``_DeadlockError`` when the readers of `plan --all-workspaces`
both imported httpcore → certifi → importlib.resources at the same moment. This
runs each kind of plan in a fresh interpreter (an interpreter that has already
imported everything would see nothing) with a finder that notes the thread of
every import, and fails on any module a reader's thread loaded: a library update
that adds a lazy import names the module to add to ``preload``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli import debug_env
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import write_project

RECORDER = """
import json, sys, threading

OUT, sys.argv = sys.argv[1], ["hmsconf", *sys.argv[2:]]
loaded_by, started = {}, []

class NoteThread:
    def find_spec(self, name, path=None, target=None):
        loaded_by.setdefault(name, threading.current_thread().name)
        return None  # the real finders do the work

sys.meta_path.insert(0, NoteThread())
start = threading.Thread.start
threading.Thread.start = lambda thread: (started.append(thread.name), start(thread))[1]
from hmsconf.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
loaded = sorted(name for name, thread in loaded_by.items() if thread != "MainThread" and name in sys.modules)
with open(OUT, "w") as out:
    json.dump({"exit": code, "loaded_on_other_threads": loaded, "threads": started}, out)
"""

FILES = {
    "hmsconf.yaml": """
        default_workspace: local
        workspaces:
          local: {file: .hmsconf/ws.db}
          remote: {api_url: "${env:REMOTE_URL}", access_key: "${env:KEY}", secret: "${env:SECRET}"}
    """,
    "templates/webinar.yaml": """
        kind: Template
        name: webinar
        roles: {host: {}}
    """,
}


@pytest.mark.parametrize("args", [
    ["plan"],                                   # the local workspace file: the emulator app in-process
    ["plan", "-w", "remote"],                   # over HTTP
    ["plan", "--all-workspaces"],               # several readers at once
    ["plan", "-w", "remote", "--target", "Template/webinar"],
], ids=["local", "http", "all-workspaces", "targeted"])
def test_no_module_is_imported_on_a_reader_thread(emulator, tmp_path, args):
    project = write_project(tmp_path / "p", FILES)
    out = tmp_path / "imports.json"
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    env = debug_env(REMOTE_URL=emulator.url, KEY=ACCESS_KEY, SECRET=SECRET)
    done = subprocess.run([sys.executable, str(script), str(out), *args, "-q"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(out.read_text())
    assert seen["exit"] in (0, None), seen
    assert "hmsconf-live-reader" in seen["threads"], seen  # a reader ran, or this checks nothing
    assert seen["loaded_on_other_threads"] == [], f"add to hmsconf.api.connection.preload: {seen['loaded_on_other_threads']}"
