"""Validate projects: load, resolve for every workspace, run the rules, place the findings.

This is what ``hmsconf validate`` runs and what ``plan`` runs first. A
project is checked once per workspace it declares, because overlays and
variables can make a document valid in dev and invalid in prod.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Iterable

from hmsconf import rules
from hmsconf.diagnostics import Diagnostic, HmsconfError, Path, warning
from hmsconf.parallel import forked_map
from hmsconf.project import Project, load_projects
from hmsconf.resolve import SECRET_PATHS, DesiredWorkspace, Resolved, body_of, resolve

SENSITIVE = "(sensitive)"


class InvalidConfiguration(HmsconfError):
    """The files have errors; the diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"the configuration has {sum(d.is_error for d in diagnostics)} error(s); fix them first")
        self.diagnostics = diagnostics
# An AWS access key id: a literal one in a file is almost always a leak.
_AWS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")


def check_resolved(item: Resolved) -> list[Diagnostic]:
    """Rules for one resolved document, placed at file:line:col, secrets masked."""
    body = body_of(item)
    found = rules.check_document(item.kind, body) + literal_secrets(item)
    if not found:
        return []
    secrets = [str(v) for _, v in secret_values(item.kind, body) if v not in (None, "")]
    return [item.place(_masked(d, secrets)) for d in found]


def secret_values(kind: str, body: Any) -> Iterable[tuple[Path, Any]]:
    """(path, value) of every value in a secret place (reference §5), found by
    walking only the few subtrees that can hold one."""
    for pattern in SECRET_PATHS.get(kind, ()):
        yield from _follow(body, pattern, ())


def _follow(node: Any, pattern: tuple, path: Path) -> Iterable[tuple[Path, Any]]:
    if not pattern:
        yield path, node
        return
    head, rest = pattern[0], pattern[1:]
    if not isinstance(node, dict):
        return
    keys = list(node) if head == "*" else ([head] if head in node else [])
    for key in keys:
        yield from _follow(node[key], rest, path + (key,))


def literal_secrets(item: Resolved) -> list[Diagnostic]:
    """SECRET-LITERAL: a secret written into a file instead of read from the environment."""
    out: list[Diagnostic] = []
    flagged: set[Path] = set()
    for path, value in secret_values(item.kind, item.data):
        if isinstance(value, str) and value and path not in item.from_env:
            flagged.add(path)
    text = json.dumps(body_of(item), default=str)
    if ("AKIA" in text or "ASIA" in text) and _AWS_KEY.search(text):  # substring test first: 30x cheaper than the regex
        flagged.update(p for p, v in _walk(item.data, ()) if isinstance(v, str) and _AWS_KEY.search(v) and p not in item.from_env)
    for path in sorted(flagged, key=str):
        out.append(
            warning(
                "SECRET-LITERAL",
                f"{'.'.join(map(str, path))} holds a secret written in the file; "
                f"read it from the environment instead: `${{env:NAME}}`",
                path,
            )
        )
    return out


def _walk(value: Any, path: Path) -> Iterable[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, path + (index,))
    else:
        yield path, value


def _masked(diagnostic: Diagnostic, secrets: list[str]) -> Diagnostic:
    """Never echo a secret back in a message, even one that is wrongly typed."""
    message = diagnostic.message
    for secret in secrets:
        if secret in message:
            message = message.replace(secret, SENSITIVE)
    return replace(diagnostic, message=message) if message != diagnostic.message else diagnostic


def check_workspace(project: Project, workspace: str, environ: dict[str, str] | None = None) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    desired, found = resolve(project, workspace, environ)
    for placed in forked_map(check_resolved, [*desired.presets.values(), *desired.objects()]):
        found.extend(placed)
    found.extend(_room_template_refs(desired))
    return desired, found


def _room_template_refs(desired: DesiredWorkspace) -> list[Diagnostic]:
    out = []
    for room in desired.rooms.values():
        name = room.data.get("template")
        if isinstance(name, str) and name not in desired.templates:
            out.append(
                room.place(
                    warning(
                        "ROOM-TEMPLATE-UNDECLARED",
                        f"room `{room.name}` uses template `{name}`, which this project does not declare; "
                        "plan will look for it in the workspace",
                        ("template",),
                    )
                )
            )
    return out


def check_project(project: Project, environ: dict[str, str] | None = None) -> list[Diagnostic]:
    found = list(project.diagnostics)
    for workspace in project.workspace_names():
        found.extend(check_workspace(project, workspace, environ)[1])
    return unique(found)


def unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple] = set()
    out = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        key = (d.file, d.line, d.column, d.rule, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def validate_paths(paths: list[str], environ: dict[str, str] | None = None) -> list[Diagnostic]:
    projects, problems = load_projects(paths)
    found = list(problems)
    for project in projects:
        found.extend(check_project(project, environ))
    return unique(found)
