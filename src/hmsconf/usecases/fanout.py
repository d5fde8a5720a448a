"""`plan --all-workspaces`: every workspace of hmsconf.yaml planned in one run.

The files are read once. Every workspace's live reads start at once, each
on a thread and connection of its own (with that workspace's parallelism and
rate); while they run the files load, then each workspace is checked and
planned in turn. A workspace's own problem (no credentials, an API error,
an error in its resolved documents, an unknown --target) becomes its
section's error and the others are still planned; a problem of the files
themselves or of hmsconf.yaml stops the run, as it would for one workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hmsconf.config.check import checked
from hmsconf.diagnostics import Diagnostic, has_errors
from hmsconf.errors import HmsconfError, InvalidConfiguration
from hmsconf.usecases import plan as planning


@dataclass
class Section:
    """One workspace's outcome: a plan, or the error that stopped it."""

    workspace: str
    planned: planning.Planned | None = None
    error: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)  # configuration errors of this workspace


class _Labelled:
    """Progress whose stages say which workspace they belong to."""

    def __init__(self, progress: Any, workspace: str) -> None:
        self._progress, self._workspace = progress, workspace

    def stage(self, name: str, total: int | None = None) -> Any:
        return self._progress.stage(f"{self._workspace}: {name}", total)

    def note(self, line: str) -> None:
        self._progress.note(line)


def plan_all(path: str | None, api_url: str | None = None, refresh_secrets: bool = False, progress: Any = None,
             selection: Any = None, pacing: Any = None) -> list[Section]:
    """A section per workspace of hmsconf.yaml, in its order (the default workspace when it declares none)."""
    from hmsconf.config.project import load_documents, open_project
    from hmsconf.plan.selection import check

    project = open_project(path, documents=False)
    if has_errors(project.diagnostics):
        raise InvalidConfiguration(project.diagnostics)
    sections = {name: Section(name) for name in project.workspace_names()}
    readers: dict[str, Any] = {}
    try:
        for name, section in sections.items():
            try:
                labelled = _Labelled(progress, name) if progress is not None else None
                readers[name] = planning._LiveReader(planning._connection(project, name, api_url, pacing), labelled,
                                                     selection, refresh_secrets,
                                                     planning.calibration_of(project, name) if selection is not None else None)
            except HmsconfError as exc:
                section.error = str(exc)
        reading = progress.stage("reading files", len(project.files.files)) if progress and project.files else None
        load_documents(project, reading)
        if reading is not None:
            reading.done()
        if has_errors(project.diagnostics):
            raise InvalidConfiguration(project.diagnostics)
        for name, reader in readers.items():
            section = sections[name]
            try:
                desired, diagnostics = checked(project, name)
                chosen = check(selection, desired) if selection is not None else None
                live = reader.finish(planning.recordings_managed(desired), desired)
                plan = planning._plan(project, name, desired, live, refresh_secrets, None, chosen)
                section.planned = planning.Planned(project, name, desired, live, plan, diagnostics, chosen)
            except InvalidConfiguration as exc:
                section.error, section.diagnostics = str(exc), list(exc.diagnostics)
            except HmsconfError as exc:
                section.error = str(exc)
            finally:
                reader.cancel()
    finally:
        for reader in readers.values():
            reader.cancel()
    return list(sections.values())
