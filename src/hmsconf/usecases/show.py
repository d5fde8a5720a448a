"""The `show` use case: a workspace's templates as access models, from the files or live.

From the files it is offline and resolves exactly as `hmsconf render` does
(variables, overlays, presets); with ``live`` it reads the workspace through
the same client as `plan` (templates and their recording configs, no rooms
needed). A saved plan can be attached, for the HTML page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmsconf.diagnostics import Diagnostic
from hmsconf.errors import HmsconfError
from hmsconf.plan.access import AccessReport, TemplateAccess, template_access

if TYPE_CHECKING:
    from hmsconf.plan.changes import Plan


def _pick(templates: list[TemplateAccess], only: str | None) -> list[TemplateAccess]:
    if only is None:
        return templates
    chosen = [t for t in templates if t.name == only]
    if not chosen:
        known = ", ".join(t.name for t in templates) or "none"
        raise HmsconfError(f"no template named `{only}` (templates: {known})")
    return chosen


def from_files(path: str | None, workspace: str | None, template: str | None) -> tuple[AccessReport, list[Diagnostic]]:
    from hmsconf.usecases import plan as planning

    prepared = planning.prepare(path, workspace)
    models = [template_access(t.name, t.data) for t in prepared.desired.templates.values()]
    return AccessReport(prepared.workspace, "files", _pick(models, template)), prepared.diagnostics


def from_live(path: str | None, workspace: str | None, api_url: str | None, template: str | None) -> AccessReport:
    from hmsconf.api.live import LiveWorkspace, read_live
    from hmsconf.config.project import open_project
    from hmsconf.usecases import plan as planning

    project = open_project(path, documents=False)  # only hmsconf.yaml: which workspace
    name = project.pick_workspace(workspace)

    async def read() -> "LiveWorkspace":
        async with planning.open_client_for(project, name, api_url) as client:
            return await read_live(client, None if template is None else [template])

    live = planning.run(read())
    models = [template_access(t.name, t.body, t.recordings) for t in live.templates.values()]
    return AccessReport(name, "live", _pick(models, template))


def load_plan(path: str) -> Plan:
    """A saved plan (`plan --out`), to show beside the matrices."""
    from hmsconf.plan import saved

    return saved.load(path)
