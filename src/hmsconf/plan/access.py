"""Who can do what, who sees whom, and where the media goes: a template's access model.

A reviewer of a 100ms template does not want its YAML; they ask "who can end the
room, who may share a screen, who sees whom, where does the stream go". This
module answers from a template body (the resolved files, or a live template) as
plain values that `hmsconf show` draws in every format, and, from a Plan value
alone, how a change moves the permission matrix and the subscribe graph (the
plan and diff Markdown).

Values the file leaves out are shown as the server's default and marked as such
(``Value.declared`` false): for video and screen sizes those defaults are
unsettled (reference §9.8, §10.1), so they must never read as facts.
Secrets never enter the model: an RTMP URL is kept as its host alone (§10.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlsplit

# The one place this module learns the server's defaults and which of them are settled.
from hmsconf.model import catalogue
from hmsconf.model.defaults import (
    MODERATOR_POWERS,
    PERMISSION_DEFAULTS,
    effective_permissions,
)
from hmsconf.model.sensitive import Sensitive

# Moderator powers first, then the rest in the reference's order (§3.5).
PERMISSIONS: tuple[str, ...] = (*MODERATOR_POWERS, *(p for p in PERMISSION_DEFAULTS if p not in MODERATOR_POWERS))
TRACKS = ("audio", "video", "screen")
_TRACK_FIELDS = {"audio": ("bitRate",), "video": ("width", "height", "frameRate", "bitRate"),
                 "screen": ("width", "height", "frameRate", "bitRate")}
_ROLE = ("roles", catalogue.STAR)


def _role_default(*path: str) -> tuple[Any, bool]:
    """(the server's default for a role field, whether the reference settles it)."""
    every: Any = catalogue.defaults("Template", _ROLE)
    settled: Any = catalogue.defaults("Template", _ROLE, settled_only=True)
    for key in path:
        every = every.get(key) if isinstance(every, dict) else None
        settled = settled.get(key) if isinstance(settled, dict) else None
    return every, settled is not None


SENSITIVE = "(sensitive)"


@dataclass(frozen=True)
class Value:
    """A value, whether the template says it, and if not whether the server's default is settled.

    ``declared`` false: the server's default stands in, not a fact; ``settled``
    false besides: the reference disagrees with itself or says nothing (§9.8,
    §10.1), so the server may fill something else.
    """

    value: Any
    declared: bool = True
    settled: bool = True

    def to_json(self) -> dict:
        return {"value": self.value, "declared": self.declared, "settled": self.settled}


def _value(mapping: Any, key: str, *path: str) -> Value:
    if isinstance(mapping, dict) and mapping.get(key) is not None:
        return Value(mapping[key], True)
    default, settled = _role_default(*path, key)
    return Value(default, False, settled)


@dataclass
class Track:
    kind: str
    allowed: bool
    settings: dict[str, Value] = field(default_factory=dict)  # width, height, frameRate, bitRate

    def to_json(self) -> dict:
        return {"allowed": self.allowed, **{k: v.to_json() for k, v in self.settings.items()}}


@dataclass
class RoleAccess:
    name: str
    permissions: dict[str, bool]
    max_peer_count: Value
    priority: Value
    allowed: Value
    tracks: dict[str, Track]
    simulcast: list[dict]  # video layers: rid, scaleResolutionDownBy, maxBitrate, maxFramerate
    subscribes: list[str]

    @property
    def publishes(self) -> bool:
        return any(t.allowed for t in self.tracks.values())

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "permissions": self.permissions,
            "maxPeerCount": self.max_peer_count.to_json(),
            "priority": self.priority.to_json(),
            "publish": {
                "allowed": self.allowed.to_json(),
                **{kind: track.to_json() for kind, track in self.tracks.items()},
                "simulcast": self.simulcast,
            },
            "subscribeToRoles": self.subscribes,
        }


@dataclass
class Destination:
    kind: str  # rtmp | hls | recording | transcription | browserRecording
    name: str
    role: str | None = None  # the recorder (or transcribed) role
    hosts: list[str] = field(default_factory=list)  # RTMP: hosts only, never a path or key
    details: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "role": self.role, "hosts": self.hosts, "details": self.details}


@dataclass
class TemplateAccess:
    name: str
    roles: list[RoleAccess]
    destinations: list[Destination]

    @property
    def role_names(self) -> list[str]:
        return [r.name for r in self.roles]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(subscriber, publisher): the subscriber sees and hears the publisher."""
        return [(r.name, target) for r in self.roles for target in r.subscribes]

    @property
    def unknown_roles(self) -> list[str]:
        """Names in subscribeToRoles that are no role of the template."""
        names = set(self.role_names)
        return sorted({t for _, t in self.edges if t not in names})

    @property
    def unseen(self) -> list[str]:
        """Roles no role subscribes to."""
        seen = {t for _, t in self.edges}
        return [r for r in self.role_names if r not in seen]

    @property
    def blind(self) -> list[str]:
        """Roles that subscribe to no role."""
        return [r.name for r in self.roles if not r.subscribes]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "roles": [r.to_json() for r in self.roles],
            "subscribe_graph": {
                "edges": [{"from": a, "to": b} for a, b in self.edges],
                "nobody_sees": self.unseen,
                "sees_nobody": self.blind,
                "unknown_roles": self.unknown_roles,
            },
            "destinations": [d.to_json() for d in self.destinations],
        }


def _effective(role: Any) -> dict[str, bool]:
    """Every permission flag with its default applied (a body of the wrong shape grants nothing extra)."""
    perms = role.get("permissions") if isinstance(role, dict) else None
    return effective_permissions({"permissions": perms if isinstance(perms, dict) else {}})


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def role_access(name: str, role: Any) -> RoleAccess:
    role = role if isinstance(role, dict) else {}
    pub = given if isinstance(given := role.get("publishParams"), dict) else {}
    sub = given if isinstance(given := role.get("subscribeParams"), dict) else {}
    allowed = _value(pub, "allowed", "publishParams")
    allowed_set = set(_strings(allowed.value))
    tracks = {}
    for kind in TRACKS:
        params = given if isinstance(given := pub.get(kind), dict) else {}
        tracks[kind] = Track(kind, kind in allowed_set, {k: _value(params, k, "publishParams", kind) for k in _TRACK_FIELDS[kind]})
    simulcast = given if isinstance(given := pub.get("simulcast"), dict) else {}
    video_layers = (simulcast.get("video") or {}) if isinstance(simulcast.get("video"), dict) else {}
    layers = [dict(layer) for layer in video_layers.get("layers") or [] if isinstance(layer, dict)]
    return RoleAccess(
        name=name,
        permissions={p: _effective(role)[p] for p in PERMISSIONS},
        max_peer_count=_value(role, "maxPeerCount"),
        priority=_value(role, "priority"),
        allowed=allowed,
        tracks=tracks,
        simulcast=layers if "simulcast" in allowed_set or layers else [],
        subscribes=list(dict.fromkeys(_strings(sub.get("subscribeToRoles")))),
    )


def rtmp_host(url: Any) -> str:
    """The host (and port) of an RTMP URL, and nothing after it: the stream key is secret."""
    if isinstance(url, Sensitive):  # a marked URL shows its host and masks the rest
        url = url.shown
    if not isinstance(url, str):
        return SENSITIVE
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "(not a URL)"
    if not host:
        return "(not a URL)"
    return f"{host}:{port}" if port else host


def _size(item: dict) -> str | None:
    width, height = item.get("width"), item.get("height")
    return f"{width}×{height}" if width or height else None


def _layer_text(layer: Any) -> str:
    if not isinstance(layer, dict):
        return "?"
    bits = [_size(layer) or "any size"]
    rates = [f"{layer[k]}" for k in ("videoBitrate", "audioBitrate") if layer.get(k) is not None]
    if rates:
        bits.append("/".join(rates) + " kbps")
    return " ".join(bits)


def _items(section: Any) -> Iterable[tuple[str, dict]]:
    if isinstance(section, dict):
        for name, item in section.items():
            yield str(name), item if isinstance(item, dict) else {}


def destinations_of(body: dict, recordings: Any) -> list[Destination]:
    out: list[Destination] = []
    dest = given if isinstance(given := body.get("destinations"), dict) else {}
    for name, item in _items(dest.get("rtmpDestinations")):
        urls = given if isinstance(given := item.get("rtmpUrls"), list) else []
        details = [d for d in (_size(item),) if d]
        if item.get("recordingEnabled"):
            details.append("also recorded")
        out.append(Destination("rtmp", name, None, list(dict.fromkeys(rtmp_host(u) for u in urls)), details))
    for name, item in _items(dest.get("hlsDestinations")):
        layers = given if isinstance(given := item.get("layers"), list) else []
        details = [f"layers: {', '.join(_layer_text(layer) for layer in layers)}" if layers else "layers: server default"]
        if item.get("playlistType"):
            details.append(f"playlist: {item['playlistType']}")
        rec = given if isinstance(given := item.get("recording"), dict) else None
        if rec is not None:
            kinds = [k for k in ("hlsVod", "singleFilePerLayer", "enableZipUpload") if rec.get(k)]
            rec_layers = given if isinstance(given := rec.get("layers"), list) else None
            which = ", ".join(_layer_text(layer) for layer in rec_layers) if rec_layers else "all layers"
            details.append(f"recorded ({', '.join(kinds) or 'recording'}): {which}")
        out.append(Destination("hls", name, item.get("role") if isinstance(item.get("role"), str) else None, [], details))
    for config in recordings if isinstance(recordings, list) else []:
        if not isinstance(config, dict):
            continue
        details = []
        composite = given if isinstance(given := config.get("compositeRecording"), dict) else {}
        browser = given if isinstance(given := composite.get("browserComposite"), dict) else None
        if browser is not None:
            bits = ["browser composite", _size(browser), "auto start" if browser.get("autoStart") else "started by API"]
            details.append(" ".join(b for b in bits if b))
        for label, node in (("custom composite", (composite.get("customComposite") or {})),
                            ("per-track", config.get("trackRecording") or {}), ("per-peer stream", config.get("streamRecording") or {})):
            if isinstance(node, dict) and node.get("enabled"):
                details.append(label)
        role = config.get("role") if isinstance(config.get("role"), str) else None
        out.append(Destination("recording", str(config.get("name", "")), role, [], details))
    for name, item in _items(dest.get("transcriptions")):
        details = [f"modes: {', '.join(_strings(item.get('modes'))) or 'default'}"]
        if _strings(item.get("outputModes")):
            details.append(f"outputs: {', '.join(_strings(item.get('outputModes')))}")
        summary = given if isinstance(given := item.get("summary"), dict) else {}
        if summary.get("enabled") or summary.get("enable"):
            details.append("AI summary")
        out.append(Destination("transcription", name, item.get("role") if isinstance(item.get("role"), str) else None, [], details))
    for name, item in _items(dest.get("browserRecordings")):
        details = [d for d in (_size(item), "auto start" if item.get("autoStart") else None) if d] + ["deprecated"]
        out.append(Destination("browserRecording", name, item.get("role") if isinstance(item.get("role"), str) else None, [], details))
    return out


@dataclass
class AccessReport:
    """What `hmsconf show` draws: the templates of one workspace, from the files or live."""

    workspace: str
    source: str  # "files" or "live"
    templates: list[TemplateAccess]
    plan: Any = None  # a Plan, with --plan

    def to_json(self) -> dict:
        return {"format_version": 1, "workspace": self.workspace, "source": self.source,
                "templates": [t.to_json() for t in self.templates]}


def template_access(name: str, body: dict, recordings: Any = None) -> TemplateAccess:
    """The access model of one template body (resolved file or live response)."""
    roles = given if isinstance(given := body.get("roles"), dict) else {}
    if recordings is None:
        recordings = body.get("recordings")
    return TemplateAccess(name, [role_access(str(n), r) for n, r in roles.items()], destinations_of(body, recordings))


# -- how a plan's change moves the matrix and the graph ----------------------------------------

ROW_COLUMNS: tuple[str, ...] = (*PERMISSIONS, "maxPeerCount", "priority")


@dataclass
class RowChange:
    """One role's matrix row before and after (None: the role does not exist on that side)."""

    role: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def changed(self, column: str) -> bool:
        return (self.before or {}).get(column) != (self.after or {}).get(column) or (self.before is None) != (self.after is None)

    def gained(self, column: str) -> bool:
        return column in PERMISSIONS and bool((self.after or {}).get(column)) and not (self.before or {}).get(column)


@dataclass
class AccessDelta:
    rows: list[RowChange]
    added_edges: list[tuple[str, str]]
    removed_edges: list[tuple[str, str]]

    @property
    def columns(self) -> list[str]:
        return [c for c in ROW_COLUMNS if any(r.changed(c) for r in self.rows)]

    def __bool__(self) -> bool:
        return bool(self.rows or self.added_edges or self.removed_edges)


def _row_of(role: Any) -> dict[str, Any]:
    role = role if isinstance(role, dict) else {}
    row: dict[str, Any] = dict(_effective(role))
    for key in ("maxPeerCount", "priority"):
        if key in role:
            row[key] = role[key]
    return row


def _subscribes(role: Any) -> list[str]:
    sub = role.get("subscribeParams") if isinstance(role, dict) else None
    return _strings(sub.get("subscribeToRoles")) if isinstance(sub, dict) else []


def delta_of(change: Any) -> AccessDelta:
    """From a plan Change alone (a saved plan renders the same): rows and edges that move.

    Reads the change's field list: a whole role added or removed (or all roles,
    for a new template) carries the role; an update carries the leaves that
    changed, and ``effective_permissions`` the complete permissions after it.
    """
    if getattr(change, "kind", None) != "Template":
        return AccessDelta([], [], [])
    before: dict[str, dict | None] = {}
    after: dict[str, dict | None] = {}
    added: list[tuple[str, str]] = []
    removed: list[tuple[str, str]] = []

    def whole(name: str, old: Any, new: Any) -> None:
        before[name] = _row_of(old) if old is not None else None
        after[name] = _row_of(new) if new is not None else None
        added.extend((name, t) for t in _subscribes(new))
        removed.extend((name, t) for t in _subscribes(old))

    for f in change.fields:
        path = tuple(f.path)
        if path == ("roles",):
            for name in dict.fromkeys([*(f.new or {}), *(f.old or {})]):
                whole(str(name), (f.old or {}).get(name), (f.new or {}).get(name))
        elif len(path) == 2 and path[0] == "roles":
            whole(str(path[1]), f.old, f.new)
        elif len(path) >= 3 and path[0] == "roles":
            name, rest = str(path[1]), path[2:]
            if rest[0] in ("permissions", "maxPeerCount", "priority"):
                current = dict(PERMISSION_DEFAULTS) | dict(change.effective_permissions.get(name) or {})
                old_row, new_row = before.setdefault(name, dict(current)), after.setdefault(name, current)
                if old_row is None or new_row is None:
                    continue
                if rest[0] == "permissions" and len(rest) == 1:
                    old_row.update(_effective({"permissions": f.old}))
                    new_row.update(_effective({"permissions": f.new}))
                elif rest[0] == "permissions" and len(rest) == 2 and rest[1] in PERMISSION_DEFAULTS:
                    old_row[rest[1]] = PERMISSION_DEFAULTS[rest[1]] if f.old is None else bool(f.old)
                    new_row[rest[1]] = PERMISSION_DEFAULTS[rest[1]] if f.new is None else bool(f.new)
                elif len(rest) == 1:
                    old_row[rest[0]], new_row[rest[0]] = f.old, f.new
            elif rest in (("subscribeParams",), ("subscribeParams", "subscribeToRoles")):
                old = _subscribes({"subscribeParams": f.old}) if len(rest) == 1 else _strings(f.old)
                new = _subscribes({"subscribeParams": f.new}) if len(rest) == 1 else _strings(f.new)
                added.extend((name, t) for t in new if t not in old)
                removed.extend((name, t) for t in old if t not in new)
    rows = [RowChange(name, before.get(name), after.get(name)) for name in dict.fromkeys([*after, *before])]
    rows = [row for row in rows if any(row.changed(c) for c in ROW_COLUMNS)]
    return AccessDelta(rows, list(dict.fromkeys(added)), list(dict.fromkeys(removed)))
