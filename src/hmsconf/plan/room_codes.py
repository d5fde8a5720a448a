"""Room codes (reference §7, listed as unmanaged in §10.5): which roles of a room have an enabled
code, planned and applied.

A Room may declare ``room_codes:`` — ``true`` (an enabled code per role of its template),
``false`` (no enabled code), or ``{disabled: [role, ...]}`` (every role but these). Rooms
hmsconf creates get ``true`` when they say nothing (§7: rooms created through the API have no
codes, so Prebuilt links would not work); an existing room that says nothing is not managed.

Codes grant entry to a room, so they are secrets: the plan holds, per role, only whether an
enabled code exists (``enabled`` / ``disabled`` / none), never a code. Apply looks codes up
when it must disable them; ``hmsconf codes ROOM`` is the one place that prints them.

This module sits beside the planner: ``add_to_plan`` extends a finished Plan with the
room-code changes, ``read_states`` reads what the plan needs, ``apply_request`` sends one of
the requests ``plan.requests_for`` derives from those changes.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, Iterable

from hmsconf.api.live import LiveRoom, LiveWorkspace, fingerprint
from hmsconf.config.resolve import DesiredWorkspace, Resolved
from hmsconf.plan.changes import (
    CODE_DISABLED,
    CODE_ENABLED,
    Action,
    ApiRequest,
    Change,
    Part,
    Plan,
)
from hmsconf.plan.fields import FieldChange
from hmsconf.plan.risks import Risk, RiskCode

ENABLED, DISABLED = CODE_ENABLED, CODE_DISABLED
PARTS = (Part.ROOM_CODES, Part.ROOM_CODE, Part.ROOM_CODE_DISABLE)
READ_CONCURRENCY = 8


def wanted(room_codes: Any, roles: Iterable[str]) -> dict[str, bool]:
    """role -> whether it should have an enabled code, for the room's template roles."""
    if room_codes is False:
        return {role: False for role in roles}
    disabled = set(room_codes.get("disabled") or []) if isinstance(room_codes, dict) else set()
    return {role: role not in disabled for role in roles}


def state_of(codes: Iterable[dict]) -> dict[str, str]:
    """role -> ``enabled`` when one of its codes is enabled, else ``disabled``. No code leaves this function."""
    out: dict[str, str] = {}
    for code in codes:
        role = code.get("role")
        if isinstance(role, str):
            out[role] = ENABLED if code.get("enabled") or out.get(role) == ENABLED else DISABLED
    return out


def _declared(body: dict, live: LiveRoom | None) -> Any:
    """The room's room_codes setting, or None when codes are not managed for it."""
    if body.get("enabled") is False:
        return None  # §7: every code write on a disabled room is a 403
    if "room_codes" in body:
        return body["room_codes"]
    return True if live is None else None  # the default for rooms hmsconf creates


def rooms_to_read(desired: DesiredWorkspace, live: LiveWorkspace) -> list[LiveRoom]:
    """Live rooms whose codes the plan compares."""
    out = []
    for name, item in desired.rooms.items():
        room = live.room(name)
        if room is not None and _declared(item.data, room) is not None:
            out.append(room)
    return out


async def read_states(client: Any, live: LiveWorkspace, desired: DesiredWorkspace) -> None:
    """Fill ``live.room_codes`` (room id -> role -> state) for the rooms that manage codes."""
    from hmsconf.errors import ApiError

    limit = asyncio.Semaphore(READ_CONCURRENCY)

    async def read(room: LiveRoom) -> None:
        async with limit:
            try:
                live.room_codes[room.id] = state_of(await client.list_room_codes(room.id))
            except ApiError as exc:
                if exc.status != 403:  # §7: a disabled room answers 403; its codes stay unknown
                    raise

    await asyncio.gather(*(read(room) for room in rooms_to_read(desired, live)))


def _template_roles(body: dict, desired: DesiredWorkspace, live: LiveWorkspace, live_room: LiveRoom | None) -> list[str] | None:
    name = body.get("template")
    if isinstance(name, str):
        item = desired.templates.get(name)
        if item is not None and isinstance(item.data.get("roles"), dict):
            return list(item.data["roles"])
        template = live.templates.get(name)
    else:
        template = live.template_by_id(body.get("template_id") or (live_room.template_id if live_room else None))
    if template is None:
        return None
    roles = template.body.get("roles")
    return list(roles) if isinstance(roles, dict) else None


def plan_codes(item: Resolved, live_room: LiveRoom | None, desired: DesiredWorkspace,
               live: LiveWorkspace) -> tuple[list[FieldChange], bool]:
    """The field changes (room_codes.<role>: state) for one room, and whether one request makes
    them all (a new room whose every role gets a code)."""
    body = item.data
    setting = _declared(body, live_room)
    if setting is None or (live_room is not None and live_room.id not in live.room_codes):
        return [], False
    roles = _template_roles(body, desired, live, live_room)
    if roles is None:  # the template's roles are unknown until it exists: one code per role, as the API does
        if setting is False or live_room is not None:
            return [], False
        return [FieldChange(("room_codes",), None, "a code per role")], True
    have = live.room_codes.get(live_room.id, {}) if live_room is not None else {}
    want = wanted(setting, roles)
    for role, state in have.items():
        if role not in want and state == ENABLED:
            want[role] = False  # a code of a role the template no longer has
    fields: list[FieldChange] = []
    create: list[str] = []
    for role, enable in want.items():
        old = have.get(role)
        if enable and old != ENABLED:
            fields.append(FieldChange(("room_codes", role), old, ENABLED))
            create.append(role)
        elif not enable and old == ENABLED:
            fields.append(FieldChange(("room_codes", role), old, DISABLED))
    return fields, bool(create) and live_room is None and set(create) == set(roles)


def add_to_plan(plan: Plan, desired: DesiredWorkspace, live: LiveWorkspace, protect: dict | None = None) -> None:
    """Extend a finished plan with the room-code changes of every room that manages codes."""
    changes = {c.name.lower(): index for index, c in enumerate(plan.changes) if c.kind == "Room" and c.is_change}
    protected = {n.lower() for n in ((protect or {}).get("rooms") or []) if isinstance(n, str)}
    added = False
    for name, item in sorted(desired.rooms.items(), key=lambda kv: kv[0].lower()):
        live_room = live.room(name)
        fields, at_once = plan_codes(item, live_room, desired, live)
        index = changes.get(name.lower())
        stamp = None
        if live_room is not None and live_room.id in live.room_codes:
            stamp = fingerprint(plan.salt, live_room.body, live.room_codes[live_room.id])
            if index is not None:  # a saved plan is stale once the codes move too
                plan.changes[index] = replace(plan.changes[index], fingerprint=stamp)
        if not fields:
            _warn_unknown_disabled(plan, item, desired, live, live_room)
            continue
        enabled = tuple(str(f.path[1]) for f in fields if len(f.path) > 1 and f.new == ENABLED)
        risks = (Risk(RiskCode.ROOM_CODES_ENABLED, item.name, enabled),) if enabled and live_room is not None else ()
        if index is None:
            change = Change("Room", item.name, Action.UPDATE, id=live_room.id if live_room else None,
                            file=item.source.file, line=item.source.line, fingerprint=stamp,
                            protected=name.lower() in protected, fields=tuple(fields), risks=risks, codes_at_once=at_once)
            if change.protected:
                plan.warnings.append(f"room `{item.name}` is protected in hmsconf.yaml: apply will refuse to change it")
            plan.changes.append(change)
            added = True
        else:
            room = plan.changes[index]
            plan.changes[index] = replace(room, fields=(*room.fields, *fields), risks=(*room.risks, *risks),
                                          codes_at_once=at_once)
        _warn_unknown_disabled(plan, item, desired, live, live_room)
    if added:  # keep the plan's order: templates, then rooms by name, then the unmanaged list
        order = {"Template": 0, "Room": 1}
        plan.changes.sort(key=lambda c: (not c.is_change, order.get(c.kind, 2), c.name.lower() if c.kind == "Room" else c.name))


def _warn_unknown_disabled(plan: Plan, item: Resolved, desired: DesiredWorkspace, live: LiveWorkspace, live_room: LiveRoom | None) -> None:
    body = item.data
    roles = _template_roles(body, desired, live, live_room)
    unknown = sorted(set(_disabled_roles(body)) - set(roles or []))
    if unknown and roles is not None:
        plan.warnings.append(f"room `{item.name}`: room_codes.disabled names {', '.join(f'`{r}`' for r in unknown)}, "
                             "which is not a role of its template")


def _disabled_roles(body: dict) -> list[str]:
    setting = body.get("room_codes")
    return [r for r in (setting.get("disabled") or []) if isinstance(r, str)] if isinstance(setting, dict) else []


async def apply_request(client: Any, room_id: str, request: ApiRequest) -> None:
    """Send one room-code request of a plan."""
    if request.part == Part.ROOM_CODES:
        await client.create_room_codes(room_id)
    elif request.part == Part.ROOM_CODE:
        await client.create_room_code(room_id, request.role)
    elif request.part == Part.ROOM_CODE_DISABLE:
        for code in await client.list_room_codes(room_id, role=request.role, enabled=True):
            await client.set_room_code_enabled(code["code"], False)
    else:  # pragma: no cover - add_to_plan makes no other request
        raise ValueError(request.part)


async def codes_of(client: Any, room_name: str) -> tuple[dict, list[dict]]:
    """The room and its codes, for ``hmsconf codes``."""
    from hmsconf.errors import HmsconfError

    room = await client.find_room_by_name(room_name)
    if room is None:
        raise HmsconfError(f"no room named `{room_name}` in the workspace (names are case-insensitive)")
    return room, await client.list_room_codes(room["id"])
