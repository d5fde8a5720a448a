"""`hmsconf export`: read a live workspace and write it out as project files that plan back to "no changes"."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hmsconf.plan.export import ExportResult
from hmsconf.usecases import plan as planning

if TYPE_CHECKING:
    from hmsconf.api.live import LiveWorkspace
    from hmsconf.progress import Progress


def export(out: str, project_path: str, workspace: str | None, api_url: str | None, *,
           include_defaults: bool = False, force: bool = False, progress: Progress | None = None) -> ExportResult:
    from hmsconf.api.connection import connection_for
    from hmsconf.config.project import open_project
    from hmsconf.plan.export import (
        export_workspace,
        project_config,
        read_for_export,
        schema_files,
        write_files,
    )

    project = open_project(project_path, documents=False)  # only hmsconf.yaml: which workspace
    name = project.pick_workspace(workspace)

    async def read() -> LiveWorkspace:
        async with planning.open_client_for(project, name, api_url) as client:
            return await read_for_export(client, progress)

    live = planning.run(read())
    exported = export_workspace(live, include_defaults)
    exported.files["hmsconf.yaml"] = project_config(name, connection_for(project, name, api_url), Path(out))
    exported.files.update(schema_files())
    written = write_files(exported, Path(out), force)
    return ExportResult(out, written, len(live.templates), len(live.rooms), sorted(set(exported.placeholders)))
