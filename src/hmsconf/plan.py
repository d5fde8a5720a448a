"""Desired vs live -> a Plan: a value that can be rendered, saved and applied.

The plan lists, per object, the field changes (old and new, secrets masked),
the risks in 100ms terms, the effective permissions of each changed role, the
blast radius, the exact API requests apply will send, and the fingerprint of
the live object it was computed from, so that a saved plan can refuse to run
against a workspace that has moved on.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from enum import Enum
from datetime import datetime, timezone
from typing import Any, Callable

from hmsconf import normalize
from hmsconf.diff import FieldChange, diff, list_delta
from hmsconf.live import LiveRoom, LiveTemplate, LiveWorkspace, room_fingerprint, template_fingerprint
from hmsconf.model import catalogue
from hmsconf.model.calibration import CALIBRATION_NAME, Calibration
from hmsconf.model.defaults import MODERATOR_POWERS
from hmsconf.model.sensitive import WRITE_ONLY, contains_write_only, url_parts
from hmsconf.model.tree import plain
from hmsconf.resolve import DesiredWorkspace, Resolved, body_of

FORMAT_VERSION = 1
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


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    part: str  # template | role | settings | destinations | recordings | room | room-enabled
    target: str | None = None  # role name for role requests

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Change:
    kind: str
    name: str
    action: Action
    fields: list[FieldChange] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    id: str | None = None
    requests: list[Request] = field(default_factory=list)
    unmanaged_parts: list[str] = field(default_factory=list)
    effective_permissions: dict[str, dict[str, bool]] = field(default_factory=dict)
    blast_radius: int | None = None
    role_changes: dict[str, str] = field(default_factory=dict)  # role -> added|updated|removed|renamed from X
    destroys: list[str] = field(default_factory=list)  # what --allow-destroy must allow
    file: str | None = None
    line: int | None = None
    protected: bool = False
    blocker: str | None = None  # why this change cannot be applied at all

    @property
    def is_change(self) -> bool:
        return self.action != Action.UNMANAGED

    def to_json(self) -> dict:
        out = {
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "id": self.id,
            "fields": [f.to_json() for f in self.fields],
            "risks": self.risks,
            "fingerprint": self.fingerprint,
            "requests": [{"method": r.method, "path": r.path, "part": r.part} for r in self.requests],
            "unmanaged_parts": self.unmanaged_parts,
            "effective_permissions": self.effective_permissions,
            "role_changes": self.role_changes,
            "destroys": self.destroys,
            "blast_radius": self.blast_radius,
            "protected": self.protected,
            "source": {"file": self.file, "line": self.line} if self.file else None,
        }
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Change":
        source = data.get("source") or {}
        return cls(
            kind=data["kind"],
            name=data["name"],
            action=Action(data["action"]),
            fields=[FieldChange(tuple(_split_path(f["path"])), f["old"], f["new"], f.get("sensitive", False)) for f in data.get("fields", [])],
            risks=list(data.get("risks", [])),
            fingerprint=data.get("fingerprint"),
            id=data.get("id"),
            requests=[Request(r["method"], r["path"], r["part"]) for r in data.get("requests", [])],
            unmanaged_parts=list(data.get("unmanaged_parts", [])),
            effective_permissions=dict(data.get("effective_permissions", {})),
            role_changes=dict(data.get("role_changes", {})),
            destroys=list(data.get("destroys", [])),
            blast_radius=data.get("blast_radius"),
            protected=bool(data.get("protected", False)),
            file=source.get("file"),
            line=source.get("line"),
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

    def request_count(self) -> int:
        return sum(len(c.requests) for c in self.changes)

    def to_json(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "workspace": self.workspace,
            "created_at": self.created_at,
            "project": self.project,
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes],
            "warnings": self.warnings,
            "manual_steps": self.manual_steps,
            "salt": self.salt,
            "desired_fingerprint": self.desired_fingerprint,
            "targets": self.targets,
            **({"base": self.base} if self.base is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
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
                  refresh_secrets: bool = False, calibration: Calibration | None = None) -> Change | None:
    body = body_of(desired)
    parts = normalize.managed_template_parts(body)
    change = Change("Template", desired.name, Action.UPDATE, file=desired.source.file, line=desired.source.line)
    change.unmanaged_parts = [p for p in normalize.TEMPLATE_PARTS if p not in parts]
    want = normalize.template(body, body.get("recordings"), parts, calibration)
    if live is None:
        change.action = Action.CREATE
        change.fields = diff({}, want)
        change.role_changes = {name: "added" for name in want.get("roles", {})}
        change.requests = [Request("POST", "/templates", "template")]
        if "recordings" in parts:
            change.requests.append(Request("POST", "/templates/{id}/recordings", "recordings"))
        _template_risks(change, {}, want)
        _silent_stream_powers(change, body)
        return change
    change.id = live.id
    have = normalize.template(live.body, live.recordings, parts, calibration)
    renames = _role_renames(body.get("roles") or {}, have.get("roles", {}))
    compared = plain(have) if renames else have
    for new, old in renames.items():
        role = compared["roles"].pop(old)
        role["name"] = new
        compared["roles"][new] = role
    compared = normalize.compare("Template", want, compared, calibration)
    change.fields = diff(compared, want)
    for new, old in renames.items():
        change.fields.insert(0, FieldChange(("roles", new, "name"), old, new))
    credentials_declared = _declares_credentials(body)
    if refresh_secrets and credentials_declared and not any(f.path[:1] == ("settings",) for f in change.fields):
        change.fields.append(
            FieldChange(("settings", "recording", "upload", "credentials"), WRITE_ONLY, WRITE_ONLY, True)
        )
    if not change.fields:
        return None
    change.fingerprint = template_fingerprint(salt, live)
    change.blast_radius = live_ws.rooms_using(live.id)
    change.role_changes = _role_change_kinds(change.fields, renames)
    # T4 overwrites everything, and the API never returns storage credentials:
    # a whole update would drop them unless the file declares the settings.
    keeps_credentials = "settings" in parts or not _get(live.body, ("settings", "recording", "upload"))
    change.requests = template_requests(change, renames, whole_update_allowed=keeps_credentials)
    if not keeps_credentials and any(r.part == "template" for r in change.requests):
        change.blocker = (
            f"template `{desired.name}`: this change needs a whole-template update, which would drop the "
            "storage credentials the API does not return; declare `settings` (with its credentials) in the file"
        )
    if credentials_declared and any(r.part in ("settings", "template") for r in change.requests):
        change.risks.append("storage credentials are sent again (write-only, not comparable)")
    change.destroys = [f"role `{r}`" for r, kind in change.role_changes.items() if kind == "removed"]
    _template_risks(change, have, want, renames)
    _silent_stream_powers(change, body)
    return change


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


def template_requests(change: Change, renames: dict[str, str], whole_update_allowed: bool = True) -> list[Request]:
    """The fewest requests for an update: one sub-resource endpoint when one part
    changes, otherwise one complete template update (T4 overwrites everything)."""
    tid = change.id
    parts_changed: list[Request] = []
    for role, kind in change.role_changes.items():
        if kind == "removed":
            parts_changed.append(Request("DELETE", f"/templates/{tid}/roles/{role}", "role", role))
        elif role in renames:
            parts_changed.append(Request("POST", f"/templates/{tid}/roles/{renames[role]}", "role", role))
        else:
            parts_changed.append(Request("POST", f"/templates/{tid}/roles/{role}", "role", role))
    touched = {f.path[0] for f in change.fields}
    for part in ("settings", "destinations"):
        if part in touched:
            parts_changed.append(Request("POST", f"/templates/{tid}/{part}", part))
    if touched & {"plugins", "default"} or (whole_update_allowed and len(parts_changed) >= WHOLE_TEMPLATE_THRESHOLD):
        # plugins and the default flag have no endpoint of their own (§2); several parts: one request beats many
        requests = [Request("POST", f"/templates/{tid}", "template")]
    else:
        requests = parts_changed
    if "recordings" in touched:
        requests.append(Request("POST", f"/templates/{tid}/recordings", "recordings"))
    return requests


def _template_risks(change: Change, have: dict, want: dict, renames: dict[str, str] | None = None) -> None:
    renames = renames or {}
    risks = change.risks
    have_roles = dict(have.get("roles", {}))
    for new, old in renames.items():
        if old in have_roles:
            have_roles[new] = have_roles.pop(old)
    for name, role in want.get("roles", {}).items():
        before = have_roles.get(name)
        perms = role.get("permissions", {})
        old_perms = (before or {}).get("permissions", {})
        gained = [p for p in MODERATOR_POWERS if perms.get(p) and not old_perms.get(p)]
        if gained:
            what = ", ".join(f"`{p}`" for p in gained)
            risks.append(f"role `{name}` gains {what}" if before else f"new role `{name}` has {what}")
        allowed = set(role.get("publishParams", {}).get("allowed", []))
        old_allowed = set((before or {}).get("publishParams", {}).get("allowed", [])) if before else set()
        if before is not None:
            for track in ("video", "screen"):
                if track in allowed and track not in old_allowed:
                    risks.append(f"role `{name}` can now publish {track}")
            old_max, new_max = before.get("maxPeerCount"), role.get("maxPeerCount")
            if old_max != new_max and new_max == 0:
                risks.append(f"role `{name}` maxPeerCount becomes unlimited (was {old_max})")
            elif isinstance(old_max, int) and isinstance(new_max, int) and old_max > 0 and new_max > old_max:
                risks.append(f"role `{name}` maxPeerCount raised from {old_max} to {new_max}")
        if before is None or role != before:
            change.effective_permissions[name] = dict(perms)
    for name in have_roles:
        if name not in want.get("roles", {}) and "roles" in want:
            risks.append(f"role `{name}` is removed: peers can no longer join with it")
    if want.get("default") and not have.get("default"):
        risks.append("becomes the workspace default template: rooms created without a template_id use it")
    _destination_risks(risks, have.get("destinations"), want.get("destinations"))
    _recording_risks(risks, have, want)
    if change.blast_radius:
        rooms = f"{change.blast_radius} live room{'s' * (change.blast_radius != 1)}"
        risks.append(f"{rooms} use{'s' * (change.blast_radius == 1)} this template")


# Permissions whose default is true (reference §3.5): a file that says nothing grants them.
_TRUE_BY_DEFAULT = ("browserRecording", "rtmpStreaming", "hlsStreaming")


def _silent_stream_powers(change: Change, body: dict) -> None:
    """A new or changed role that can start recording, RTMP or HLS only because the file is silent."""
    roles = given if isinstance(given := body.get("roles"), dict) else {}
    for name in change.effective_permissions:
        perms = (roles.get(name) or {}).get("permissions") if isinstance(roles.get(name), dict) else None
        silent = [p for p in _TRUE_BY_DEFAULT if p not in (perms if isinstance(perms, dict) else {})]
        if silent:
            change.risks.append(
                f"role `{name}` can start {', '.join(f'`{p}`' for p in silent)}: the file does not say, "
                "and these default to true; write `false` to deny"
            )


_DESTINATION_LABEL = {
    "rtmpDestinations": "RTMP destination",
    "hlsDestinations": "HLS destination",
    "transcriptions": "transcription",
    "browserRecordings": "browser recording",
}


def _destination_risks(risks: list[str], have: dict | None, want: dict | None) -> None:
    if have is None or want is None:
        return
    for kind, label in _DESTINATION_LABEL.items():
        for name, dest in (have.get(kind) or {}).items():
            new = (want.get(kind) or {}).get(name)
            if new is None:
                risks.append(f"{label} `{name}` is removed")
                continue
            if dest.get("recordingEnabled") and not new.get("recordingEnabled"):
                risks.append(f"{label} `{name}` stops recording")
            if dest.get("recording") and not new.get("recording"):
                risks.append(f"{label} `{name}` stops recording")


def _recording_risks(risks: list[str], have: dict, want: dict) -> None:
    if "recordings" in want and "recordings" in have:
        old = {r.get("name"): r for r in have["recordings"]}
        new = {r.get("name"): r for r in want["recordings"]}
        for name, config in old.items():
            if name not in new:
                risks.append(f"recording config `{name}` is removed")
                continue
            for label, path in (
                ("track recording", ("trackRecording", "enabled")),
                ("stream recording", ("streamRecording", "enabled")),
                ("custom composite recording", ("compositeRecording", "customComposite", "enabled")),
                ("browser composite auto-start", ("compositeRecording", "browserComposite", "autoStart")),
            ):
                if _get(config, path) and not _get(new[name], path):
                    risks.append(f"recording config `{name}`: {label} is switched off")
    old_settings, new_settings = have.get("settings"), want.get("settings")
    if old_settings and new_settings:
        old_rec, new_rec = old_settings.get("recording"), new_settings.get("recording")
        if isinstance(old_rec, dict) and not isinstance(new_rec, dict):
            risks.append("recordings go back to 100ms storage instead of your own bucket")
        elif isinstance(old_rec, dict) and isinstance(new_rec, dict):
            old_up, new_up = old_rec.get("upload") or {}, new_rec.get("upload") or {}
            if (old_up.get("type"), old_up.get("location")) != (new_up.get("type"), new_up.get("location")):
                risks.append("recordings are uploaded to a different bucket")


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


# --- rooms ------------------------------------------------------------------------------


def plan_room(desired: Resolved, live: LiveRoom | None, live_ws: LiveWorkspace, salt: str,
              desired_templates: dict[str, Resolved], refresh_secrets: bool = False,
              calibration: Calibration | None = None) -> tuple[Change | None, str | None]:
    """A room's change, or an error message when its template cannot be found."""
    body = body_of(desired)
    change = Change("Room", desired.name, Action.UPDATE, file=desired.source.file, line=desired.source.line)
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
    fields = normalize.managed_room_fields(body)
    want = normalize.room(body, template_name, fields, calibration)
    if live is None:
        change.action = Action.CREATE
        change.fields = diff({}, {k: v for k, v in want.items() if k in body or k == "template"})
        change.requests = [Request("POST", "/rooms", "room")]
        if want.get("enabled") is False:
            change.requests.append(Request("POST", "/rooms/{id}", "room-enabled"))
        _room_risks(change, {}, want)
        return change, None
    change.id = live.id
    live_template = live_ws.template_by_id(live.template_id)
    have = normalize.room(live.body, live_template.name if live_template else live.template_id, fields, calibration)
    have = normalize.compare("Room", want, have, calibration)
    change.fields = diff(have, want)
    if refresh_secrets:
        for key in ("webhook", "recording_info"):
            if key in body and contains_write_only(want.get(key)) and not any(f.path[:1] == (key,) for f in change.fields):
                change.fields.append(FieldChange((key,), want[key], want[key], True))
    if not change.fields:
        return None, None
    change.fingerprint = room_fingerprint(salt, live)
    touched = {f.path[0] for f in change.fields}
    others = touched - {"enabled"}
    if "enabled" in touched and not others:
        change.action = Action.ENABLE if want.get("enabled") else Action.DISABLE
    requests: list[Request] = []
    if "template" in others:
        # §6.2: template_id is not in the update endpoint; re-POST /rooms (upsert by name)
        requests.append(Request("POST", "/rooms", "room"))
    elif others:
        requests.append(Request("POST", f"/rooms/{live.id}", "room"))
    if "enabled" in touched:
        toggle = Request("POST", f"/rooms/{live.id}", "room-enabled")
        # enable before other updates, disable after them
        requests = [toggle, *requests] if want.get("enabled") else [*requests, toggle]
    change.requests = requests
    if want.get("enabled") is False and "enabled" in touched:
        change.destroys.append(f"room `{desired.name}` (disable)")
    _room_risks(change, have, want)
    return change, None


def _room_risks(change: Change, have: dict, want: dict) -> None:
    risks = change.risks
    name = change.name
    if have and have.get("template") != want.get("template") and "template" in want:
        risks.append(f"room `{name}` moves from template `{have.get('template')}` to `{want.get('template')}`")
    old_hook, new_hook = (have.get("webhook") or {}), (want.get("webhook") or {})
    if "webhook" in want and old_hook.get("url") != new_hook.get("url"):
        if not new_hook.get("url"):
            risks.append(f"room `{name}` stops sending its own webhooks (the workspace webhook applies)")
        elif not old_hook.get("url"):
            risks.append(f"room `{name}` sends its events to {new_hook['url']} instead of the workspace webhook")
        else:
            risks.append(f"room `{name}` webhook URL changes: {old_hook.get('url')} -> {new_hook.get('url')}")
    if have and have.get("enabled", True) and want.get("enabled") is False:
        risks.append(f"room `{name}` is disabled: nobody can join it once its current session ends")
    if "recording_info" in want and (not have or "recording_info" not in have or have["recording_info"] != want["recording_info"]):
        risks.append(
            f"room `{name}` pins its own recording settings and stops following the template's (§6.3)"
        )
    if contains_write_only(want.get("recording_info")) and any(f.path[:1] == ("recording_info",) for f in change.fields):
        risks.append(f"room `{name}`: storage credentials are sent (write-only, not comparable)")
    if have and have.get("size") != want.get("size") and isinstance(want.get("size"), int) and isinstance(have.get("size"), int):
        if want["size"] > have["size"]:
            risks.append(f"room `{name}` size raised from {have['size']} to {want['size']}")


# --- the whole plan ---------------------------------------------------------------------------


def desired_part(item: Resolved) -> bytes:
    """One object's share of the desired fingerprint."""
    return json.dumps([item.kind, item.name, body_of(item)], sort_keys=True, default=str).encode()


def desired_fingerprint(salt: str, desired: DesiredWorkspace, part: Callable[[Resolved], bytes] = desired_part) -> str:
    digest = hashlib.sha256(salt.encode())
    for item in sorted(desired.objects(), key=lambda r: (r.kind, r.name)):
        digest.update(part(item))
    return "sha256:" + digest.hexdigest()[:32]


def make_plan(desired: DesiredWorkspace, live: LiveWorkspace, *, protect: dict | None = None,
              workspace_webhook: dict | None = None, refresh_secrets: bool = False, salt: str | None = None,
              calibration: Calibration | None = None,
              template_change: Callable[..., Change | None] = plan_template,
              fingerprint_part: Callable[[Resolved], bytes] = desired_part) -> tuple[Plan, list[str]]:
    """The plan, and the errors that stop it (a room whose template exists nowhere).

    ``template_change`` and ``fingerprint_part`` stand in for ``plan_template`` and
    ``desired_part`` where plan already compared a template as its file loaded (hmsconf.filewise)."""
    plan = Plan(desired.workspace) if salt is None else Plan(desired.workspace, salt=salt)
    errors: list[str] = []
    protect = protect or {}
    protected = {"Template": set(protect.get("templates") or []), "Room": {n.lower() for n in protect.get("rooms") or []}}
    for name, item in sorted(desired.templates.items()):
        change = template_change(item, live.templates.get(name), live, plan.salt, refresh_secrets, calibration)
        if change and change.blocker:
            errors.append(f"{item.source.file}:{item.source.line}: {change.blocker}")
        elif change:
            plan.changes.append(change)
    for name, item in sorted(desired.rooms.items(), key=lambda kv: kv[0].lower()):
        change, problem = plan_room(item, live.room(name), live, plan.salt, desired.templates, refresh_secrets, calibration)
        if problem:
            errors.append(f"{item.source.file}:{item.source.line}: {problem}")
        elif change:
            plan.changes.append(change)
    for change in plan.changes:
        key = change.name.lower() if change.kind == "Room" else change.name
        # protection keeps apply away from live objects; creating one is not touching it
        if key in protected[change.kind] and change.action != "create":
            change.protected = True
            plan.warnings.append(
                f"{change.kind.lower()} `{change.name}` is protected in hmsconf.yaml: apply will refuse to change it"
            )
    declared_rooms = {n.lower() for n in desired.rooms}
    for name, tpl in sorted(live.templates.items()):
        if name not in desired.templates and name != CALIBRATION_NAME:  # hmsconf's own, never touched
            plan.changes.append(Change("Template", name, Action.UNMANAGED, id=tpl.id))
    for key, room in sorted(live.rooms.items()):
        if key not in declared_rooms and key != CALIBRATION_NAME:
            plan.changes.append(Change("Room", room.name, Action.UNMANAGED, id=room.id))
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


def list_changes(plan: Plan) -> list[Change]:
    return [c for c in plan.changes if c.is_change]


def role_delta_text(f: FieldChange) -> str | None:
    delta = list_delta(f.old, f.new)
    if delta is None:
        return None
    added, removed = delta
    bits = [f"+{v}" for v in added] + [f"-{v}" for v in removed]
    return ", ".join(bits)
