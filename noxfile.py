"""The test suite on every Python that hmsconf declares and this machine has.

``requires-python`` says >= 3.10, but CI (``.ci/run``) runs the suite once, on the
default ``python3``. ``nox`` runs it once per interpreter from 3.10 to the newest
that is on PATH or installed by pyenv (``nox -l`` lists them; ``nox -s tests-3.10``
runs one). Interpreters are never downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

DECLARED = tuple(f"3.{minor}" for minor in range(10, 30))  # 3.10 and every newer 3.x

nox.options.download_python = "never"
nox.options.reuse_existing_virtualenvs = True


def _runs(python: str) -> bool:
    return subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0


def _interpreters() -> dict[str, str]:
    """``{"3.10": "/path/to/python3.10", ...}``: from PATH first, else pyenv's installed versions."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = {}
    for version in DECLARED:
        path = shutil.which(f"python{version}")
        if path is not None and not _runs(path):  # a pyenv shim of a version not activated
            path = None
        if path is None:
            installed = sorted(root.glob(f"{version}.*/bin/python{version}"))
            path = str(installed[-1]) if installed else None
        if path:
            found[version] = path
    return found


def _tests(session: nox.Session) -> None:
    """The README's test command in a fresh virtualenv of this interpreter."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)


# One session per interpreter, named by its version: tests-3.10, tests-3.11, ...
for _version, _python in _interpreters().items():
    nox.session(name=f"tests-{_version}", python=_python)(_tests)
