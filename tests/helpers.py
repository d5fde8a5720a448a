"""Small builders shared by tests: projects on disk and resolved documents."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hmsconf.loader import discover
from hmsconf.project import Project, load_project
from hmsconf.resolve import DesiredWorkspace, resolve


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
