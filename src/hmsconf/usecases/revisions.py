"""Offline change review: the project at a git revision vs the working tree.

No network and no credentials, so a pull request from a fork can still show
what it changes. The revision is read with git itself (``git archive``), its
desired state stands in for "live", and the same planner explains the
difference with the same risk notes and permission tables as ``plan``.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path as FsPath

from hmsconf.api.live import LiveRoom, LiveTemplate, LiveWorkspace
from hmsconf.config.check import checked
from hmsconf.config.project import enclosing_root, open_project
from hmsconf.config.resolve import DesiredWorkspace
from hmsconf.diagnostics import Diagnostic
from hmsconf.errors import HmsconfError
from hmsconf.plan.changes import Plan, make_plan


class OfflineEnviron(dict[str, str]):
    """Environment for offline review: a variable that is not set reads as its
    own placeholder, so secrets a fork has no access to never stop the diff."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return f"${{env:{key}}}"


def _git(args: list[str], cwd: FsPath) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise HmsconfError("git is not installed; `hmsconf diff` reads revisions with git") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise HmsconfError(f"git {' '.join(args)} failed: {message[-1] if message else 'unknown error'}")
    return done.stdout


def default_base(cwd: FsPath) -> str:
    """The merge base with the default branch, as a pull request sees it."""
    for candidate in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        try:
            _git(["rev-parse", "--verify", "--quiet", candidate], cwd)
        except HmsconfError:
            continue
        return _git(["merge-base", "HEAD", candidate], cwd).decode().strip()
    raise HmsconfError("cannot find the default branch (origin/HEAD, main or master); pass --base REF")


def project_at_revision(path: FsPath, ref: str, into: FsPath) -> FsPath:
    """Extract the project directory as it was at ``ref`` into ``into``; return its path there."""
    top = FsPath(_git(["rev-parse", "--show-toplevel"], path if path.is_dir() else path.parent).decode().strip())
    relative = path.resolve().relative_to(top.resolve())
    spec = str(relative) if str(relative) != "." else "."
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except HmsconfError:
        raise HmsconfError(
            f"the revision `{ref}` does not exist in {top} (give a branch, tag or commit; in CI fetch it "
            "first: `git fetch origin main`, or `fetch-depth: 0` with actions/checkout)"
        ) from None
    if spec == "." or _git(["ls-tree", ref, "--", spec], top).strip():
        archive = _git(["archive", "--format=tar", ref, "--", spec], top)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            try:
                tar.extractall(into, filter="data")
            except TypeError:  # Python < 3.10.12 has no extraction filters; git archives are trusted
                tar.extractall(into)
    target = into / relative
    if not target.exists():
        target.mkdir(parents=True)  # the project did not exist yet at that revision
    return target


def as_live(desired: DesiredWorkspace) -> LiveWorkspace:
    """A desired state dressed as live state: ids are the names."""
    live = LiveWorkspace()
    for name, item in desired.templates.items():
        body = dict(item.data)
        recordings = body.pop("recordings", None)
        live.templates[name] = LiveTemplate(f"template:{name}", name, {"id": f"template:{name}", **body}, recordings)
    for name, item in desired.rooms.items():
        body = dict(item.data)
        template = body.pop("template", None)
        if template is not None:
            body["template_id"] = f"template:{template}"
        live.rooms[name.lower()] = LiveRoom(f"room:{name}", name, {"id": f"room:{name}", **body})
    return live


def review(path: str | None, base: str | None, workspace: str | None) -> tuple[Plan, list[Diagnostic]]:
    plan, diagnostics, _ = review_desired(path, base, workspace)
    return plan, diagnostics


def review_desired(path: str | None, base: str | None,
                   workspace: str | None) -> tuple[Plan, list[Diagnostic], DesiredWorkspace]:
    """``review``, and the head's resolved documents (their key positions place annotations)."""
    root = FsPath(path or ".")
    root = enclosing_root(root) or root  # a path inside a project means the project, at both revisions
    head = open_project(str(root))
    name = head.pick_workspace(workspace)
    environ = OfflineEnviron(os.environ)
    head_desired, diagnostics = checked(head, name, environ)
    ref = base or default_base(root if root.is_dir() else root.parent)
    with tempfile.TemporaryDirectory(prefix="hmsconf-diff-") as tmp:
        base_root = project_at_revision(root, ref, FsPath(tmp))
        base_project = open_project(str(base_root), required=False)
        base_desired, _ = checked(base_project, name if name in base_project.workspace_names() or not base_project.workspaces else base_project.default_workspace, environ, refuse_errors=False)
    # offline: the base stands in for "live", so no live ids or fingerprints; the plan lists no requests
    plan, errors = make_plan(head_desired, as_live(base_desired), offline=True)
    if errors:
        raise HmsconfError("cannot compare:\n  " + "\n  ".join(errors))
    plan.project = str(root)
    plan.base = base or ref[:12]
    return plan, diagnostics, head_desired

