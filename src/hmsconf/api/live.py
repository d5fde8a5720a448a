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
import json
import weakref
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

VOLATILE_KEYS = ("createdAt", "updatedAt", "created_at", "updated_at")


class LiveTemplate:
    """One live template. Its body is held as compressed JSON, decoded on use.

    Why: a plan holds every live template while the files load; as Python
    dicts a 20-role template takes about 110 KB, packed about 1.2 KB (5,000
    templates: 550 MB against 6 MB). Packing runs on the live reader's thread
    while the files load, so the plan is no slower (`benchmarks/bench_plan.py`).

    ``body`` is decoded once per use: while any caller still holds the decoded
    body, every ``body`` returns that same object (so a plan reading it three
    times decodes it once); when the last holder drops it, only the packed
    form is left. It is shared, so it is read-only: callers copy what they change.
    """

    __slots__ = ("id", "name", "recordings", "_packed", "_decoded")

    def __init__(self, id: str, name: str, body: dict, recordings: list | None = None) -> None:
        self.id, self.name = id, name
        self.recordings = recordings  # None: not read (not managed)
        self._packed = zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 1)
        self._decoded: weakref.ref[_Body] | None = None

    @property
    def body(self) -> dict:
        """The template as the API returned it; read-only (see the class docstring)."""
        decoded = self._decoded() if self._decoded is not None else None
        if decoded is None:
            decoded = _Body(json.loads(zlib.decompress(self._packed)))
            self._decoded = weakref.ref(decoded)
        return decoded

    def __repr__(self) -> str:
        return f"LiveTemplate(id={self.id!r}, name={self.name!r})"

    def __reduce__(self) -> tuple[Any, tuple[str, str, list | None, bytes]]:
        """Pickled packed, never decoded (plan's workers get the live lists this way: hmsconf.plan.filewise_forked)."""
        return _packed_template, (self.id, self.name, self.recordings, self._packed)


def _packed_template(id: str, name: str, recordings: list | None, packed: bytes) -> LiveTemplate:
    live = LiveTemplate.__new__(LiveTemplate)
    live.id, live.name, live.recordings, live._packed, live._decoded = id, name, recordings, packed, None
    return live


class _Body(dict):
    """A decoded live body: a dict that a weak reference can point at (a plain dict cannot)."""

    __slots__ = ("__weakref__",)


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
    # read only for rooms that manage codes (hmsconf.plan.room_codes)
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
        """Blast radii counted elsewhere (a targeted plan reads no room list: hmsconf.plan.selection)."""
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


async def read_live(client: Any, recordings_for: Iterable[str] | None = (), progress: Any = None) -> LiveWorkspace:
    """Everything the plan compares with, in the fewest round trips.

    ``recordings_for``: names of templates whose recordings a document
    manages; None reads the recordings of every template (export). Those
    reads start while later template pages are still on their way.
    ``progress`` (a hmsconf.progress.Progress) hears of each page and each
    recordings read.
    """
    reader = _Reader(client, progress, None if recordings_for is None else set(recordings_for))
    try:
        workspace = await reader.lists()
        return await reader.recordings(workspace)
    finally:
        reader.stages_done()


async def read_lists(client: Any, progress: Any = None) -> LiveWorkspace:
    """The template and room lists, no recordings: for a caller that learns later,
    from the files, whose recordings it needs (``read_recordings``)."""
    reader = _Reader(client, progress, set(), recordings=False)
    try:
        return await reader.lists()
    finally:
        reader.stages_done()


async def read_recordings(client: Any, workspace: LiveWorkspace, names: Iterable[str], progress: Any = None) -> LiveWorkspace:
    """Read the recordings of the named templates of ``workspace`` (those it holds) into it."""
    reader = _Reader(client, progress, set(names), lists=False)
    try:
        for live in workspace.templates.values():
            reader.start_recordings(live)
        return await reader.recordings(workspace)
    finally:
        reader.stages_done()


class _Reader:
    """One read of the live workspace: its progress stages and its recordings reads in flight."""

    def __init__(self, client: Any, progress: Any, wanted: set[str] | None, lists: bool = True,
                 recordings: bool = True) -> None:
        from hmsconf.progress import NO_PROGRESS

        progress = progress or NO_PROGRESS
        self.client = client
        self.wanted = wanted  # None: every template
        self.list_stage = progress.stage("reading the live workspace") if lists else None
        self.recordings_stage = progress.stage("reading recordings", 0) if recordings else None
        self.reads: list[asyncio.Future] = []

    async def lists(self) -> LiveWorkspace:
        """The template and room lists, in parallel; recordings reads start as templates arrive."""
        client, workspace, stage = self.client, LiveWorkspace(), self.list_stage
        assert stage is not None

        async def templates() -> None:
            async for page in client.iter_templates():
                stage.advance(1, f"templates: {len(workspace.templates) + len(page)}")
                for body in page:
                    live = LiveTemplate(body["id"], body.get("name", ""), body)
                    workspace.templates[live.name] = live
                    self.start_recordings(live)

        async def rooms() -> None:
            for body in await client.list_rooms(enabled=None):
                room = LiveRoom(body["id"], body.get("name", ""), body)
                workspace.rooms[room.name.lower()] = room
            stage.advance(1, f"rooms: {len(workspace.rooms)}")

        try:
            await asyncio.gather(templates(), rooms())
        finally:
            stage.done()
        return workspace

    def start_recordings(self, live: LiveTemplate) -> None:
        if self.wanted is None or live.name in self.wanted:
            assert self.recordings_stage is not None  # (a reader of the lists alone wants none)
            self.reads.append(asyncio.ensure_future(self._read_recordings(live)))
            self.recordings_stage.grow(len(self.reads))

    async def _read_recordings(self, live: LiveTemplate) -> None:
        live.recordings = await self.client.get_recordings(live.id)
        assert self.recordings_stage is not None
        self.recordings_stage.advance(1, f"template `{live.name}`")

    async def recordings(self, workspace: LiveWorkspace) -> LiveWorkspace:
        """Wait for every recordings read started."""
        if self.reads:
            await asyncio.gather(*self.reads)
        return workspace

    def stages_done(self) -> None:
        """(The lists' stage is over when they are.)"""
        if self.recordings_stage is not None:
            self.recordings_stage.done()
