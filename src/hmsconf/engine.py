"""The use cases under the CLI: plan a workspace, apply a plan.

Each runs the pipeline end to end (load -> check -> resolve -> read live ->
plan -> apply) and returns values; printing and exit codes stay in the CLI.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from hmsconf.check import InvalidConfiguration, check_workspace
from hmsconf.diagnostics import Diagnostic, HmsconfError, has_errors
from hmsconf.live import LiveWorkspace, read_live
from hmsconf.plan import Plan, make_plan
from hmsconf.project import Project, open_project
from hmsconf.resolve import DesiredWorkspace


@dataclass
class Planned:
    project: Project
    workspace: str
    desired: DesiredWorkspace
    live: LiveWorkspace
    plan: Plan
    diagnostics: list[Diagnostic] = field(default_factory=list)


def prepare(path: str | None, workspace: str | None) -> tuple[Project, str, DesiredWorkspace, list[Diagnostic]]:
    """Load and check the project for one workspace; raise if it has errors."""
    from hmsconf.check import unique

    project = open_project(path)
    name = project.pick_workspace(workspace)
    desired, found = check_workspace(project, name)
    diagnostics = unique([*project.diagnostics, *found])
    if has_errors(diagnostics):
        raise InvalidConfiguration(diagnostics)
    return project, name, desired, diagnostics


def recordings_managed(desired: DesiredWorkspace) -> list[str]:
    return [name for name, item in desired.templates.items() if "recordings" in item.data]


async def plan_with(client: Any, project: Project, name: str, desired: DesiredWorkspace,
                    refresh_secrets: bool = False, salt: str | None = None) -> tuple[LiveWorkspace, Plan]:
    live = await read_live(client, recordings_managed(desired))
    entry = project.workspaces.get(name) if isinstance(project.workspaces.get(name), dict) else {}
    plan, errors = make_plan(
        desired,
        live,
        protect=project.config.get("protect") if isinstance(project.config.get("protect"), dict) else None,
        workspace_webhook=entry.get("webhook") if isinstance(entry.get("webhook"), dict) else None,
        refresh_secrets=refresh_secrets,
        salt=salt,
    )
    if errors:
        raise HmsconfError("cannot plan:\n  " + "\n  ".join(errors))
    plan.project = str(project.root)
    return live, plan


def open_client_for(project: Project, name: str, api_url: str | None) -> Any:
    from hmsconf.targets import open_client
    from hmsconf.workspace import connection_for

    return open_client(connection_for(project, name, api_url))


def run(coro: Any) -> Any:
    return asyncio.run(coro)
