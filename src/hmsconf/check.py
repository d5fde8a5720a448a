"""Validate projects: load, resolve for every workspace, run the rules, place the findings.

This is what ``hmsconf validate`` runs and what ``plan`` runs first. A
project is checked once per workspace it declares, because overlays and
variables can make a document valid in dev and invalid in prod.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from hmsconf import rules
from hmsconf.diagnostics import Diagnostic, HmsconfError, warning
from hmsconf.project import Project, load_projects
from hmsconf.model import catalogue
from hmsconf.model.sensitive import scrub
from hmsconf.resolve import DesiredWorkspace, Resolved, body_of, resolve


class InvalidConfiguration(HmsconfError):
    """The files have errors; the diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"the configuration has {sum(d.is_error for d in diagnostics)} error(s); fix them first")
        self.diagnostics = diagnostics


def check_resolved(item: Resolved) -> list[Diagnostic]:
    """Rules for one resolved document, placed at file:line:col, secrets masked."""
    body = body_of(item)
    found = rules.check_document(item.kind, body) + rules.literal_secrets(item.kind, item.data, item.from_env)
    if not found:
        return []
    secrets = catalogue.secret_texts(item.kind, body)
    return [item.place(_masked(d, secrets)) for d in found]


def _masked(diagnostic: Diagnostic, secrets: list[str]) -> Diagnostic:
    """Never echo a secret back in a message, even one that is wrongly typed."""
    message = scrub(diagnostic.message, secrets)
    return replace(diagnostic, message=message) if message != diagnostic.message else diagnostic


def check_workspace(project: Project, workspace: str, environ: dict[str, str] | None = None) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    desired, found = resolve(project, workspace, environ)
    for item in (*desired.presets.values(), *desired.objects()):
        found.extend(check_resolved(item))
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
