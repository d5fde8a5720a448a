"""The emulator's backend model: a 100ms workspace and what a write means for it, no HTTP in sight.

Like moto's ``models.py``: the store takes plain values, returns plain data (the
records of ``tables``, and pages of them) and raises the typed errors of
``exceptions``; what an answer looks like is ``views``', the rows on disk ``tables``'.
Every write is validated with the same rules ``hmsconf validate`` uses, on the whole
resulting object, and filled with the server defaults the model's marks declare
(``hmsconf.model.catalogue``).

Choices where the reference leaves the behaviour open (section numbers):
- §9.5: creating a template under an existing name overwrites it and keeps its id.
- §2.1/§8: renaming a template or role to a taken name is 409 "overwrite error".
- §1.5/§9.24: lists are sorted by creation (ascending ids); `start` is the last id seen.
- §2.1: a template GET does not carry recordings; they are read through their own endpoint.
- §5: credentials (objects made only of write-only secrets) are stored but left out of GET responses.
- §10.1.1: a room created without a region, or with `auto`, is stored with the resolved region `us`.
- §6.1/§10.2.10: a room created without template_id uses the workspace's default template: the one
  last written with `default: true` (setting it clears the flag elsewhere: one default per workspace,
  a guess), else the oldest template (guess: the dashboard's first template is the default); none -> 400.
- §10.3.16: a whole-template update (T4) without `roles` or `settings` is a 400.
- §10.1.4: new rooms carry `recording_info: {"enabled": false}` with `recording_source_template: true`
  until a write sends recording_info; §10.1.5: `enabled_source_template` is true, as documented.
- §6.4/§10.3.18: list-room `after`/`before` are inclusive, compared as instants.
- §7: room-code writes on a disabled room are 403; at most 100 codes per room (a 101st is 400, a guess);
  code lists page with `start` = the last code seen.
- §7: a recordings POST takes zero or one config (zero clears them).
- §6.4: template_id is not an update field; sending it is a 400.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypedDict

from hmsconf.emulator.exceptions import (
    CodeNotFound,
    IncompleteTemplate,
    InvalidBody,
    InvalidQuery,
    NameTaken,
    RoleNotFound,
    RoleRemoved,
    RoomDisabled,
    RoomNotFound,
    TemplateNotFound,
    TooManyRoomCodes,
    UnknownRoomTemplate,
)
from hmsconf.emulator.tables import JsonObject, RoomCode, Tables, Template
from hmsconf.model import catalogue
from hmsconf.model.copies import plain

TEMPLATE_KEYS = ("name", "roles", "settings", "destinations", "plugins")
# §10.1.1: what the docs' create-room responses show for a room created without a region.
RESOLVED_REGION = "us"
MAX_CODES_PER_ROOM = 100
# What a room body may carry (§6): the model's fields less what is never sent; `template_id` only
# on create (§6.1), `enabled` only on update (§6.4: disabling a room is an update).
ROOM_CREATE_FIELDS = tuple(k for k in catalogue.sent_fields("Room") if k != "enabled")
ROOM_UPDATE_FIELDS = tuple(k for k in catalogue.sent_fields("Room") if k != "template_id")
CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class Room(TypedDict):
    """A room as stored, with the name of its template ("" when it has none)."""

    fields: JsonObject
    template: str


class TemplatePage(TypedDict):
    """One page of a list (§1.5): its objects and `last`, the `start` of the next page."""

    data: list[Template]
    last: str


class RoomPage(TypedDict):
    data: list[Room]
    last: str


class CodePage(TypedDict):
    data: list[RoomCode]
    last: str


@dataclass(frozen=True)
class RoomFilters:
    """The list-room query (§6.4): disabled rooms are listed only when asked for."""

    enabled: bool = True
    name: str | None = None
    template_id: str | None = None
    after: str | None = None  # inclusive, ISO-8601 (§10.3.18)
    before: str | None = None


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_counter = int.from_bytes(os.urandom(3), "big")
_counter_lock = threading.Lock()
_machine = os.urandom(5).hex()


def object_id() -> str:
    """24 hex digits, MongoDB ObjectId style: time-ordered (§1.6)."""
    global _counter
    with _counter_lock:
        _counter = (_counter + 1) % 0xFFFFFF
        count = _counter
    return f"{int(time.time()):08x}{_machine}{count:06x}"


def _validate(kind: str, body: JsonObject) -> None:
    from hmsconf.config.rules import check_document

    problems = [d for d in check_document(kind, body, api=True) if d.is_error]
    if problems:
        raise InvalidBody(*(d.api_message or d.message for d in problems))


def _server_filled(kind: str, value: Any, at: tuple[str, ...] = ()) -> Any:
    """A plain copy of ``value`` (a part at ``at``) with every default the server fills."""
    return catalogue.fill(kind, plain(value) if value is not None else {}, at, server=True)


def _instant(text: Any) -> datetime:
    """An ISO-8601 UTC time with 0-9 fractional digits (§1.6), as a datetime."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:00)?", str(text))
    if not match:
        raise ValueError(text)
    fraction = (match.group(2) or "").ljust(6, "0")[:6]
    return datetime.strptime(f"{match.group(1)}.{fraction}", "%Y-%m-%dT%H:%M:%S.%f")


def _position(start: str | None, position_of: Callable[[str], int | None], unknown: str) -> int:
    """Where a page starts: after the item named by ``start`` (the list's `start` query), or at the top."""
    if not start:
        return 0
    found = position_of(start)
    if found is None:
        raise InvalidQuery(unknown)
    return found


def _check_template(body: JsonObject, recordings: list[Any]) -> None:
    _validate("Template", {**{k: v for k, v in body.items() if k in TEMPLATE_KEYS}, "recordings": recordings})


class Store:
    """A 100ms workspace: templates, rooms and room codes, kept in ``tables``."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.tables = Tables(path)

    @property
    def version(self) -> int:
        """Bumped on every write: an answer read at one version holds until the next."""
        return self.tables.version

    def close(self) -> None:
        self.tables.close()

    def counts(self) -> dict[str, int]:
        return self.tables.counts()

    def integrity_ok(self) -> bool:
        return self.tables.integrity_ok()

    @staticmethod
    def _filled(body: JsonObject) -> JsonObject:
        """A template body as this server stores it: its parts with every server default.
        (The hook tests override for a server that fills differently.)"""
        roles = body.get("roles") or {}
        return {
            "name": body["name"],
            "roles": _server_filled("Template", roles, ("roles",)),
            "settings": _server_filled("Template", body.get("settings"), ("settings",)),
            "destinations": _server_filled("Template", body.get("destinations"), ("destinations",)),
            **({"plugins": body["plugins"]} if body.get("plugins") is not None else {}),
        }

    def kept_secret(self, make: Callable[[], str]) -> tuple[str, bool]:
        """The app secret this state file keeps, made with ``make`` on first use: (secret, made now).

        A restart with the same ``--state`` then accepts the tokens of the secret it printed once.
        """
        with self.tables.write():
            kept = self.tables.meta("secret")
            if kept is not None:
                return kept, False
            secret = make()
            self.tables.set_meta("secret", secret)
            return secret, True

    # -- templates -------------------------------------------------------------------------

    def _template(self, tid: str) -> Template:
        found = self.tables.template(tid)
        if found is None:
            raise TemplateNotFound(tid)
        return found

    def _mark_default(self, tid: str, flag: Any) -> None:
        """§10.2.10: `default: true` makes this the workspace's default template (one per workspace)."""
        if flag is True:
            self.tables.set_default_template(tid)
        elif flag is False:
            self.tables.clear_default_template(tid)

    def _save(self, tid: str, body: JsonObject, recordings: list[Any] | None = None, default: Any = None) -> None:
        """Replace a template's body (and its recordings, when given; the default flag, when a bool),
        in one write; its name must stay unique."""
        stamp = now()
        with self.tables.write():
            if self.tables.template_name(tid) is None:
                raise TemplateNotFound(tid)
            if self.tables.other_template_named(body["name"], tid):
                raise NameTaken.template(body["name"])
            self.tables.update_template(tid, body, stamp, recordings)
            self._mark_default(tid, default)

    def create_template(self, body: JsonObject) -> Template:
        flag = body.get("default")
        body = {k: v for k, v in body.items() if k in (*TEMPLATE_KEYS, "recordings")}
        body.setdefault("name", f"template-{secrets.token_hex(4)}")
        recordings = body.pop("recordings", None)
        _check_template(body, recordings or [])
        stored = self._filled(body)
        stamp = now()
        with self.tables.write():
            existing = self.tables.template_named(stored["name"])
            if existing:  # §2.1: create with an existing name overwrites; §9.5: the id is kept
                tid = existing["id"]
                kept = None if recordings is None else _server_filled("Template", recordings, ("recordings",))
                self.tables.update_template(tid, stored, stamp, kept)
            else:
                tid = object_id()
                self.tables.insert_template(tid, stored, _server_filled("Template", recordings or [], ("recordings",)), stamp)
            self._mark_default(tid, flag)
        return self._template(tid)

    def list_templates(self, limit: int, start: str | None) -> TemplatePage:
        data = self.tables.templates_after(_position(start, self.tables.template_seq, f"start {start} not found"), limit)
        return TemplatePage(data=data, last=data[-1]["id"] if data else "")

    def get_template(self, tid: str) -> Template:
        return self._template(tid)

    def update_template(self, tid: str, body: JsonObject) -> Template:
        current = self._template(tid)
        missing = [key for key in ("roles", "settings") if key not in body]
        if missing:  # §2.1, §10.3.16: T4 marks roles and settings required
            raise IncompleteTemplate(missing)
        flag = body.get("default")
        body = {k: v for k, v in body.items() if k in TEMPLATE_KEYS}
        body.setdefault("name", current["name"])  # §2.1: no name keeps the current one
        _check_template(body, current["recordings"])
        self._save(tid, self._filled(body), default=flag)
        return self._template(tid)

    def get_role(self, tid: str, role: str) -> JsonObject:
        roles = self._template(tid)["body"].get("roles", {})
        if role not in roles:
            raise RoleNotFound(role)
        found: JsonObject = roles[role]
        return found

    def put_role(self, tid: str, role: str, body: JsonObject) -> JsonObject:
        """Create or replace a role; a `name` in the body renames it in place."""
        current = self._template(tid)
        roles = dict(current["body"].get("roles", {}))
        named = body.get("name")
        new_name = named if isinstance(named, str) else role
        if new_name != role and new_name in roles:
            raise NameTaken.role(new_name)
        position = list(roles).index(role) if role in roles else len(roles)
        roles.pop(role, None)
        items = list(roles.items())
        items.insert(position, (new_name, {**body, "name": new_name}))
        candidate = {**current["body"], "roles": dict(items)}
        _check_template(candidate, current["recordings"])
        stored = self._filled(candidate)
        self._save(tid, stored)
        saved: JsonObject = stored["roles"][new_name]
        return saved

    def delete_role(self, tid: str, role: str) -> None:
        body = self._template(tid)["body"]
        if role not in body.get("roles", {}):
            raise RoleNotFound(role)
        body["roles"].pop(role)
        self._save(tid, body)

    def get_part(self, tid: str, part: str) -> Any:
        """`settings` or `destinations` of a template, as stored."""
        return self._template(tid)["body"].get(part, {})

    def post_part(self, tid: str, part: str, value: JsonObject) -> Any:
        current = self._template(tid)
        candidate = {**current["body"], part: value}
        _check_template(candidate, current["recordings"])
        stored = self._filled(candidate)
        self._save(tid, stored)
        return stored[part]

    def get_recordings(self, tid: str) -> list[Any]:
        return self._template(tid)["recordings"]

    def post_recordings(self, tid: str, recordings: list[Any]) -> list[Any]:
        """Replace the template's recording configs (zero or one, §7); returns them as stored."""
        current = self._template(tid)
        _check_template(current["body"], recordings)
        filled: list[Any] = _server_filled("Template", recordings, ("recordings",))
        self._save(tid, current["body"], filled)
        return filled

    # -- rooms -------------------------------------------------------------------------------

    def _with_template(self, fields: JsonObject, names: dict[str, str] | None = None) -> Room:
        """The room with its template's name; ``names`` keeps the names a page of rooms looked up."""
        tid = fields.get("template_id")
        if not tid:
            return Room(fields=fields, template="")
        names = {} if names is None else names
        if tid not in names:
            names[tid] = self.tables.template_name(tid) or ""
        return Room(fields=fields, template=names[tid])

    def _room(self, room_id: str) -> JsonObject:
        found = self.tables.room(room_id)
        if found is None:
            raise RoomNotFound(room_id)
        return found

    def _default_template(self) -> str:
        found = self.tables.default_template() or self.tables.oldest_template()
        if found is None:
            raise UnknownRoomTemplate()
        return found

    def create_room(self, body: JsonObject) -> Room:
        """§6.2: a room of an existing name (any case) is updated with the body, not created again."""
        _validate("Room", body)
        body = {k: v for k, v in body.items() if k in ROOM_CREATE_FIELDS}
        name = body.get("name") or str(uuid.uuid4())
        existing = self.tables.room_named(name)
        template_id = body.get("template_id") or (existing or {}).get("template_id") or self._default_template()
        if not self.tables.template_name(template_id):
            raise UnknownRoomTemplate()
        stamp = now()
        if existing:
            stored = {**existing, **body, "name": existing["name"], "template_id": template_id, "updated_at": stamp}
        else:
            if body.get("region") in (None, "auto"):
                body["region"] = RESOLVED_REGION
            stored = _server_filled("Room", {**body, "name": name, "template_id": template_id})
            stored.update({"id": object_id(), "created_at": stamp, "updated_at": stamp})
        if "recording_info" in body:  # §6.3: sending it pins the room's recording settings
            stored["recording_source_template"] = False
        else:
            stored.setdefault("recording_source_template", True)
        with self.tables.write():
            self.tables.put_room(stored)
        return self._with_template(stored)

    def list_rooms(self, limit: int, start: str | None, filters: RoomFilters) -> RoomPage:
        bounds: dict[str, datetime] = {}
        for key, text in (("after", filters.after), ("before", filters.before)):
            if text is not None:
                try:
                    bounds[key] = _instant(text)
                except ValueError:
                    raise InvalidQuery(f"{key} must be a time like 2026-01-31T12:00:00.000Z") from None
        after_seq = _position(start, self.tables.room_seq, f"start {start} not found")
        data: list[Room] = []
        names: dict[str, str] = {}  # template id -> name: one query per template on the page, not per room
        for room in self.tables.rooms_after(after_seq):
            if room.get("enabled", True) != filters.enabled:
                continue  # §6.4: disabled rooms are hidden unless enabled=false
            if filters.name and room["name"].lower() != filters.name.lower():
                continue
            if filters.template_id and room.get("template_id") != filters.template_id:
                continue
            created = _instant(room["created_at"])
            if "after" in bounds and created < bounds["after"]:  # §10.3.18: "greater than or equal"
                continue
            if "before" in bounds and created > bounds["before"]:  # "less than or equal"
                continue
            data.append(self._with_template(room, names))
            if len(data) == limit:
                break
        return RoomPage(data=data, last=data[-1]["fields"]["id"] if data else "")

    def get_room(self, room_id: str) -> Room:
        return self._with_template(self._room(room_id))

    def update_room(self, room_id: str, body: JsonObject) -> Room:
        room = self._room(room_id)
        if "template_id" in body:
            raise InvalidBody("template_id cannot be updated; create the room again by name")
        unknown = [k for k in body if k not in ROOM_UPDATE_FIELDS]
        if unknown:
            raise InvalidBody(*(f"unknown field {k}" for k in unknown))
        candidate = {**room, **body}
        if "recording_info" in body:  # §6.3: sending it pins the room's recording settings
            candidate["recording_source_template"] = False
        if candidate.get("region") in (None, "auto"):
            candidate["region"] = RESOLVED_REGION
        _validate("Room", {k: v for k, v in candidate.items() if k in ROOM_UPDATE_FIELDS})
        new_name = candidate["name"]
        if new_name.lower() != room["name"].lower() and self.tables.room_named(new_name):
            raise NameTaken.room(new_name)
        candidate["updated_at"] = now()
        with self.tables.write():
            self.tables.update_room(candidate)
        return self._with_template(candidate)

    # -- room codes (§7) ---------------------------------------------------------------------

    def _enabled_room(self, room_id: str) -> JsonObject:
        room = self._room(room_id)
        if not room.get("enabled", True):
            raise RoomDisabled(room_id)
        return room

    def _roles_of(self, room: JsonObject) -> list[str]:
        """The role names of the room's template (§7: codes are per role)."""
        return list(self._template(room["template_id"])["body"].get("roles", {}))

    def _new_code(self, room_id: str, role: str) -> RoomCode:
        """A fresh code, xxx-xxxx-xxx, for ``role``; call inside a write."""
        if self.tables.code_count(room_id) >= MAX_CODES_PER_ROOM:
            raise TooManyRoomCodes(MAX_CODES_PER_ROOM)
        while True:
            code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(n)) for n in (3, 4, 3))
            if self.tables.code(code) is None:
                break
        stamp = now()
        made = RoomCode(code=code, room_id=room_id, role=role, enabled=True, created_at=stamp, updated_at=stamp)
        self.tables.insert_code(made)
        return made

    def create_code(self, room_id: str, role: str) -> RoomCode:
        """One more code for one role of the room."""
        if role not in self._roles_of(self._enabled_room(room_id)):
            raise RoleNotFound(role)
        with self.tables.write():
            return self._new_code(room_id, role)

    def create_codes(self, room_id: str) -> list[RoomCode]:
        """§7: one code per role; roles added since get one, codes of deleted roles are disabled.
        Guess: a role whose codes were all disabled by hand gets a new one (it has no enabled code)."""
        roles = self._roles_of(self._enabled_room(room_id))
        with self.tables.write():
            have = {code["role"] for code in self.tables.enabled_codes(room_id)}
            for name in have - set(roles):
                self.tables.disable_codes_of_role(room_id, name, now())
            for name in roles:
                if name not in have:
                    self._new_code(room_id, name)
            return self.tables.enabled_codes(room_id)

    def list_codes(self, room_id: str, limit: int, start: str | None, role: str | None, enabled: bool | None) -> CodePage:
        self._room(room_id)
        position = _position(start, lambda code: self.tables.code_position(room_id, code), "start is not a code of this room")
        data = self.tables.codes_after(room_id, position, limit, role, enabled)
        return CodePage(data=data, last=data[-1]["code"] if data else "")

    def enable_code(self, code: str, enabled: bool) -> RoomCode:
        found = self.tables.code(code)
        if found is None:
            raise CodeNotFound()
        room = self._enabled_room(found["room_id"])  # §7: 403 when the room is disabled
        if enabled and found["role"] not in self._roles_of(room):
            raise RoleRemoved(found["role"])
        stamp = now()
        with self.tables.write():
            self.tables.set_code_enabled(code, enabled, stamp)
        found["enabled"], found["updated_at"] = enabled, stamp  # (a fresh row: the stored one now)
        return found
