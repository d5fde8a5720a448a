"""Live state: what the workspace holds now, read fresh through one client.

Reads only what the plan needs, and as much of it at once as the API allows:
the template list and the room lists go in parallel; a template's recordings
(reference §2.1: a template GET does not carry them) are read only when a
document manages them, and those reads start while later template pages are
still on their way.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Awaitable, Iterable

VOLATILE_KEYS = ("createdAt", "updatedAt", "created_at", "updated_at")


class LiveTemplate:
    """One live template. Its body is held as compressed JSON and decoded on use.

    A plan holds every live template while the files load; as Python dicts a
    20-role template takes about 110 KB, packed about 1.2 KB (5,000 templates:
    550 MB against 6 MB). The plan decodes each body once, to normalise it;
    packing runs on the live reader's thread while the files load, so the plan
    is no slower (`benchmarks/bench_plan.py`).
    """

    __slots__ = ("id", "name", "recordings", "_packed")

    def __init__(self, id: str, name: str, body: dict, recordings: list | None = None) -> None:
        self.id, self.name = id, name
        self.recordings = recordings  # None: not read (not managed)
        self._packed = zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 1)

    @property
    def body(self) -> dict:
        """A fresh copy on every read: callers may change it freely."""
        return json.loads(zlib.decompress(self._packed))

    def __repr__(self) -> str:
        return f"LiveTemplate(id={self.id!r}, name={self.name!r})"


@dataclass
class LiveRoom:
    id: str
    name: str
    body: dict

    @property
    def enabled(self) -> bool:
        return bool(self.body.get("enabled", True))

    @property
    def template_id(self) -> str | None:
        return self.body.get("template_id")


@dataclass
class LiveWorkspace:
    templates: dict[str, LiveTemplate] = field(default_factory=dict)
    rooms: dict[str, LiveRoom] = field(default_factory=dict)  # keyed by lower-cased name (§6.1)
    # room id -> role -> "enabled"/"disabled": whether a role has an enabled room code (§7), never the codes;
    # read only for rooms that manage codes (hmsconf.room_codes)
    room_codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rooms_per_template: Counter | None = None
        self._templates_by_id: dict[str, LiveTemplate] | None = None

    def room(self, name: str) -> LiveRoom | None:
        return self.rooms.get(name.lower())

    def template_by_id(self, template_id: str | None) -> LiveTemplate | None:
        if self._templates_by_id is None or len(self._templates_by_id) != len(self.templates):
            self._templates_by_id = {live.id: live for live in self.templates.values()}
        return self._templates_by_id.get(template_id) if template_id is not None else None

    def set_rooms_using(self, counts: dict[str, int]) -> None:
        """Blast radii counted elsewhere (a targeted plan reads no room list: hmsconf.selection)."""
        self._rooms_per_template = Counter(counts)

    def rooms_using(self, template_id: str) -> int:
        """Blast radius: live, enabled rooms on this template."""
        if self._rooms_per_template is None:
            self._rooms_per_template = Counter(r.template_id for r in self.rooms.values() if r.enabled)
        return self._rooms_per_template.get(template_id, 0)


def fingerprint(salt: str, *parts: Any) -> str:
    """A salted hash of live content: equal content, equal fingerprint; never the value."""
    digest = hashlib.sha256(salt.encode())
    for part in parts:
        digest.update(json.dumps(_stable(part), sort_keys=True, separators=(",", ":"), default=str).encode())
    return "sha256:" + digest.hexdigest()[:32]


def _stable(value: Any) -> Any:
    """Without timestamps, so a write that changed nothing does not make a plan stale.
    They sit at the top of an object (§2, §6), or of each item of a list (recordings)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_stable(v) if isinstance(v, dict) else v for v in value]
    return value


def template_fingerprint(salt: str, live: LiveTemplate) -> str:
    return fingerprint(salt, live.body, live.recordings)


def room_fingerprint(salt: str, live: LiveRoom) -> str:
    return fingerprint(salt, live.body)


async def read_live(client: Any, recordings_for: Iterable[str] | None | Awaitable[Iterable[str] | None] = (),
                    progress: Any = None) -> LiveWorkspace:
    """Everything the plan compares with, in the fewest round trips.

    ``recordings_for``: names of templates whose recordings a document
    manages; None reads the recordings of every template (export). It may be
    an awaitable, for a caller still loading the files: the lists are read
    meanwhile, the recordings once it resolves. ``progress`` (a
    hmsconf.progress.Progress) hears of each page and each recordings read.
    """
    from hmsconf.progress import NO_PROGRESS

    progress = progress or NO_PROGRESS
    lists = progress.stage("reading the live workspace")
    recordings = progress.stage("reading recordings", 0)
    pending = recordings_for if inspect.isawaitable(recordings_for) else None
    wanted = None if recordings_for is None or pending is not None else set(recordings_for)
    workspace = LiveWorkspace()
    recording_reads: list[asyncio.Future] = []

    async def read_recordings(live: LiveTemplate) -> None:
        live.recordings = await client.get_recordings(live.id)
        recordings.advance(1, f"template `{live.name}`")

    def read_recordings_of(live: LiveTemplate) -> None:
        if wanted is None or live.name in wanted:
            recording_reads.append(asyncio.ensure_future(read_recordings(live)))
            recordings.grow(len(recording_reads))

    async def templates() -> None:
        async for page in client.iter_templates():
            lists.advance(1, f"templates: {len(workspace.templates) + len(page)}")
            for body in page:
                live = LiveTemplate(body["id"], body.get("name", ""), body)
                workspace.templates[live.name] = live
                if pending is None:
                    read_recordings_of(live)

    async def rooms() -> None:
        for body in await client.list_rooms(enabled=None):
            room = LiveRoom(body["id"], body.get("name", ""), body)
            workspace.rooms[room.name.lower()] = room
        lists.advance(1, f"rooms: {len(workspace.rooms)}")

    try:
        await asyncio.gather(templates(), rooms())
    finally:
        lists.done()
    if pending is not None:
        names = await pending
        wanted = None if names is None else set(names)
        for live in workspace.templates.values():
            read_recordings_of(live)
    try:
        if recording_reads:
            await asyncio.gather(*recording_reads)
    finally:
        recordings.done()
    return workspace
