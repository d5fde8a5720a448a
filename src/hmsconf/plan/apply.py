"""Plan -> API requests: safety checks first, then templates, then the rooms that use them.

Independent objects go concurrently (bounded); the requests of one object go
in the order the plan lists them. After the first failure no new write
starts; what was and was not applied is reported, and running apply again
converges, because every write here is an idempotent overwrite or upsert.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable

from hmsconf.api.live import LiveWorkspace
from hmsconf.config.resolve import DesiredWorkspace
from hmsconf.errors import HmsconfError, SafetyError, StalePlanError
from hmsconf.model import catalogue
from hmsconf.plan import normalize, readback, room_codes
from hmsconf.plan.changes import Action, ApiRequest, Change, Part, Plan, requests_for
from hmsconf.progress import NO_PROGRESS, Progress

DEFAULT_MAX_CHANGE_SHARE = 0.3
DEFAULT_MIN_OBJECTS = 10  # smaller projects are exempt from the share check, as in octoDNS
APPLY_CONCURRENCY = 8


@dataclass
class SafetyThresholds:
    """When apply refuses on its own: destroys, and the share of live objects one plan may change (octoDNS's thresholds)."""

    allow_destroy: bool = False
    force: bool = False
    max_change_share: float = DEFAULT_MAX_CHANGE_SHARE
    min_objects: int = DEFAULT_MIN_OBJECTS

    @classmethod
    def from_config(cls, config: dict, allow_destroy: bool, force: bool) -> "SafetyThresholds":
        safety = given if isinstance(given := config.get("safety"), dict) else {}
        return cls(
            allow_destroy=allow_destroy,
            force=force,
            max_change_share=float(safety.get("max_change_share", DEFAULT_MAX_CHANGE_SHARE)),
            min_objects=int(safety.get("min_objects", DEFAULT_MIN_OBJECTS)),
        )


def check_safety(plan: Plan, live: LiveWorkspace, desired: DesiredWorkspace, safety: SafetyThresholds) -> None:
    changes = [c for c in plan.changes if c.is_change]
    protected = [c for c in changes if c.protected]
    if protected:
        names = ", ".join(f"{c.kind.lower()} `{c.name}`" for c in protected)
        raise SafetyError(
            f"{names} {'is' if len(protected) == 1 else 'are'} protected in hmsconf.yaml (`protect:`); "
            "remove the protection to change it. Nothing was applied."
        )
    destroys = [d for c in changes for d in c.destroys]
    if destroys and not safety.allow_destroy:
        raise SafetyError(
            f"the plan removes or disables {', '.join(destroys)}; run again with --allow-destroy "
            "if that is intended. Nothing was applied."
        )
    managed = sum(1 for t in desired.templates if t in live.templates) + sum(
        1 for r in desired.rooms if live.room(r) is not None
    )
    if plan.targets is not None:  # a targeted plan read only its targets: measure against what the files declare
        managed = len(desired.templates) + len(desired.rooms)
    touched = sum(1 for c in changes if c.action in ("update", "disable") and c.id)
    if managed >= safety.min_objects and managed and touched / managed > safety.max_change_share and not safety.force:
        raise SafetyError(
            f"the plan changes {touched} of the {managed} live objects this project manages "
            f"({touched / managed:.0%}, above the {safety.max_change_share:.0%} limit in hmsconf.yaml `safety:`); "
            "review it and run again with --force. Nothing was applied."
        )


def check_fresh(saved: Plan, current: Plan) -> None:
    """A saved plan applies only to the workspace and files it was made from."""
    if saved.workspace != current.workspace:
        raise StalePlanError(
            f"the plan was made for workspace `{saved.workspace}`, not `{current.workspace}`; make a new plan"
        )
    now = {(c.kind, c.name.lower() if c.kind == "Room" else c.name): c for c in current.changes if c.is_change}
    then = {(c.kind, c.name.lower() if c.kind == "Room" else c.name): c for c in saved.changes if c.is_change}
    moved = []
    for key, old in then.items():
        new = now.get(key)
        if new is None or new.fingerprint != old.fingerprint or new.action != old.action:
            moved.append(f"{old.kind.lower()} `{old.name}`")
    appeared = [f"{c.kind.lower()} `{c.name}`" for key, c in now.items() if key not in then]
    if moved or appeared:
        what = ", ".join(moved + appeared)
        raise StalePlanError(
            f"the workspace changed since the plan was made ({what}); run `hmsconf plan` again. Nothing was applied."
        )
    if saved.desired_fingerprint != current.desired_fingerprint:
        raise StalePlanError(
            "the configuration files (or the environment variables they read) changed since the plan was made; "
            "run `hmsconf plan` again. Nothing was applied."
        )


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # fields the server stored differently from what was sent (readback.Inconsistency)
    inconsistent: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class ApplyResult:
    """What apply did: the plan it executed and, per request, done / failed / not run / stored differently."""

    plan: Plan
    outcome: Outcome

    @property
    def ok(self) -> bool:
        return self.outcome.ok

    def to_json(self) -> dict[str, Any]:
        outcome = self.outcome
        return {
            "applied": outcome.done,
            "failed": [{"request": r, "error": e} for r, e in outcome.failed],
            "skipped": outcome.skipped,
            "inconsistent": [item.to_json() for item in outcome.inconsistent],
            "plan": self.plan.to_json(),
        }


def _strip_role(role: Any, name: str) -> Any:
    if not isinstance(role, dict):
        return role
    return {**catalogue.outgoing("Template", role, ("roles", name)), "name": name}


def _template_body(desired: dict) -> dict:
    body = catalogue.outgoing("Template", {k: v for k, v in desired.items() if k != "recordings"})
    if isinstance(body.get("roles"), dict):
        body["roles"] = {name: {**role, "name": name} if isinstance(role, dict) else role for name, role in body["roles"].items()}
    return body


def complete_template(desired: dict, live_body: dict) -> dict:
    """The whole object for T4, which overwrites everything: live parts the files
    do not manage are sent back as they are (reference §2.1)."""
    body = catalogue.outgoing("Template", live_body)
    body.update(_template_body(desired))
    return body


class Applier:
    def __init__(self, client: Any, plan: Plan, desired: DesiredWorkspace, live: LiveWorkspace,
                 progress: Progress | None = None, concurrency: int = APPLY_CONCURRENCY, calibration: Any = None) -> None:
        """``progress`` hears of each write: n of N, the object, each result as it completes.
        ``calibration``: the workspace's learned defaults, for reading back what was written."""
        self.calibration = calibration
        self.client = client
        self.plan = plan
        self.desired = desired
        self.live = live
        self.progress = progress or NO_PROGRESS
        self.stage = self.progress.stage("applying", sum(len(requests_for(c)) for c in plan.changes))
        self.outcome = Outcome()
        self.stopped = False
        self.limit = asyncio.Semaphore(concurrency)
        self.template_ids: dict[str, str] = {name: t.id for name, t in live.templates.items()}
        self.room_ids: dict[str, str] = {}  # rooms created in this run

    async def run(self) -> Outcome:
        changes = [c for c in self.plan.changes if c.is_change]
        templates = [c for c in changes if c.kind == "Template"]
        rooms = [c for c in changes if c.kind == "Room"]
        await asyncio.gather(*(self._guarded(c, self._apply_template) for c in templates))
        await asyncio.gather(*(self._guarded(c, self._apply_room) for c in rooms))
        self.stage.done()
        return self.outcome

    async def _guarded(self, change: Change, work: Callable) -> None:
        async with self.limit:
            requests = requests_for(change)
            for index, request in enumerate(requests):
                label = f"{change.kind.lower()} `{change.name}`: {request}"
                if self.stopped:
                    self.outcome.skipped.append(label)
                    continue
                self.stage.advance(0, f"{change.kind.lower()} `{change.name}`")
                try:
                    await work(change, request)
                except HmsconfError as exc:
                    self.stopped = True
                    self.outcome.failed.append((label, str(exc)))
                    self.stage.advance(1)
                    self.progress.note(f"  FAILED   {label}: {exc}")
                    self.outcome.skipped.extend(
                        f"{change.kind.lower()} `{change.name}`: {r}" for r in requests[index + 1 :]
                    )
                    return
                self.outcome.done.append(label)
                self.stage.advance(1)
                self.progress.note(f"  applied  {label}")

    async def _apply_template(self, change: Change, request: ApiRequest) -> None:
        desired = self.desired.templates[change.name].data
        tid = self.template_ids.get(change.name)
        cal, found = self.calibration, []  # what the server stored differently (readback)
        if request.part == Part.TEMPLATE and change.action == Action.CREATE:
            body = _template_body(desired)
            created = await self.client.create_template(body)
            self.template_ids[change.name] = created["id"]
            found = readback.template(change.name, body, created, normalize.managed_template_parts(desired), cal)
        elif request.part == Part.TEMPLATE:
            live = self.live.templates[change.name]
            body = complete_template(desired, live.body)
            stored = await self.client.update_template(tid, body)
            found = readback.template(change.name, body, stored, normalize.managed_template_parts(desired), cal)
        elif request.part == Part.ROLE and request.method == "DELETE":
            await self.client.delete_role(tid, request.path_role)
        elif request.part == Part.ROLE:
            name = str(request.role)
            body = _strip_role(desired["roles"][name], name)
            stored = await self.client.put_role(tid, request.path_role, body)
            found = readback.role(change.name, name, body, stored, cal)
        elif request.part == Part.SETTINGS:
            body = catalogue.outgoing("Template", desired.get("settings") or {}, ("settings",))
            found = readback.part(change.name, "settings", body, await self.client.post_settings(tid, body), cal)
        elif request.part == Part.DESTINATIONS:
            body = catalogue.outgoing("Template", desired.get("destinations") or {}, ("destinations",))
            found = readback.part(change.name, "destinations", body, await self.client.post_destinations(tid, body), cal)
        elif request.part == Part.RECORDINGS:
            configs = desired.get("recordings") or []
            found = readback.recordings(change.name, configs, await self.client.post_recordings(self.template_ids[change.name], configs), cal)
        else:  # pragma: no cover - the planner makes no other request
            raise HmsconfError(f"internal: no way to send {request}")
        self._inconsistent(change, found)

    def _inconsistent(self, change: Change, found: list) -> None:
        from dataclasses import replace

        self.outcome.inconsistent.extend(replace(i, file=change.file, line=change.line) for i in found)

    def _room_body(self, change: Change, keys: set[str] | None) -> dict:
        desired = self.desired.rooms[change.name].data
        # the template goes as template_id, `enabled` through its own endpoint (§6.4)
        body = {k: v for k, v in catalogue.outgoing("Room", desired).items() if k not in ("template_id", "enabled")}
        if keys is not None:
            body = {k: v for k, v in body.items() if k in keys}
        return body

    def _template_id_for(self, change: Change) -> str | None:
        desired = self.desired.rooms[change.name].data
        name = desired.get("template")
        if name is None:
            return desired.get("template_id")
        if name not in self.template_ids:
            raise HmsconfError(f"room `{change.name}`: template `{name}` was not created, so the room cannot use it")
        return self.template_ids[name]

    async def _apply_room(self, change: Change, request: ApiRequest) -> None:
        desired = self.desired.rooms[change.name].data
        changed = {str(f.path[0]) for f in change.fields}
        if request.part in room_codes.PARTS:  # §7, planned by hmsconf.plan.room_codes
            await room_codes.apply_request(self.client, change.id or self.room_ids[change.name], request)
        elif request.part == Part.ROOM_ENABLED:
            room_id = change.id or self.room_ids[change.name]
            enabled = bool(desired.get("enabled", True))
            stored = await self.client.set_room_enabled(room_id, enabled)
            self._inconsistent(change, readback.room_enabled(change.name, enabled, stored))
        elif not request.by_id:  # a create, or the upsert by name that moves a room to another template
            body = {"name": change.name, **self._room_body(change, None if change.action == "create" else changed)}
            template_id = self._template_id_for(change)
            if template_id:
                body["template_id"] = template_id
            created = await self.client.create_room(body)
            self.room_ids[change.name] = created["id"]
            self._inconsistent(change, readback.room(change.name, desired, created, self.calibration))
        else:
            stored = await self.client.update_room(change.id, self._room_body(change, changed))
            self._inconsistent(change, readback.room(change.name, desired, stored, self.calibration))
