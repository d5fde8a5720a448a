"""Small builders shared by tests: projects on disk and resolved documents."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hmsconf.config.loader import discover
from hmsconf.config.project import Project, load_project
from hmsconf.config.resolve import DesiredWorkspace, resolve


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def project_at(root: Path) -> Project:
    found, _ = discover([root])
    return load_project(found[0])


def desired_from(root: Path, files: dict[str, str], workspace: str = "local", environ=None) -> tuple[DesiredWorkspace, list]:
    write_project(root, files)
    return resolve(project_at(root), workspace, environ or {})


GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def committed_example(target: Path, example: str = "webinar") -> Path:
    """An example project committed on `main` of a new git repository (`origin/main` too), as a pull request's base."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "examples" / example, target, ignore=shutil.ignore_patterns(".hmsconf"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=target, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=target, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=target, check=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=target, check=True)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in a file."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# Python run before a script in a fresh interpreter: the first fork works, every later one fails as
# on a machine out of processes (EAGAIN), for the tests of falling back to one process.
SECOND_FORK_FAILS = """
import os
real_fork, forks = os.fork, []
def fork():
    forks.append(1)
    if len(forks) > 1:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    return real_fork()
os.fork = fork
"""
