"""The test suite on every Python that hmsconf declares and this machine has.

``requires-python`` says >= 3.10, but CI (``.ci/run``) runs the suite once, on the
default ``python3``. ``nox`` runs it once per interpreter from 3.10 to the newest
that is on PATH or installed by pyenv (``nox -l`` lists them; ``nox -s tests-3.10``
runs one). Interpreters are never downloaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

DECLARED = tuple(f"3.{minor}" for minor in range(10, 30))  # 3.10 and every newer 3.x

nox.options.download_python = "never"
nox.options.reuse_existing_virtualenvs = True


def _with_pyenv_versions() -> None:
    """Put pyenv's installed versions on PATH, where nox looks for ``pythonX.Y``."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    extra = []
    for version in DECLARED:
        if shutil.which(f"python{version}"):
            continue
        found = sorted(root.glob(f"{version}.*/bin/python{version}"))
        if found:
            extra.append(str(found[-1].parent))
    if extra:
        os.environ["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])


_with_pyenv_versions()
PYTHONS = [version for version in DECLARED if shutil.which(f"python{version}")]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The README's test command in a fresh virtualenv of this interpreter."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)
