"""Progress: on a terminal's stderr for long work, never on stdout, nothing in pipes or with --quiet.

A real pseudo-terminal stands for the terminal (stderr only; stdout stays a
pipe, as in `hmsconf plan --format json > plan.json` typed at a prompt).
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from hmsconf.api.live import read_live
from hmsconf.progress import NoProgress

ROOT = Path(__file__).resolve().parents[1]
HMSCONF = str(Path(sys.executable).parent / "hmsconf")


def run(args: list[str], cwd: Path, stderr_tty: bool) -> tuple[str, str, int]:
    from tests.cli import TRACEBACK, debug_env

    env = debug_env(TERM="xterm-256color", COLUMNS="160", NO_COLOR="1")  # HMSCONF_DEBUG=1: a crash shows as a traceback
    env.pop("HMSCONF_API_URL", None)
    if not stderr_tty:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        assert TRACEBACK not in done.stderr, done.stderr
        return done.stdout, done.stderr, done.returncode
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    stdout, _ = process.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(master)
    stderr = b"".join(chunks).decode(errors="replace")
    assert TRACEBACK not in stderr, stderr
    return stdout.decode(), stderr, process.returncode


def many_files(tmp_path: Path, count: int = 12) -> Path:
    project = tmp_path / "p"
    (project / "templates").mkdir(parents=True)
    (project / "hmsconf.yaml").write_text("vars: {}\n")
    for i in range(count):
        (project / "templates" / f"t{i}.yaml").write_text(f"kind: Template\nname: t{i}\nroles:\n  host: {{priority: 1}}\n")
    return project


def test_validate_and_fmt_show_progress_on_a_terminal_only(tmp_path):
    project = many_files(tmp_path)
    out, err, code = run([HMSCONF, "validate", "--format", "json", str(project)], tmp_path, stderr_tty=True)
    assert code == 0 and "reading files" in err and "checking workspaces" in err
    assert out.startswith("{") and "reading files" not in out and "\x1b" not in out  # stdout stays parseable
    out, err, code = run([HMSCONF, "validate", str(project)], tmp_path, stderr_tty=False)
    assert code == 0 and "reading files" not in err and "\x1b" not in err
    out, err, code = run([HMSCONF, "validate", "--quiet", str(project)], tmp_path, stderr_tty=True)
    assert code == 0 and "reading files" not in err
    out, err, code = run([HMSCONF, "fmt", "--check", str(project)], tmp_path, stderr_tty=True)
    assert code == 0 and "checking format" in err


def test_apply_shows_each_write_as_it_completes(tmp_path):
    project = tmp_path / "webinar"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf"))
    out, err, code = run([HMSCONF, "apply", str(project), "--auto-approve"], tmp_path, stderr_tty=True)
    assert code == 0, out + err
    assert "applying" in err and "applied  template `webinar`: POST /templates" in err
    # stdout is not the terminal: it keeps the full record
    assert "applied  template `webinar`" in out and "applying" not in out
    out, err, code = run([HMSCONF, "plan", str(project)], tmp_path, stderr_tty=True)
    assert code == 0 and "reading the live workspace" in err
    out, err, code = run([HMSCONF, "plan", str(project)], tmp_path, stderr_tty=False)
    assert code == 0 and "reading the live workspace" not in err


class Recorder(NoProgress):
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def stage(self, name, total=None):
        recorder = self

        class Stage:
            def advance(self, steps=1, item=None):
                recorder.events.append((name, "advance", steps))

            def grow(self, total):
                recorder.events.append((name, "grow", total))

            def done(self):
                recorder.events.append((name, "done"))

        self.events.append((name, "start", total))
        return Stage()


def test_reading_the_live_workspace_reports_pages_and_recordings(emulator):
    import asyncio

    async def go(progress):
        async with emulator.client() as client:
            for i in range(3):
                await client.create_template({"name": f"t{i}", "roles": {"host": {"name": "host"}}, "settings": {}})
            return await read_live(client, None, progress)

    progress = Recorder()
    live = asyncio.run(go(progress))
    assert len(live.templates) == 3
    reads = [e for e in progress.events if e[0] == "reading recordings" and e[1] == "advance"]
    assert len(reads) == 3
    assert ("reading the live workspace", "done") in progress.events


FORK_SPY = """
import sys
from hmsconf.config import parallel
from hmsconf.plan import filewise_forked

forked = []
would_fork = parallel.would_fork

def noted(*args, **kwargs):
    answer = would_fork(*args, **kwargs)
    forked.append(answer)
    return answer

parallel.would_fork = filewise_forked.would_fork = noted
sys.argv = ["hmsconf", *sys.argv[1:]]
from hmsconf.cli import main
try:
    main()
finally:
    print("forked:", forked)
"""


def test_the_progress_display_leaves_validate_and_plan_on_every_core(tmp_path, monkeypatch):
    """rich's refresh thread once kept the runs people watch on a terminal in one process
    (a process with threads never forks): the display is redrawn as stages move instead."""
    monkeypatch.setenv("HMSCONF_JOBS", "2")  # two workers even on a one-core machine
    project = many_files(tmp_path, count=20)
    for command in (["validate"], ["plan"]):
        out, err, code = run([sys.executable, "-c", FORK_SPY, *command, str(project)], tmp_path, stderr_tty=True)
        assert code == 0 and "reading files" in err, err
        assert "forked: [True" in out, out  # the first question, before any file loads: yes
