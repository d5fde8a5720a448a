"""Desired vs live -> a Plan: a value that can be rendered, saved and applied.

The plan lists, per object, a frozen Change: the field changes (old and new, secrets
masked), the risks as values (``hmsconf.plan.risks``), the effective permissions of each changed
role, the blast radius, and the fingerprint of the live object it was computed from, so that
a saved plan can refuse to run against a workspace that has moved on. The API requests apply
sends are not stored: ``requests_for`` derives them from a change, for apply and for the
renderers that list them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Collection, Iterator, Mapping

from hmsconf.api.live import (
    LiveRoom,
    LiveTemplate,
    LiveWorkspace,
    room_fingerprint,
    template_fingerprint,
)
from hmsconf.config.resolve import DesiredWorkspace, Resolved
from hmsconf.config.rules import dig
from hmsconf.model import catalogue
from hmsconf.model.calibration import CALIBRATION_NAME, Calibration
from hmsconf.model.copies import plain
from hmsconf.model.defaults import MODERATOR_POWERS
from hmsconf.model.sensitive import WRITE_ONLY, contains_write_only, url_parts
from hmsconf.plan import normalize
from hmsconf.plan.fields import FieldChange, diff, list_delta
from hmsconf.plan.risks import (
    DESTINATION_LABELS,
    RECORDING_SWITCH_LABELS,
    Risk,
    RiskCode,
)

# 2: risks are objects {code, subject, detail, text} (1: English sentences).
FORMAT_VERSION = 2


class Action(str, Enum):
    """What a change does to a live object (a str, so JSON and comparisons read the word)."""

    CREATE = "create"
    UPDATE = "update"
    DISABLE = "disable"
    ENABLE = "enable"
    UNMANAGED = "unmanaged"  # a live object no file declares: listed, never changed

    def __str__(self) -> str:
        return self.value

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)

    @property
    def symbol(self) -> str:
        return {"create": "+", "update": "~", "disable": "-", "enable": "+", "unmanaged": "?"}[self.value]


ACTIONS = tuple(a.value for a in Action)
# When more than one part of a template changes, one complete update (T4) is
# fewer requests than one per part.
WHOLE_TEMPLATE_THRESHOLD = 2
# A room code's state in a plan (room_codes.py): never the code itself.
CODE_ENABLED, CODE_DISABLED = "enabled", "disabled"


class Part(str, Enum):
    """What one API request writes (the ``part`` of a request in the JSON plan)."""

    TEMPLATE = "template"  # the whole template (create, or T4's complete update)
    ROLE = "role"
    SETTINGS = "settings"
    DESTINATIONS = "destinations"
    RECORDINGS = "recordings"
    ROOM = "room"
    ROOM_ENABLED = "room-enabled"
    ROOM_CODES = "room-codes"  # a code for every role of a room
    ROOM_CODE = "room-code"  # a code for one role
    ROOM_CODE_DISABLE = "room-code-disable"  # disable one role's codes

    def __str__(self) -> str:
        return self.value


ID = "{id}"  # in a request's path: the id of the object written, known once it exists


@dataclass(frozen=True)
class ApiRequest:
    """One request apply sends for a change. ``path`` holds ``{id}`` where the object's id
    goes; ``object_id`` fills it when the object already exists (apply knows the id of an
    object it creates)."""

    method: str
    path: str
    part: Part
    object_id: str | None = None
    role: str | None = None  # a role request: the role sent; a room-code request: the role whose code
    path_role: str | None = None  # a role request: the role's name in the path (its old name when renamed)

    @property
    def by_id(self) -> bool:
        """Does it address an existing object by id (not a create, not an upsert by name)?"""
        return ID in self.path

    @property
    def shown_path(self) -> str:
        """The path with the object's id when known, ``{id}`` where apply fills it in."""
        return self.path.replace(ID, self.object_id) if self.object_id else self.path

    def __str__(self) -> str:
        return f"{self.method} {self.shown_path}"

    def to_json(self) -> dict:
        return {"method": self.method, "path": self.shown_path, "part": self.part.value}


@dataclass(frozen=True)
class Change:
    """What the plan does to one object, built once by the planner and never changed."""

    kind: str  # Template | Room
    name: str
    action: Action
    fields: tuple[FieldChange, ...] = ()
    risks: tuple[Risk, ...] = ()
    id: str | None = None  # the live object's id; None when it is created (and in `hmsconf diff`)
    fingerprint: str | None = None
    file: str | None = None
    line: int | None = None
    unmanaged_parts: tuple[str, ...] = ()
    effective_permissions: Mapping[str, Mapping[str, bool]] = field(default_factory=dict)
    blast_radius: int | None = None
    role_changes: Mapping[str, str] = field(default_factory=dict)  # role -> added|updated|removed|renamed from `X`
    destroys: tuple[str, ...] = ()  # what --allow-destroy must allow
    protected: bool = False
    # How it is sent, decided by the planner from live state the fields do not show:
    whole_update: bool = False  # a template update sent as one complete update (T4), not part by part
    codes_at_once: bool = False  # a new room whose every role gets a code: one request makes them all

    @property
    def is_change(self) -> bool:
        return self.action != Action.UNMANAGED

    @property
    def renamed_roles(self) -> dict[str, str]:
        """New name -> old name: the renamed roles, read from their `roles.<new>.name` field change."""
        return {str(f.path[1]): f.old for f in self.fields
                if len(f.path) == 3 and f.path[0] == "roles" and f.path[2] == "name" and isinstance(f.old, str)
                and str(self.role_changes.get(str(f.path[1]), "")).startswith("renamed")}

    def to_json(self, requests: tuple[ApiRequest, ...]) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "id": self.id,
            "fields": [f.to_json() for f in self.fields],
            "risks": [r.to_json() for r in self.risks],
            "fingerprint": self.fingerprint,
            "requests": [r.to_json() for r in requests],
            "unmanaged_parts": list(self.unmanaged_parts),
            "effective_permissions": self.effective_permissions,
            "role_changes": self.role_changes,
            "destroys": list(self.destroys),
            "blast_radius": self.blast_radius,
            "protected": self.protected,
            "source": {"file": self.file, "line": self.line} if self.file else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        source = data.get("source") or {}
        fields = tuple(FieldChange(tuple(_split_path(f["path"])), f["old"], f["new"], f.get("sensitive", False))
                       for f in data.get("fields", []))
        role_changes = dict(data.get("role_changes", {}))
        parts = {r["part"] for r in data.get("requests", [])}  # the saved requests show how it was sent
        return cls(
            kind=data["kind"],
            name=data["name"],
            action=Action(data["action"]),
            fields=fields,
            risks=tuple(Risk.from_json(r) for r in data.get("risks", [])),
            fingerprint=data.get("fingerprint"),
            id=data.get("id"),
            unmanaged_parts=tuple(data.get("unmanaged_parts", [])),
            effective_permissions=dict(data.get("effective_permissions", {})),
            role_changes=role_changes,
            destroys=tuple(data.get("destroys", [])),
            blast_radius=data.get("blast_radius"),
            protected=bool(data.get("protected", False)),
            file=source.get("file"),
            line=source.get("line"),
            whole_update=data["action"] == Action.UPDATE and Part.TEMPLATE.value in parts,
            codes_at_once=Part.ROOM_CODES.value in parts,
        )


def _split_path(dotted: str) -> list:
    import re

    out: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        out.append(int(index) if index else name)
    return out


@dataclass
class Plan:
    workspace: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manual_steps: list[str] = field(default_factory=list)
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    desired_fingerprint: str = ""
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    project: str | None = None
    base: str | None = None  # `hmsconf diff`: the git revision the working tree is compared with
    targets: list[str] | None = None  # a partial plan (--target): only these objects were read and compared

    @property
    def has_changes(self) -> bool:
        return any(c.is_change for c in self.changes)

    def requests_of(self, change: Change) -> tuple[ApiRequest, ...]:
        """What apply sends for ``change``; nothing for a diff between two revisions of the files."""
        return () if self.base is not None else requests_for(change)

    def counts(self) -> dict[str, int]:
        out = {action: 0 for action in ACTIONS}
        for change in self.changes:
            out[change.action] += 1
        return out

    def summary(self) -> str:
        counts = self.counts()
        if not self.has_changes:
            if self.base is not None:
                return f"No changes between `{self.base}` and the working tree."
            if self.targets is not None:
                return "No changes in the targeted objects (partial plan)."
            return "No changes. The workspace matches the configuration."
        parts = [
            f"{counts['create']} to create",
            f"{counts['update']} to update",
            f"{counts['disable']} to disable",
        ]
        if counts["enable"]:
            parts.append(f"{counts['enable']} to enable")
        head = f"Diff `{self.base}` → working tree: " if self.base is not None else "Plan: "
        return head + ", ".join(parts) + "."

    def to_json(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "workspace": self.workspace,
            "created_at": self.created_at,
            "project": self.project,
            "summary": self.counts(),
            "changes": [c.to_json(self.requests_of(c)) for c in self.changes],
            "warnings": self.warnings,
            "manual_steps": self.manual_steps,
            "salt": self.salt,
            "desired_fingerprint": self.desired_fingerprint,
            "targets": self.targets,
            **({"base": self.base} if self.base is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
        """A Plan from JSON that hmsconf.plan.saved has checked."""
        return cls(
            workspace=data["workspace"],
            changes=[Change.from_json(c) for c in data.get("changes", [])],
            warnings=list(data.get("warnings", [])),
            manual_steps=list(data.get("manual_steps", [])),
            salt=data["salt"],
            desired_fingerprint=data.get("desired_fingerprint", ""),
            created_at=data.get("created_at", ""),
            project=data.get("project"),
            targets=list(data["targets"]) if isinstance(data.get("targets"), list) else None,
        )


# --- the requests of a change ---------------------------------------------------------------


def requests_for(change: Change) -> tuple[ApiRequest, ...]:
    """The requests apply sends for ``change``, in order (the one place that knows them)."""
    if not change.is_change:
        return ()
    if change.kind == "Template":
        return _template_requests(change)
    return (*_room_requests(change), *_room_code_requests(change))


def _template_requests(change: Change) -> tuple[ApiRequest, ...]:
    tid = change.id
    touched = {f.path[0] for f in change.fields}
    if change.action == Action.CREATE:
        created = [ApiRequest("POST", "/templates", Part.TEMPLATE)]
        if "recordings" not in change.unmanaged_parts:
            created.append(ApiRequest("POST", f"/templates/{ID}/recordings", Part.RECORDINGS))
        return tuple(created)
    requests: list[ApiRequest] = []
    if change.whole_update:
        requests.append(ApiRequest("POST", f"/templates/{ID}", Part.TEMPLATE, tid))
    else:  # the fewest requests: one sub-resource endpoint per part
        for role, kind in change.role_changes.items():
            live_name = change.renamed_roles.get(role, role)
            method = "DELETE" if kind == "removed" else "POST"
            requests.append(ApiRequest(method, f"/templates/{ID}/roles/{live_name}", Part.ROLE, tid, role, live_name))
        for part in (Part.SETTINGS, Part.DESTINATIONS):
            if part.value in touched:
                requests.append(ApiRequest("POST", f"/templates/{ID}/{part.value}", part, tid))
    if "recordings" in touched:
        requests.append(ApiRequest("POST", f"/templates/{ID}/recordings", Part.RECORDINGS, tid))
    return tuple(requests)


def _room_requests(change: Change) -> list[ApiRequest]:
    enabled = next((f.new for f in change.fields if f.path == ("enabled",)), None)
    touched = {f.path[0] for f in change.fields} - {"room_codes"}
    if change.action == Action.CREATE:
        created = [ApiRequest("POST", "/rooms", Part.ROOM)]
        if enabled is False:
            created.append(ApiRequest("POST", f"/rooms/{ID}", Part.ROOM_ENABLED))
        return created
    others = touched - {"enabled"}
    requests: list[ApiRequest] = []
    if "template" in others:
        # §6.2: template_id is not in the update endpoint; re-POST /rooms (upsert by name)
        requests.append(ApiRequest("POST", "/rooms", Part.ROOM))
    elif others:
        requests.append(ApiRequest("POST", f"/rooms/{ID}", Part.ROOM, change.id))
    if "enabled" in touched:
        toggle = ApiRequest("POST", f"/rooms/{ID}", Part.ROOM_ENABLED, change.id)
        # enable before other updates, disable after them
        requests = [toggle, *requests] if enabled else [*requests, toggle]
    return requests


def _room_code_requests(change: Change) -> list[ApiRequest]:
    codes = [f for f in change.fields if f.path[:1] == ("room_codes",)]
    every_role = ApiRequest("POST", f"/room-codes/room/{ID}", Part.ROOM_CODES, change.id)
    if codes and change.codes_at_once:  # (also a new room's single `room_codes` field)
        return [every_role]
    roles = [(str(f.path[1]), f.new) for f in codes if len(f.path) > 1]
    created = [ApiRequest("POST", f"/room-codes/room/{ID}/role/{role}", Part.ROOM_CODE, change.id, role)
               for role, state in roles if state == CODE_ENABLED]
    disabled = [ApiRequest("POST", "/room-codes/code", Part.ROOM_CODE_DISABLE, None, role)
                for role, state in roles if state == CODE_DISABLED]
    return [*created, *disabled]


# --- templates -------------------------------------------------------------------------


def _role_renames(desired_roles: dict, live_roles: dict) -> dict[str, str]:
    """new name -> old name, for roles that say ``renamed_from`` and can be renamed."""
    out = {}
    for name, role in desired_roles.items():
        old = role.get("renamed_from") if isinstance(role, dict) else None
        if isinstance(old, str) and old in live_roles and name not in live_roles and old not in desired_roles:
            out[name] = old
    return out


def plan_template(desired: Resolved, live: LiveTemplate | None, live_ws: LiveWorkspace, salt: str,
                  refresh_secrets: bool = False, calibration: Calibration | None = None,
                  offline: bool = False) -> tuple[Change | None, str | None]:
    """A template's change (None: nothing to do), or why it cannot be applied at all.

    ``offline``: "live" is another revision of the files (`hmsconf diff`): no live id,
    fingerprint or blast radius, and the rooms using the template are the project's."""
    body = desired.data
    parts = normalize.managed_template_parts(body)
    unmanaged = tuple(p for p in normalize.TEMPLATE_PARTS if p not in parts)
    want = normalize.template(body, body.get("recordings"), parts, calibration)
    file, line = desired.source.file, desired.source.line
    if live is None:
        permissions = _changed_permissions({}, want)
        risks = (*_template_risks(desired.name, {}, want), *_silent_stream_powers(permissions, body))
        return Change("Template", desired.name, Action.CREATE, fields=tuple(diff({}, want)), risks=risks,
                      unmanaged_parts=unmanaged, effective_permissions=permissions,
                      role_changes={name: "added" for name in want.get("roles", {})}, file=file, line=line), None
    have = normalize.template(live.body, live.recordings, parts, calibration)
    renames = _role_renames(body.get("roles") or {}, have.get("roles", {}))
    have = _renamed(have, renames)
    compared = normalize.compare("Template", want, have, calibration)
    # the renames first, the last one at the top
    fields = [FieldChange(("roles", new, "name"), old, new) for new, old in reversed(renames.items())] + diff(compared, want)
    credentials_declared = _declares_credentials(body)
    if refresh_secrets and credentials_declared and not any(f.path[:1] == ("settings",) for f in fields):
        fields.append(FieldChange(("settings", "recording", "upload", "credentials"), WRITE_ONLY, WRITE_ONLY, True))
    if not fields:
        return None, None
    role_changes = _role_change_kinds(fields, renames)
    touched = {f.path[0] for f in fields}
    # T4 overwrites everything, and the API never returns storage credentials:
    # a whole update would drop them unless the file declares the settings.
    keeps_credentials = "settings" in parts or not dig(live.body, "settings", "recording", "upload")
    one_per_part = len(role_changes) + len(touched & {"settings", "destinations"})
    # plugins and the default flag have no endpoint of their own (§2); several parts: one request beats many
    whole = bool(touched & {"plugins", "default"}) or (keeps_credentials and one_per_part >= WHOLE_TEMPLATE_THRESHOLD)
    if whole and not keeps_credentials:
        return None, (
            f"template `{desired.name}`: this change needs a whole-template update, which would drop the "
            "storage credentials the API does not return; declare `settings` (with its credentials) in the file"
        )
    rooms = live_ws.rooms_using(live.id)
    permissions = _changed_permissions(have, want, renames)
    found = [
        *([Risk(RiskCode.CREDENTIALS_SENT_AGAIN, desired.name)]
          if credentials_declared and (whole or "settings" in touched) else []),
        *_template_risks(desired.name, have, want),
        *_rooms_using(desired.name, rooms, offline),
        *_silent_stream_powers(permissions, body),
    ]
    return Change(
        "Template", desired.name, Action.UPDATE, fields=tuple(fields), risks=tuple(found),
        id=None if offline else live.id,
        fingerprint=None if offline else template_fingerprint(salt, live),
        blast_radius=None if offline else rooms,
        unmanaged_parts=unmanaged, effective_permissions=permissions, role_changes=role_changes,
        whole_update=whole,
        destroys=tuple(f"role `{r}`" for r, kind in role_changes.items() if kind == "removed"), file=file, line=line,
    ), None


def _declares_credentials(body: dict) -> bool:
    """Does the file declare a write-only secret (storage credentials, §5)?"""
    return catalogue.declares_write_only("Template", body)


def _role_change_kinds(fields: list[FieldChange], renames: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        if f.path[:1] != ("roles",) or len(f.path) < 2:
            continue
        role = str(f.path[1])
        if len(f.path) == 2 and f.old is None:
            out[role] = "added"
        elif len(f.path) == 2 and f.new is None:
            out[role] = "removed"
        elif role in renames:
            out[role] = f"renamed from `{renames[role]}`"
        else:
            out.setdefault(role, "updated")
    return out


def _renamed(have: dict, renames: dict[str, str]) -> dict:
    """The live template with its renamed roles under their new names (a copy when any is renamed):
    everything after this compares a role with the role it becomes."""
    if not renames:
        return have
    have = plain(have)
    for new, old in renames.items():
        role = have["roles"].pop(old)
        role["name"] = new
        have["roles"][new] = role
    return have


def _changed_permissions(have: dict, want: dict, renamed: Collection[str] = ()) -> dict[str, dict[str, bool]]:
    """The complete permissions of every role that is new, renamed or changes."""
    have_roles = have.get("roles", {})
    return {name: dict(role.get("permissions", {})) for name, role in want.get("roles", {}).items()
            if name in renamed or have_roles.get(name) is None or role != have_roles.get(name)}


def _template_risks(template: str, have: dict, want: dict) -> Iterator[Risk]:
    have_roles = have.get("roles", {})
    for name, role in want.get("roles", {}).items():
        before = have_roles.get(name)
        perms = role.get("permissions", {})
        old_perms = (before or {}).get("permissions", {})
        gained = tuple(p for p in MODERATOR_POWERS if perms.get(p) and not old_perms.get(p))
        if gained:
            yield Risk(RiskCode.ROLE_GAINS_POWERS if before else RiskCode.NEW_ROLE_HAS_POWERS, name, gained)
        allowed = set(role.get("publishParams", {}).get("allowed", []))
        old_allowed = set((before or {}).get("publishParams", {}).get("allowed", [])) if before else set()
        if before is not None:
            for track in ("video", "screen"):
                if track in allowed and track not in old_allowed:
                    yield Risk(RiskCode.ROLE_CAN_PUBLISH, name, (track,))
            old_max, new_max = before.get("maxPeerCount"), role.get("maxPeerCount")
            if old_max != new_max and new_max == 0:
                yield Risk(RiskCode.ROLE_PEERS_UNLIMITED, name, (old_max,))
            elif isinstance(old_max, int) and isinstance(new_max, int) and old_max > 0 and new_max > old_max:
                yield Risk(RiskCode.ROLE_PEERS_RAISED, name, (old_max, new_max))
    for name in have_roles:
        if name not in want.get("roles", {}) and "roles" in want:
            yield Risk(RiskCode.ROLE_REMOVED, name)
    if want.get("default") and not have.get("default"):
        yield Risk(RiskCode.DEFAULT_TEMPLATE, template)
    yield from _destination_risks(have.get("destinations"), want.get("destinations"))
    yield from _recording_risks(template, have, want)


def _rooms_using(template: str, rooms: int, offline: bool) -> Iterator[Risk]:
    if rooms:
        yield Risk(RiskCode.PROJECT_ROOMS_USE_TEMPLATE if offline else RiskCode.LIVE_ROOMS_USE_TEMPLATE, template, (rooms,))


# Permissions whose default is true (reference §3.5): a file that says nothing grants them.
_TRUE_BY_DEFAULT = ("browserRecording", "rtmpStreaming", "hlsStreaming")


def _silent_stream_powers(permissions: Mapping[str, Any], body: dict) -> Iterator[Risk]:
    """A new or changed role that can start recording, RTMP or HLS only because the file is silent."""
    roles = given if isinstance(given := body.get("roles"), dict) else {}
    for name in permissions:
        perms = (roles.get(name) or {}).get("permissions") if isinstance(roles.get(name), dict) else None
        silent = tuple(p for p in _TRUE_BY_DEFAULT if p not in (perms if isinstance(perms, dict) else {}))
        if silent:
            yield Risk(RiskCode.ROLE_STREAMS_BY_DEFAULT, name, silent)


def _destination_risks(have: dict | None, want: dict | None) -> Iterator[Risk]:
    if have is None or want is None:
        return
    for kind in DESTINATION_LABELS:
        for name, dest in (have.get(kind) or {}).items():
            new = (want.get(kind) or {}).get(name)
            if new is None:
                yield Risk(RiskCode.DESTINATION_REMOVED, name, (kind,))
                continue
            if dest.get("recordingEnabled") and not new.get("recordingEnabled"):
                yield Risk(RiskCode.DESTINATION_STOPS_RECORDING, name, (kind,))
            if dest.get("recording") and not new.get("recording"):
                yield Risk(RiskCode.DESTINATION_STOPS_RECORDING, name, (kind,))


def _recording_risks(template: str, have: dict, want: dict) -> Iterator[Risk]:
    if "recordings" in want and "recordings" in have:
        old = {r.get("name"): r for r in have["recordings"]}
        new = {r.get("name"): r for r in want["recordings"]}
        for name, config in old.items():
            if name not in new:
                yield Risk(RiskCode.RECORDING_CONFIG_REMOVED, str(name))
                continue
            for switch in RECORDING_SWITCH_LABELS:
                path = tuple(switch.split("."))
                if dig(config, *path) and not dig(new[name], *path):
                    yield Risk(RiskCode.RECORDING_SWITCHED_OFF, str(name), (switch,))
    old_settings, new_settings = have.get("settings"), want.get("settings")
    if old_settings and new_settings:
        old_rec, new_rec = old_settings.get("recording"), new_settings.get("recording")
        if isinstance(old_rec, dict) and not isinstance(new_rec, dict):
            yield Risk(RiskCode.RECORDINGS_TO_100MS_STORAGE, template)
        elif isinstance(old_rec, dict) and isinstance(new_rec, dict):
            old_up, new_up = old_rec.get("upload") or {}, new_rec.get("upload") or {}
            if (old_up.get("type"), old_up.get("location")) != (new_up.get("type"), new_up.get("location")):
                yield Risk(RiskCode.RECORDINGS_BUCKET_CHANGED, template)


# --- rooms ------------------------------------------------------------------------------


def plan_room(desired: Resolved, live: LiveRoom | None, live_ws: LiveWorkspace, salt: str,
              desired_templates: dict[str, Resolved], refresh_secrets: bool = False,
              calibration: Calibration | None = None, offline: bool = False) -> tuple[Change | None, str | None]:
    """A room's change, or an error message when its template cannot be found."""
    body = desired.data
    template_name = body.get("template")
    if template_name is None and body.get("template_id"):
        known = live_ws.template_by_id(body["template_id"])
        template_name = known.name if known else body["template_id"]
    if isinstance(template_name, str) and template_name not in live_ws.templates and template_name not in desired_templates:
        return None, (
            f"room `{desired.name}` uses template `{template_name}`, which is neither in the project "
            f"nor in the workspace; declare it or fix the name"
        )
    if template_name is None and live is None and not live_ws.templates and not desired_templates:
        # §6.1/§10.2.10: a room created without a template gets the workspace's default one; with none, the API answers 400
        return None, (
            f"room `{desired.name}` names no template, and the workspace has none to default to; "
            "add `template: <name>` naming a template of the project"
        )
    managed = normalize.managed_room_fields(body)
    want = normalize.room(body, template_name, managed, calibration)
    file, line = desired.source.file, desired.source.line
    if live is None:
        fields = tuple(diff({}, {k: v for k, v in want.items() if k in body or k == "template"}))
        return Change("Room", desired.name, Action.CREATE, fields=fields,
                      risks=tuple(_room_risks(desired.name, fields, {}, want)), file=file, line=line), None
    live_template = live_ws.template_by_id(live.template_id)
    have = normalize.room(live.body, live_template.name if live_template else live.template_id, managed, calibration)
    have = normalize.compare("Room", want, have, calibration)
    changed = diff(have, want)
    if refresh_secrets:
        for key in ("webhook", "recording_info"):
            if key in body and contains_write_only(want.get(key)) and not any(f.path[:1] == (key,) for f in changed):
                changed.append(FieldChange((key,), want[key], want[key], True))
    if not changed:
        return None, None
    touched = {f.path[0] for f in changed}
    action = Action.UPDATE
    if touched == {"enabled"}:
        action = Action.ENABLE if want.get("enabled") else Action.DISABLE
    disabled = want.get("enabled") is False and "enabled" in touched
    return Change(
        "Room", desired.name, action, fields=tuple(changed), risks=tuple(_room_risks(desired.name, changed, have, want)),
        id=None if offline else live.id, fingerprint=None if offline else room_fingerprint(salt, live),
        destroys=(f"room `{desired.name}` (disable)",) if disabled else (), file=file, line=line,
    ), None


def _room_risks(name: str, fields: tuple[FieldChange, ...] | list[FieldChange], have: dict, want: dict) -> Iterator[Risk]:
    if have and have.get("template") != want.get("template") and "template" in want:
        yield Risk(RiskCode.ROOM_TEMPLATE_CHANGED, name, (have.get("template"), want.get("template")))
    old_hook, new_hook = (have.get("webhook") or {}), (want.get("webhook") or {})
    if "webhook" in want and old_hook.get("url") != new_hook.get("url"):
        if not new_hook.get("url"):
            yield Risk(RiskCode.ROOM_WEBHOOK_REMOVED, name)
        elif not old_hook.get("url"):
            yield Risk(RiskCode.ROOM_WEBHOOK_ADDED, name, (str(new_hook["url"]),))
        else:
            yield Risk(RiskCode.ROOM_WEBHOOK_CHANGED, name, (str(old_hook.get("url")), str(new_hook.get("url"))))
    if have and have.get("enabled", True) and want.get("enabled") is False:
        yield Risk(RiskCode.ROOM_DISABLED, name)
    if "recording_info" in want and (not have or "recording_info" not in have or have["recording_info"] != want["recording_info"]):
        yield Risk(RiskCode.ROOM_PINS_RECORDING, name)
    if contains_write_only(want.get("recording_info")) and any(f.path[:1] == ("recording_info",) for f in fields):
        yield Risk(RiskCode.ROOM_CREDENTIALS_SENT, name)
    if have and have.get("size") != want.get("size") and isinstance(want.get("size"), int) and isinstance(have.get("size"), int):
        if want["size"] > have["size"]:
            yield Risk(RiskCode.ROOM_SIZE_RAISED, name, (have["size"], want["size"]))


# --- the whole plan ---------------------------------------------------------------------------


def desired_part(item: Resolved) -> bytes:
    """One object's share of the desired fingerprint."""
    return json.dumps([item.kind, item.name, item.data], sort_keys=True, default=str).encode()


def desired_fingerprint(salt: str, desired: DesiredWorkspace, part: Callable[[Resolved], bytes] = desired_part) -> str:
    digest = hashlib.sha256(salt.encode())
    for item in sorted(desired.objects(), key=lambda r: (r.kind, r.name)):
        digest.update(part(item))
    return "sha256:" + digest.hexdigest()[:32]


def make_plan(desired: DesiredWorkspace, live: LiveWorkspace, *, protect: dict | None = None,
              workspace_webhook: dict | None = None, refresh_secrets: bool = False, salt: str | None = None,
              calibration: Calibration | None = None, offline: bool = False,
              template_change: Callable[..., tuple[Change | None, str | None]] = plan_template,
              fingerprint_part: Callable[[Resolved], bytes] = desired_part) -> tuple[Plan, list[str]]:
    """The plan, and the errors that stop it (a room whose template exists nowhere).

    ``offline``: ``live`` is another revision of the files (`hmsconf diff`), not a workspace:
    the changes carry no live ids or fingerprints. ``template_change`` and ``fingerprint_part``
    stand in for ``plan_template`` and ``desired_part`` where plan already compared a template
    as its file loaded (hmsconf.plan.filewise)."""
    plan = Plan(desired.workspace) if salt is None else Plan(desired.workspace, salt=salt)
    errors: list[str] = []
    protect = protect or {}
    protected = {"Template": set(protect.get("templates") or []), "Room": {n.lower() for n in protect.get("rooms") or []}}
    planned: list[tuple[Change | None, str | None, Resolved]] = []
    for name, item in sorted(desired.templates.items()):
        planned.append((*template_change(item, live.templates.get(name), live, plan.salt, refresh_secrets, calibration,
                                       offline), item))
    for name, item in sorted(desired.rooms.items(), key=lambda kv: kv[0].lower()):
        planned.append((*plan_room(item, live.room(name), live, plan.salt, desired.templates, refresh_secrets,
                                   calibration, offline), item))
    for change, problem, item in planned:
        if problem:
            errors.append(f"{item.source.file}:{item.source.line}: {problem}")
        elif change:
            plan.changes.append(change)
    for index, change in enumerate(plan.changes):
        key = change.name.lower() if change.kind == "Room" else change.name
        # protection keeps apply away from live objects; creating one is not touching it
        if key in protected[change.kind] and change.action != Action.CREATE:
            plan.changes[index] = replace(change, protected=True)
            plan.warnings.append(
                f"{change.kind.lower()} `{change.name}` is protected in hmsconf.yaml: apply will refuse to change it"
            )
    declared_rooms = {n.lower() for n in desired.rooms}
    for name, tpl in sorted(live.templates.items()):
        if name not in desired.templates and name != CALIBRATION_NAME:  # hmsconf's own, never touched
            plan.changes.append(Change("Template", name, Action.UNMANAGED, id=None if offline else tpl.id))
    for key, room in sorted(live.rooms.items()):
        if key not in declared_rooms and key != CALIBRATION_NAME:
            plan.changes.append(Change("Room", room.name, Action.UNMANAGED, id=None if offline else room.id))
    if workspace_webhook:
        plan.manual_steps.append(_webhook_step(desired.workspace, workspace_webhook))
    plan.desired_fingerprint = desired_fingerprint(plan.salt, desired, fingerprint_part)
    return plan, errors


def _shown_url(url: Any) -> Any:
    """A URL from hmsconf.yaml as it may be printed: credentials in it masked (§10.4.20)."""
    return url_parts(url, stream_key=False)[0] if isinstance(url, str) else url


def _webhook_step(workspace: str, webhook: dict) -> str:
    headers = webhook.get("headers") or {}
    names = ", ".join(sorted(headers)) if isinstance(headers, dict) else ""
    extra = f" with header(s) {names} (values from your secret store)" if names else ""
    return (
        f"The workspace-level webhook can only be set in the 100ms dashboard (Developer section): "
        f"set it to {_shown_url(webhook.get('url'))}{extra} for workspace `{workspace}`."
    )


def role_delta_text(f: FieldChange) -> str | None:
    delta = list_delta(f.old, f.new)
    if delta is None:
        return None
    added, removed = delta
    bits = [f"+{v}" for v in added] + [f"-{v}" for v in removed]
    return ", ".join(bits)
