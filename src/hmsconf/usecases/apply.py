"""`hmsconf apply` as two steps: prepare (plan, freshness, safety) and execute (re-read, write).

The command shows the prepared plan and asks for confirmation between the
two; what was shown is what gets applied, or nothing is: execute re-reads the
workspace right before writing and refuses when it moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmsconf.errors import StalePlanError, UsageError
from hmsconf.plan.apply import (
    Applier,
    ApplyResult,
    Outcome,
    SafetyThresholds,
    check_fresh,
    check_safety,
)
from hmsconf.usecases import plan as planning

if TYPE_CHECKING:
    from hmsconf.api.pacing import Pacing
    from hmsconf.plan.changes import Plan
    from hmsconf.plan.selection import Selection
    from hmsconf.progress import Progress


@dataclass(frozen=True)
class ApplyRequest:
    """What the command line asked for. ``target``: a project directory, or a plan saved with ``plan --out``."""

    target: str | None
    workspace: str | None = None
    api_url: str | None = None
    allow_destroy: bool = False
    force: bool = False
    refresh_secrets: bool = False
    selection: Selection | None = None
    pacing: Pacing | None = None

    @property
    def saved_plan_path(self) -> str | None:
        return self.target if self.target and self.target.endswith(".json") else None


@dataclass(frozen=True)
class Prepared:
    """A plan ready to be shown, confirmed and executed."""

    request: ApplyRequest
    planned: planning.Planned
    saved: Plan | None  # the saved plan this applies, checked fresh against ``plan``

    @property
    def plan(self) -> Plan:
        return self.planned.plan


def prepare(request: ApplyRequest, progress: Progress | None = None) -> Prepared:
    """Plan the workspace (a saved plan: its workspace, salt and targets), refused when the saved plan is stale."""
    saved = _read_saved(request.saved_plan_path)
    project_path, workspace, selection = request.target, request.workspace, request.selection
    if saved is not None:
        project_path, workspace = saved.project, workspace or saved.workspace
        if workspace != saved.workspace:
            raise StalePlanError(f"the plan was made for workspace `{saved.workspace}`, not `{workspace}`")
        if selection is not None:
            raise UsageError("a saved plan applies exactly what it holds: --target goes with `hmsconf plan`")
        if saved.targets is not None:
            from hmsconf.plan.selection import Selection

            selection = Selection.parse(saved.targets)
    planned = planning.plan_workspace(project_path, workspace, request.api_url, request.refresh_secrets,
                                    salt=saved.salt if saved else None, progress=progress,
                                    selection=selection, pacing=request.pacing)
    if saved is not None:
        check_fresh(saved, planned.plan)
    return Prepared(request, planned, saved)


def refuse_unsafe(prepared: Prepared) -> None:
    """Raise SafetyError for a protected object, a destroy not allowed, or too large a change."""
    planned, request = prepared.planned, prepared.request
    thresholds = SafetyThresholds.from_config(planned.project.config, request.allow_destroy, request.force)
    check_safety(planned.plan, planned.live, planned.desired, thresholds)


def execute(prepared: Prepared, progress: Progress | None = None) -> ApplyResult:
    """Re-read the workspace, refuse if it moved since ``prepared``, then send the plan's requests in order."""
    if not prepared.plan.has_changes:
        return ApplyResult(prepared.plan, Outcome())
    return ApplyResult(prepared.plan, planning.run(_execute(prepared, progress)))


async def _execute(prepared: Prepared, progress: Progress | None) -> Outcome:
    planned, request = prepared.planned, prepared.request
    project, name, plan = planned.project, planned.workspace, planned.plan
    async with planning.open_client_for(project, name, request.api_url, request.pacing) as client:
        fresh_live, fresh = await planning.plan_with(client, project, name, planned.desired, request.refresh_secrets,
                                                   salt=plan.salt, progress=progress, selection=planned.selection)
        check_fresh(plan, fresh)
        applier = Applier(client, fresh, planned.desired, fresh_live, progress=progress,
                          calibration=planning.calibration_of(project, name))
        return await applier.run()


def _read_saved(path: str | None) -> Plan | None:
    if path is None:
        return None
    from hmsconf.plan import saved

    return saved.load(path)
