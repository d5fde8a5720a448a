"""The installed `hmsconf` command run as a user runs it, for every test that uses a subprocess.

Two things make such a test able to fail when the behaviour breaks:

- ``HMSCONF_DEBUG=1``: an internal error raises with its traceback instead of becoming the
  one-line "internal error" exit 1 that a test expecting exit 1 would take for a clean refusal;
  ``run`` fails on any traceback in stderr.
- every result's exit code is looked at: ``Result`` notes when ``returncode`` is read, and the
  autouse fixture ``exit_codes_are_checked`` (conftest.py) fails a test that never read one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

TRACEBACK = "Traceback (most recent call last)"

_unchecked: list["Result"] = []


def hmsconf_command() -> list[str]:
    script = Path(sys.executable).parent / "hmsconf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]


def debug_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """``base`` (default: this environment) with HMSCONF_DEBUG=1."""
    env = dict(os.environ if base is None else base)
    env.update({"HMSCONF_DEBUG": "1"}, **extra)
    return env


class Result(subprocess.CompletedProcess):  # type: ignore[type-arg]
    """A finished run that remembers whether its exit code was looked at."""

    def __init__(self, done: subprocess.CompletedProcess) -> None:  # type: ignore[type-arg]
        super().__init__(done.args, done.returncode, done.stdout, done.stderr)
        self.checked = False
        _unchecked.append(self)

    @property  # type: ignore[override]
    def returncode(self) -> int:
        self.__dict__["checked"] = True
        return self.__dict__["_code"]

    @returncode.setter
    def returncode(self, value: int) -> None:
        self.__dict__["_code"] = value

    def output(self) -> str:
        return (self.stdout or "")[-3000:] + (self.stderr or "")[-3000:]


def run(args: list[str] | tuple[str, ...], *, cwd: Path | str | None = None, env: dict[str, str] | None = None,
        timeout: float = 120, **kwargs: Any) -> Result:
    """``hmsconf ARGS`` in a subprocess with HMSCONF_DEBUG=1 (added to ``env``, default this
    environment); fails on a traceback. Read ``returncode`` of the result: a test that never
    does fails at teardown."""
    done = subprocess.run([*hmsconf_command(), *args], capture_output=True, text=True, cwd=cwd,
                          env=debug_env(env), timeout=timeout, **kwargs)
    assert TRACEBACK not in (done.stderr or ""), f"hmsconf {' '.join(map(str, args))} crashed:\n{done.stderr[-4000:]}"
    return Result(done)


def unchecked_results() -> list[str]:
    """The commands whose exit code no one read since the last call (and forget them all)."""
    left = [" ".join(map(str, r.args)) for r in _unchecked if not r.checked]
    _unchecked.clear()
    return left


def on_a_terminal(args: list[str], *, cwd: Path | str | None = None, **env: str) -> str:
    """Run hmsconf with its stdout on a pseudo-terminal (where colour is on unless told
    otherwise) and return what it wrote there; ``NO_COLOR`` is cleared unless given."""
    import pty

    primary, secondary = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    with subprocess.Popen([*hmsconf_command(), *args], stdout=secondary, stderr=subprocess.DEVNULL, cwd=cwd, env=environ) as proc:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
    os.close(primary)
    return b"".join(chunks).decode()
