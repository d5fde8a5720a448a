"""Validate projects: load, resolve for every workspace, run the rules, place the findings.

This is what ``hmsconf validate`` runs and what ``plan`` runs first. A
project is checked once per workspace it declares, because overlays and
variables can make a document valid in dev and invalid in prod.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from hmsconf.config import rules
from hmsconf.config.parallel import forked_map
from hmsconf.config.project import Project, load_projects
from hmsconf.config.resolve import DesiredWorkspace, Resolved, resolve
from hmsconf.diagnostics import Diagnostic, Path, did_you_mean
from hmsconf.errors import InvalidConfiguration
from hmsconf.model import catalogue
from hmsconf.model.sensitive import scrub

if TYPE_CHECKING:
    from hmsconf.config.prechecked import Prechecked


def check_resolved(item: Resolved) -> list[Diagnostic]:
    """Rules for one resolved document, placed at file:line:col, secrets masked."""
    body = item.data
    found = rules.check_document(item.kind, body) + rules.literal_secrets(item.kind, body, item.from_env)
    if item.unknown:  # a placeholder already reported: its value is not judged
        found = [d for d in found if not _under_unknown(d.path, item.unknown)]
    if not found:
        return []
    secrets = catalogue.secret_texts(item.kind, body)
    return [item.place(_masked(d, secrets)) for d in found]


def _under_unknown(path: Path, unknown: set[Path]) -> bool:
    return any(path[: len(u)] == u for u in unknown)


def _masked(diagnostic: Diagnostic, secrets: list[str]) -> Diagnostic:
    """Never echo a secret back in a message, even one that is wrongly typed."""
    message = scrub(diagnostic.message, secrets)
    return replace(diagnostic, message=message) if message != diagnostic.message else diagnostic


def check_workspace(project: Project, workspace: str, environ: Mapping[str, str] | None = None,
                    require_env: bool = True, prechecked: Prechecked | None = None) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    desired, found = resolve(project, workspace, environ, require_env)
    items = [*desired.presets.values(), *desired.objects()]
    known = [prechecked.get(item, workspace) for item in items] if prechecked is not None else [None] * len(items)
    found.extend(d for placed in known if placed is not None for d in placed)
    # the rest on every core too, but only in validate's pass (plan holds big trees a fork would copy)
    rest = [item for item, done in zip(items, known) if done is None]
    for placed in forked_map(check_resolved, rest) if prechecked is not None else map(check_resolved, rest):
        found.extend(placed)
    if not any(d.is_error for d in project.diagnostics):  # a file that did not load hides its templates
        found.extend(_room_template_refs(desired, project.live_templates))
    found.extend(_one_default_template(desired))
    return desired, found


def checked(project: Project, workspace: str, environ: Mapping[str, str] | None = None, *,
            refuse_errors: bool = True, prechecked: Prechecked | None = None) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    """``workspace`` resolved and checked, with the project's own diagnostics, each once.

    ``refuse_errors``: raise InvalidConfiguration when any is an error (plan,
    apply; off where what could be read is still compared: a diff's base).
    ``prechecked``: findings already made file by file (hmsconf.plan.filewise)."""
    desired, found = check_workspace(project, workspace, environ, prechecked=prechecked)
    diagnostics = unique([*project.diagnostics, *found])
    if refuse_errors and any(d.is_error for d in diagnostics):
        raise InvalidConfiguration(diagnostics)
    return desired, diagnostics


def _one_default_template(desired: DesiredWorkspace) -> list[Diagnostic]:
    """TEMPLATE-DEFAULT-TWICE: a workspace has one default template (§10.2.10)."""
    defaults = [t for t in desired.templates.values() if t.data.get("default") is True]
    if len(defaults) < 2:
        return []
    first = defaults[0]
    return [
        t.place(rules.TEMPLATE_DEFAULT_TWICE(
            f"template `{t.name}` and template `{first.name}` ({first.source.file}) both say `default: true`; "
            f"a workspace has one default template (workspace `{desired.workspace}`)", ("default",)))
        for t in defaults[1:]
    ]


def _room_template_refs(desired: DesiredWorkspace, live_only: list[str]) -> list[Diagnostic]:
    """ROOM-TEMPLATE-UNDECLARED: caught at validate, not when the merge job applies."""
    out = []
    for room in desired.rooms.values():
        name = room.data.get("template")
        if isinstance(name, str) and name not in desired.templates and name not in live_only \
                and ("template",) not in room.unknown:
            hint = did_you_mean(name, list(desired.templates))
            out.append(room.place(rules.ROOM_TEMPLATE_UNDECLARED(
                f"room `{room.name}` uses template `{name}`, which this project does not declare{hint}; "
                f"if it exists only in the live workspace, list it under `live_templates:` in hmsconf.yaml",
                ("template",))))
    return out


def unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        key = (d.file, d.line, d.column, d.rule, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@dataclass
class Validation:
    """What ``validate`` found, and how much it looked at (it says so)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    projects: int = 0
    files: int = 0
    workspaces: int = 0


def validate(paths: list[str], environ: dict[str, str] | None = None, require_env: bool = False,
             progress: Any = None) -> Validation:
    """validate: every project the paths name, every workspace of each.

    No secrets needed (``require_env=False``): an unset ``${env:...}`` is a notice.
    ``progress`` (a ``hmsconf.progress.Progress``) hears of each file checked.
    """
    from hmsconf.config.prechecked import load_and_precheck
    from hmsconf.config.project import in_focus, load_documents, no_project_error
    from hmsconf.progress import NO_PROGRESS

    progress = progress or NO_PROGRESS
    projects, problems = load_projects(paths, documents=False)
    if not problems and not any(p.config_document is not None or p.single_file or (p.files and p.files.files) for p in projects):
        raise no_project_error(paths[0] if len(paths) == 1 else " ".join(paths))
    result = Validation(list(problems))
    reading = progress.stage("reading files", sum(len(p.files.files) if p.files else 0 for p in projects))
    prechecked = {}
    for project in projects:
        # many files: loaded on every core, and the documents that need no other checked there
        prechecked[id(project)] = load_and_precheck(project, environ, require_env, check_resolved, reading)
        load_documents(project, reading)
    reading.done()
    checking = progress.stage("checking workspaces", sum(len(p.workspace_names()) for p in projects))
    for project in projects:
        found = list(project.diagnostics)
        for workspace in project.workspace_names():
            found.extend(check_workspace(project, workspace, environ, require_env, prechecked[id(project)])[1])
            checking.advance(1, f"{project.root} ({workspace})")
        result.diagnostics.extend(d for d in found if in_focus(project, d))
        result.projects += 1
        result.files += (len(project.files.files) if project.files else 0) + (project.config_document is not None)
        result.workspaces += len(project.workspace_names())
    checking.done()
    result.diagnostics = unique(result.diagnostics)
    return result


def validate_paths(paths: list[str], environ: dict[str, str] | None = None, require_env: bool = False) -> list[Diagnostic]:
    return validate(paths, environ, require_env).diagnostics
