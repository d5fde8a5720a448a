"""`--target Template/NAME`, `--target Room/NAME`: plan and apply only the named objects.

Terraform's -target, for 100ms objects, and reading no more than they need:

- templates are found by paging the template list (§2.1 T2 has no name
  filter) only until every one needed is found; a targeted template's
  recordings are read when its document manages them; a template that
  changes has its live rooms counted with the rooms filter
  (``?template_id=``, §6.4) for the blast radius, and the room lists are
  not read;
- rooms are looked up by name (``?name=``, enabled first, then disabled);
  a targeted room needs its template's id, so that template is found too,
  and only read. A template the room needs that the workspace lacks is
  planned with it (as Terraform includes dependencies): the room cannot be
  created without it;
- room codes are read for the targeted rooms that manage them.

The plan says it is partial (``Plan.targets``); it lists no unmanaged
objects (nothing else was read); a saved targeted plan re-plans the same
targets when applied.
"""

from __future__ import annotations

import asyncio
import difflib
import inspect
from dataclasses import dataclass
from typing import Any, Awaitable, Iterable

from hmsconf.api.live import LiveRoom, LiveTemplate, LiveWorkspace
from hmsconf.config.resolve import DesiredWorkspace
from hmsconf.errors import HmsconfError, UnknownTarget
from hmsconf.plan import room_codes
from hmsconf.plan.changes import Plan, plan_template

KINDS = {"template": "Template", "room": "Room"}


@dataclass(frozen=True)
class Selection:
    """The objects a plan is limited to, as named on the command line (or in a saved plan)."""

    templates: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Iterable[str]) -> "Selection | None":
        """``Template/NAME`` and ``Room/NAME`` (kind in any case); None when nothing is given."""
        templates: list[str] = []
        rooms: list[str] = []
        for text in raw:
            kind, _, name = str(text).partition("/")
            known = KINDS.get(kind.strip().lower())
            if known is None or not name.strip():
                raise HmsconfError(f"--target {text!r}: expected Template/NAME or Room/NAME, e.g. --target Template/webinar")
            bucket = templates if known == "Template" else rooms
            if name.strip() not in bucket:
                bucket.append(name.strip())
        if not templates and not rooms:
            return None
        return cls(tuple(templates), tuple(rooms))

    def labels(self) -> list[str]:
        return [f"Template/{n}" for n in self.templates] + [f"Room/{n}" for n in self.rooms]


def check(selection: Selection, desired: DesiredWorkspace) -> Selection:
    """Every target named by a document of the workspace, or one error listing the
    unknown ones with a did-you-mean; room names as the files spell them (§6.1: case-insensitive)."""
    problems = []
    for name in selection.templates:
        if name not in desired.templates:
            problems.append(_unknown("Template", name, desired))
    room_names = {n.lower(): n for n in desired.rooms}
    rooms = []
    for name in selection.rooms:
        if name.lower() in room_names:
            rooms.append(room_names[name.lower()])
        else:
            problems.append(_unknown("Room", name, desired))
    if problems:
        raise UnknownTarget("\n  ".join(problems))
    return Selection(selection.templates, tuple(rooms))


def _unknown(kind: str, name: str, desired: DesiredWorkspace) -> str:
    same = desired.templates if kind == "Template" else desired.rooms
    other_kind = "Room" if kind == "Template" else "Template"
    other = desired.rooms if kind == "Template" else desired.templates
    said = f"--target {kind}/{name}: no {kind.lower()} `{name}` in the project for workspace `{desired.workspace}`"
    if name.lower() in {n.lower() for n in other}:
        return f"{said}; `{name}` is a {other_kind.lower()}: --target {other_kind}/{name}"
    close = difflib.get_close_matches(name, list(same), n=3, cutoff=0.6)
    if close:
        return f"{said}; did you mean {' or '.join(f'{kind}/{c}' for c in close)}?"
    return f"{said} (it declares {len(same)} {kind.lower()}{'s' * (len(same) != 1)})"


def _room_template(item: Any) -> tuple[str | None, str | None]:
    """(template name, template id) a room document names."""
    body = item.data
    name, tid = body.get("template"), body.get("template_id")
    return (name if isinstance(name, str) else None), (tid if isinstance(tid, str) else None)


def scope(selection: Selection, desired: DesiredWorkspace, live: LiveWorkspace) -> tuple[DesiredWorkspace, list[str]]:
    """The part of the desired workspace the plan covers, and notes on what was added to it:
    a template a targeted room needs and the workspace lacks is created with it."""
    templates = {n: desired.templates[n] for n in selection.templates}
    rooms = {n: desired.rooms[n] for n in selection.rooms}
    notes = []
    for room, item in rooms.items():
        name, _ = _room_template(item)
        if name and name in desired.templates and name not in templates and name not in live.templates:
            templates[name] = desired.templates[name]
            notes.append(f"template `{name}` is planned too: room `{room}` uses it and the workspace does not have it yet")
    return DesiredWorkspace(desired.workspace, templates, rooms, desired.presets), notes


def finish(plan: Plan, selection: Selection, notes: list[str]) -> Plan:
    """Mark the plan partial; nothing unmanaged is listed (nothing else was read)."""
    plan.changes = [c for c in plan.changes if c.is_change]
    plan.targets = selection.labels()
    plan.warnings[:0] = notes
    return plan


async def _room_named(client: Any, name: str) -> dict[str, Any] | None:
    """A room by name: enabled rooms first (§6.4: disabled ones are listed only on request)."""
    for enabled in (True, False):
        for room in await client.list_rooms(enabled, name=name):
            if str(room.get("name", "")).lower() == name.lower():  # the filter's matching is undocumented
                found: dict[str, Any] = room
                return found
    return None


async def read_selected(client: Any, selection: Selection, desired: DesiredWorkspace | Awaitable[DesiredWorkspace],
                        refresh_secrets: bool = False, progress: Any = None, calibration: Any = None) -> LiveWorkspace:
    """The live objects a plan of ``selection`` compares with, in the fewest requests.

    ``desired`` may be an awaitable (the files are still loading): the
    targeted rooms and the first template page are read meanwhile.
    ``calibration``: the workspace's, so "does this template change" is the plan's answer.
    """
    from hmsconf.progress import NO_PROGRESS

    stage = (progress or NO_PROGRESS).stage("reading the targeted objects")
    workspace = LiveWorkspace()
    pending = asyncio.ensure_future(desired) if inspect.isawaitable(desired) else None
    known: list[DesiredWorkspace] = [] if pending is not None else [desired]  # type: ignore[list-item]

    async def the_desired() -> DesiredWorkspace:
        if not known:
            known.append(await pending)  # type: ignore[misc]
        return known[0]

    async def rooms() -> None:
        found = await asyncio.gather(*(_room_named(client, name) for name in selection.rooms))
        for body in found:
            if body is not None:
                workspace.rooms[str(body.get("name", "")).lower()] = LiveRoom(body["id"], body.get("name", ""), body)
        stage.advance(1, f"rooms: {len(workspace.rooms)} of {len(selection.rooms)}")

    async def templates() -> None:
        wanted, complete = set(selection.templates), False
        pages = client.iter_templates()
        try:
            async for page in pages:
                for body in page:
                    workspace.templates[body.get("name", "")] = LiveTemplate(body["id"], body.get("name", ""), body)
                stage.advance(1, f"templates: {len(workspace.templates)}")
                if wanted <= set(workspace.templates):
                    if not complete:  # the rooms' templates are known once the files are
                        wanted |= _needed_names(await the_desired(), selection)
                        complete = True
                    if wanted <= set(workspace.templates):
                        break
        finally:
            await pages.aclose()

    try:
        await asyncio.gather(rooms(), templates())
        desired_ws = await the_desired()
        await _templates_by_id(client, workspace, desired_ws, selection)
        _keep_needed(workspace, desired_ws, selection)
        await _recordings(client, workspace, desired_ws, selection)
        await _blast_radius(client, workspace, desired_ws, selection, refresh_secrets, calibration)
        targeted_rooms = DesiredWorkspace(desired_ws.workspace, {}, {n: desired_ws.rooms[n] for n in _room_keys(desired_ws, selection)})
        await room_codes.read_states(client, workspace, targeted_rooms)
    finally:
        stage.done()
        if pending is not None and not pending.done():
            pending.cancel()
    return workspace


def _room_keys(desired: DesiredWorkspace, selection: Selection) -> list[str]:
    lower = {n.lower(): n for n in desired.rooms}
    return [lower[n.lower()] for n in selection.rooms if n.lower() in lower]


def _needed_names(desired: DesiredWorkspace, selection: Selection) -> set[str]:
    """The templates the targeted rooms name."""
    return {name for name, _ in map(_room_template, _rooms_of(desired, selection)) if name}


def _rooms_of(desired: DesiredWorkspace, selection: Selection) -> list[Any]:
    return [desired.rooms[n] for n in _room_keys(desired, selection)]


async def _templates_by_id(client: Any, workspace: LiveWorkspace, desired: DesiredWorkspace, selection: Selection) -> None:
    """Templates known only by id (a live room's, a room document's ``template_id``): one GET each."""
    from hmsconf.errors import ApiError

    ids = {room.template_id for room in workspace.rooms.values() if room.template_id}
    ids |= {tid for tid in (_room_template(i)[1] for i in _rooms_of(desired, selection)) if tid}
    missing = [tid for tid in sorted(ids) if workspace.template_by_id(tid) is None]

    async def read(tid: str) -> None:
        try:
            body = await client.get_template(tid)
        except ApiError as exc:
            if exc.status == 404:
                return  # the plan says what it can of a room whose template is gone
            raise
        workspace.templates[body.get("name", "")] = LiveTemplate(body["id"], body.get("name", ""), body)

    await asyncio.gather(*(read(tid) for tid in missing))


def _keep_needed(workspace: LiveWorkspace, desired: DesiredWorkspace, selection: Selection) -> None:
    """Drop the templates of the pages read on the way that the plan does not use."""
    needed = set(selection.templates) | _needed_names(desired, selection)
    ids = {room.template_id for room in workspace.rooms.values()} | {
        tid for tid in (_room_template(i)[1] for i in _rooms_of(desired, selection)) if tid}
    workspace.templates = {n: t for n, t in workspace.templates.items() if n in needed or t.id in ids}


async def _recordings(client: Any, workspace: LiveWorkspace, desired: DesiredWorkspace, selection: Selection) -> None:
    async def read(live: LiveTemplate) -> None:
        live.recordings = await client.get_recordings(live.id)

    managed = [workspace.templates[n] for n in selection.templates
               if n in workspace.templates and "recordings" in desired.templates[n].data]
    await asyncio.gather(*(read(live) for live in managed))


async def _blast_radius(client: Any, workspace: LiveWorkspace, desired: DesiredWorkspace, selection: Selection,
                        refresh_secrets: bool, calibration: Any) -> None:
    """How many live rooms use each targeted template that changes: counted with the
    rooms filter, as the plan says it (the room lists are not read)."""
    changing = [workspace.templates[n] for n in selection.templates if n in workspace.templates
                and plan_template(desired.templates[n], workspace.templates[n], workspace, "", refresh_secrets,
                                  calibration) != (None, None)]

    async def count(live: LiveTemplate) -> tuple[str, int]:
        return live.id, len(await client.list_rooms(True, template_id=live.id))

    workspace.set_rooms_using(dict(await asyncio.gather(*(count(live) for live in changing))))
