"""Validate projects: load, resolve for every workspace, run the rules, place the findings.

This is what ``hmsconf validate`` runs and what ``plan`` runs first. A
project is checked once per workspace it declares, because overlays and
variables can make a document valid in dev and invalid in prod.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from hmsconf import rules
from hmsconf.diagnostics import Diagnostic, HmsconfError, warning
from hmsconf.parallel import forked_map
from hmsconf.project import Project, load_documents, load_projects
from hmsconf.model import catalogue
from hmsconf.model.sensitive import scrub
from hmsconf.resolve import DesiredWorkspace, Resolved, body_of, resolve

if TYPE_CHECKING:
    from hmsconf.prechecked import Prechecked


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


def check_workspace(project: Project, workspace: str, environ: dict[str, str] | None = None,
                    prechecked: Prechecked | None = None) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    desired, found = resolve(project, workspace, environ)
    items = [*desired.presets.values(), *desired.objects()]
    known = [prechecked.get(item, workspace) for item in items] if prechecked is not None else [None] * len(items)
    found.extend(d for placed in known if placed is not None for d in placed)
    for placed in forked_map(check_resolved, [item for item, done in zip(items, known) if done is None]):
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


def check_project(project: Project, environ: dict[str, str] | None = None, prechecked: Prechecked | None = None) -> list[Diagnostic]:
    found = list(project.diagnostics)
    for workspace in project.workspace_names():
        found.extend(check_workspace(project, workspace, environ, prechecked)[1])
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
    from hmsconf.prechecked import load_and_precheck

    projects, problems = load_projects(paths, documents=False)
    found = list(problems)
    for project in projects:
        # many files: loaded on every core, documents that need no other checked there too
        prechecked = load_and_precheck(project, environ, check_resolved)
        load_documents(project)
        found.extend(check_project(project, environ, prechecked))
    return unique(found)
