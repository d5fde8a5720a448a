"""`hmsconf calibrate`: learn a workspace's real server defaults instead of guessing them.

hmsconf's catalogue of defaults comes from the docs (reference §3, §9.8, §10.1);
where the docs disagree a default is unsettled and never compared, and any
settled one may still be wrong for one workspace, which makes a plan that
never settles. This use case writes a probe — one template named
``hmsconf-calibration`` (create is an upsert by name, §2.1; templates cannot
be deleted, so it is always the same one) with an empty role, empty settings,
each destination type and a recording config, and one room on it that is
disabled afterwards — reads both back, and compares every default the server
filled with the catalogue's. What it saw is saved as ``calibration/WORKSPACE.json``
(``model.calibration``); from then on normalisation treats those values as
settled defaults of that workspace.

Not learned, on purpose: values the server resolves per object (a room's
``auto`` region, §10.1.1), and defaults that guard access (permissions,
``maxPeerCount``, ``allowed``: §10.1.3 keeps them compared with the documented
value, so removing ``endRoom: true`` from a file still revokes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hmsconf.model import catalogue, facts
from hmsconf.model.calibration import CALIBRATION_NAME, Calibration, Learned, path_for

PROBE = "calibration"  # the role, destination and recording names inside the probe template
_MISSING = object()
# §10.1.3: defaults that guard access stay compared with the documented value, whatever a workspace fills.
_GUARDS_ACCESS = ("permissions", "maxPeerCount", "allowed")
# Fields the probe sets itself or that describe the probe, not a default.
_NOT_DEFAULTS = (facts.ReadOnly, facts.EchoesKey, facts.Deprecated, facts.Ours, facts.PassThrough, facts.AliasOf,
                 facts.Secret, facts.SecretInUrl)


def probe_template() -> dict:
    """The calibration template: an empty role, empty settings, each destination type (§3.7)
    with only what the API requires (``name``, a ``role`` where one is required, §10.3.15)."""
    return {
        "name": CALIBRATION_NAME,
        "roles": {PROBE: {}},
        "settings": {},
        "destinations": {
            "rtmpDestinations": {PROBE: {"name": PROBE}},  # no rtmpUrls: nothing to stream to
            "hlsDestinations": {PROBE: {"name": PROBE, "recording": {}}},
            "transcriptions": {PROBE: {"name": PROBE, "role": PROBE, "summary": {}}},
            "browserRecordings": {PROBE: {"name": PROBE, "role": PROBE}},
        },
        "plugins": {},
    }


def probe_recordings() -> list:
    return [{"name": PROBE, "role": PROBE}]


def probe_room(template_id: str) -> dict:
    return {"name": CALIBRATION_NAME, "template_id": template_id}


@dataclass(frozen=True)
class Row:
    """One default as the catalogue has it and as the workspace filled it."""

    kind: str
    path: tuple[str, ...]
    catalogue: Any  # the catalogue's default; _MISSING when it has none
    settled: bool
    workspace: Any  # what the server returned; _MISSING when it left the field out
    status: str  # same | confirmed | differs | not-returned | resolved | guards-access | unknown-to-catalogue

    @property
    def field(self) -> str:
        return ".".join(self.path)

    @property
    def is_difference(self) -> bool:
        return self.status in ("differs", "not-returned", "guards-access", "unknown-to-catalogue")

    @property
    def learned(self) -> bool:
        return self.status in ("same", "confirmed", "differs", "not-returned")

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "field": self.field,
            "catalogue": None if self.catalogue is _MISSING else self.catalogue, "settled": self.settled,
            "workspace": None if self.workspace is _MISSING else self.workspace,
            "returned": self.workspace is not _MISSING, "status": self.status, "learned": self.learned,
        }


@dataclass
class Calibrated:
    """What ``calibrate`` did (or, with ``dry_run``, would do)."""

    workspace: str
    file: Path
    dry_run: bool
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, body) in order
    rows: list[Row] = field(default_factory=list)
    calibration: Calibration | None = None

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if r.is_difference]

    @property
    def resolved(self) -> list[Row]:
        return [r for r in self.rows if r.status == "resolved"]

    @property
    def newly_settled(self) -> list[Row]:
        return [r for r in self.rows if r.learned and not r.settled]

    def to_json(self) -> dict:
        return {
            "format_version": 1, "workspace": self.workspace, "file": str(self.file), "dry_run": self.dry_run,
            "requests": [{"method": m, "path": p, "body": b} for m, p, b in self.requests],
            "differences": [r.to_json() for r in self.differences],
            "resolved": [r.to_json() for r in self.resolved],
            "defaults_read": len(self.rows), "newly_settled": len(self.newly_settled),
        }


# --- what the server filled -------------------------------------------------------------------


def _same(node: catalogue.Node, a: Any, b: Any) -> bool:
    if node.mark(facts.SetLike) is not None and isinstance(a, list) and isinstance(b, list):
        try:
            return sorted(set(a)) == sorted(set(b))
        except TypeError:
            return a == b
    return a == b


def _classify(kind: str, path: tuple[str, ...], node: catalogue.Node, value: Any) -> Row | None:
    default = node.default
    if default is None:
        if value is _MISSING or value is None or value in ({}, []):
            return None
        return Row(kind, path, _MISSING, False, value, "unknown-to-catalogue")
    guarded = any(part in _GUARDS_ACCESS for part in path)
    if value is _MISSING:
        if not default.echoed:
            return None  # §3.5: stored, never returned; nothing to learn
        return Row(kind, path, default.value, default.settled, value, "guards-access" if guarded else "not-returned")
    if default.matches_any:
        return Row(kind, path, default.value, default.settled, value, "resolved")
    same = _same(node, default.value, value)
    if guarded:
        return None if same else Row(kind, path, default.value, default.settled, value, "guards-access")
    status = ("same" if default.settled else "confirmed") if same else "differs"
    return Row(kind, path, default.value, default.settled, value, status)


def observe(kind: str, node: catalogue.Node, sent: Any, returned: Any, path: tuple[str, ...] = ()) -> list[Row]:
    """Every default below ``node`` that the probe left to the server, as ``returned`` shows it.

    Only items the probe sent are walked (a server may add roles of its own).
    """
    rows: list[Row] = []
    if node.star is not None:
        if isinstance(sent, dict) and isinstance(returned, dict):
            for key in sent:
                if key in returned:
                    rows += observe(kind, node.star, sent[key], returned[key], path + (catalogue.STAR,))
        elif isinstance(sent, list) and isinstance(returned, list):
            for a, b in zip(sent, returned):
                rows += observe(kind, node.star, a, b, path + (catalogue.STAR,))
        return rows
    if not isinstance(returned, dict):
        return rows
    sent = sent if isinstance(sent, dict) else {}
    for key, child, default, _ in node.fields:
        if any(child.mark(m) is not None for m in _NOT_DEFAULTS):
            continue
        value = returned.get(key, _MISSING)
        if key not in sent:  # left to the server: a default (a mapping of defaults is walked below)
            container = isinstance(default.value, dict) if default is not None else isinstance(value, dict)
            if not container and (row := _classify(kind, path + (key,), child, value)) is not None:
                rows.append(row)
        elif not isinstance(sent[key], (dict, list)):
            continue  # the probe set it
        if isinstance(value, (dict, list)) and child.children:
            rows += observe(kind, child, sent.get(key), value, path + (key,))
    return rows


def read_rows(template: dict, recordings: list, room: dict) -> list[Row]:
    """The rows of a probe's read-back: the template (with its recordings) and the room."""
    sent = probe_template()
    rows = observe("Template", catalogue.root("Template"), sent, template)
    rows += observe("Template", catalogue.known_node("Template", ("recordings",)), probe_recordings(), recordings, ("recordings",))
    # The room is disabled by calibrate itself, and upserted on later runs (§6.2): its `enabled`
    # says nothing about a new room's default.
    rows += [r for r in observe("Room", catalogue.root("Room"), probe_room(""), room) if r.path != ("enabled",)]
    return rows


def calibration_from(workspace: str, rows: list[Row]) -> Calibration:
    learned: dict[str, dict[tuple[str, ...], Learned]] = {}
    for row in rows:
        if row.learned:
            entry = Learned(returned=False) if row.workspace is _MISSING else Learned(row.workspace)
            learned.setdefault(row.kind, {})[row.path] = entry
    stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    return Calibration(workspace, learned, stamp)


# --- the use case -------------------------------------------------------------------------------


def planned_requests() -> list[tuple[str, str, Any]]:
    return [
        ("POST", "/templates", probe_template()),
        ("POST", "/templates/{id}/recordings", probe_recordings()),
        ("GET", "/templates/{id}", None),
        ("GET", "/templates/{id}/recordings", None),
        ("POST", "/rooms", probe_room("{id}")),
        ("GET", "/rooms/{room_id}", None),
        ("POST", "/rooms/{room_id}", {"enabled": False}),
    ]


async def probe(client: Any, progress: Any = None) -> tuple[dict, list, dict]:
    """Write the probe, read it back, disable the room: (template, recordings, room) as read."""
    stage = progress.stage("calibrating", 7) if progress is not None else None

    def step() -> None:
        if stage is not None:
            stage.advance(1)

    created = await client.create_template(probe_template())
    tid = created["id"]
    step()
    await client.post_recordings(tid, probe_recordings())
    step()
    template = await client.get_template(tid)
    step()
    recordings = await client.get_recordings(tid)
    step()
    room = await client.create_room(probe_room(tid))
    step()
    room = await client.get_room(room["id"])
    step()
    await client.set_room_enabled(room["id"], False)
    step()
    if stage is not None:
        stage.done()
    return template, recordings, room


def calibrate_workspace(path: str | None, workspace: str | None, api_url: str | None, dry_run: bool = False,
                        progress: Any = None) -> Calibrated:
    """Probe the workspace (unless ``dry_run``), save ``calibration/WORKSPACE.json``, return what was seen."""
    import asyncio
    import json

    from hmsconf.config.project import open_project
    from hmsconf.diagnostics import has_errors
    from hmsconf.errors import HmsconfError
    from hmsconf.usecases.plan import open_client_for

    project = open_project(path, documents=False)
    if has_errors(project.diagnostics):
        from hmsconf.errors import InvalidConfiguration

        raise InvalidConfiguration(project.diagnostics)
    name = project.pick_workspace(workspace)
    result = Calibrated(name, path_for(project.root, name), dry_run, planned_requests())
    if dry_run:
        open_client_for(project, name, api_url)  # the connection is checked, nothing is sent
        return result

    async def go() -> tuple[dict, list, dict]:
        async with open_client_for(project, name, api_url) as client:
            return await probe(client, progress)

    template, recordings, room = asyncio.run(go())
    result.rows = read_rows(template, recordings, room)
    result.calibration = calibration_from(name, result.rows)
    try:
        result.file.parent.mkdir(parents=True, exist_ok=True)
        result.file.write_text(json.dumps(result.calibration.to_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise HmsconfError(f"cannot write {result.file}: {exc.strerror}") from None
    return result
