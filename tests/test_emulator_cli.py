"""`hmsconf emulator` as a user starts it: the secret it made survives a restart with --state."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess

import pytest

from tests.cli import run as run_hmsconf
from tests.test_workflow import ROOT, hmsconf_command


def start(*args: str) -> tuple[subprocess.Popen, str, str]:
    """Start the emulator; return it, its URL and what it printed up to "ready"."""
    proc = subprocess.Popen([*hmsconf_command(), "emulator", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = ""
    for _ in range(20):
        line = proc.stdout.readline()
        printed += line
        if "Ctrl-C stops" in line or not line:
            break
    match = re.search(r"(http://127\.0\.0\.1:\d+/v2)", printed)
    if match is None:
        proc.kill()
        pytest.fail("emulator did not start: " + printed)
    return proc, match.group(1), printed


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def plan(url: str, secret: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB_STEP"))}
    env.update({"HMSCONF_API_URL": url, "HMS_ACCESS_KEY": "hmsconf-emulator", "HMS_SECRET": secret})
    return run_hmsconf(["plan", str(ROOT / "examples" / "webinar"), "--no-color"], env=env, cwd=tmp_path)


def test_state_keeps_the_secret_it_made(tmp_path):
    state = tmp_path / "ws.db"
    proc, url, printed = start("--state", str(state))
    try:
        secret = re.search(r"secret:\s+(\S+)\s+\(kept in", printed).group(1)
        assert plan(url, secret, tmp_path).returncode == 0
    finally:
        stop(proc)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds the secret
    proc, url, printed = start("--state", str(state))
    try:
        assert secret not in printed  # printed once, when made
        assert "kept there" in printed
        done = plan(url, secret, tmp_path)
        assert done.returncode == 0, done.stderr
        assert "would" in done.stdout or "create" in done.stdout
        wrong = plan(url, "not-the-secret-0123456789abcdef0123456789", tmp_path)
        assert wrong.returncode == 1
    finally:
        stop(proc)


def test_a_given_secret_is_neither_printed_nor_kept(tmp_path):
    state = tmp_path / "ws.db"
    given = "given-secret-0123456789abcdef0123456789"
    proc, url, printed = start("--state", str(state), "--secret", given)
    try:
        assert given not in printed and "(as given)" in printed
        assert plan(url, given, tmp_path).returncode == 0
    finally:
        stop(proc)
    assert given.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("ws.db*"))
