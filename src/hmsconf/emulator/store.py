"""The emulator's backend model: a 100ms workspace in SQLite, no HTTP in sight.

One transaction per write, WAL journal: a crash (even SIGKILL) leaves the
previous or the next state, never a torn one. Every write is validated with
the same rules ``hmsconf validate`` uses, on the whole resulting object, and
filled with the server defaults the model's marks declare (``hmsconf.model.catalogue``).

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

import copy
import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from hmsconf.model import catalogue
from hmsconf.model.tree import plain

CUSTOMER_ID = "6400a1b2c3d4e5f601234567"
APP_ID = "6400a1b2c3d4e5f601234568"
TEMPLATE_KEYS = ("name", "roles", "settings", "destinations", "plugins")
# §10.1.1: what the docs' create-room responses show for a room created without a region.
RESOLVED_REGION = "us"


class ApiProblem(Exception):
    """An error response of the API: status, message, details."""

    def __init__(self, status: int, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.details = status, message, details or []

    def body(self) -> dict:
        return {"code": self.status, "message": self.message, "details": self.details}


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


def _validate(kind: str, body: dict) -> None:
    from hmsconf.rules import check_document

    problems = [d for d in check_document(kind, body, api=True) if d.is_error]
    if problems:
        raise ApiProblem(400, "Invalid body param", [d.api_message or d.message for d in problems])


def _strip_credentials(kind: str, value: Any, at: tuple = ()) -> Any:
    """``value`` (a part at ``at``) without its write-only objects, as GET answers (§5)."""
    patterns = [rest for p in catalogue.write_only_objects(kind) if (rest := catalogue.below(p, at))]
    if not patterns:
        return value
    value = copy.deepcopy(value)
    for rest in patterns:
        catalogue.drop(value, rest)
    return value


def _server_filled(kind: str, value: Any, at: tuple = ()) -> Any:
    """A plain copy of ``value`` (a part at ``at``) with every default the server fills."""
    return catalogue.fill(kind, plain(value) if value is not None else {}, at, server=True)


def _instant(text: Any) -> datetime:
    """An ISO-8601 UTC time with 0-9 fractional digits (§1.6), as a datetime."""
    import re

    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:00)?", str(text))
    if not match:
        raise ValueError(text)
    fraction = (match.group(2) or "").ljust(6, "0")[:6]
    return datetime.strptime(f"{match.group(1)}.{fraction}", "%Y-%m-%dT%H:%M:%S.%f")


def _drop_false(value: Any) -> Any:
    """§2.1: the recordings POST response leaves out false booleans."""
    if isinstance(value, dict):
        return {k: _drop_false(v) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [_drop_false(v) for v in value]
    return value


SCHEMA = """
CREATE TABLE IF NOT EXISTS templates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  name TEXT UNIQUE NOT NULL,
  body TEXT NOT NULL,
  recordings TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rooms (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT UNIQUE NOT NULL,
  name_key TEXT UNIQUE NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS emulator_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS workspace_defaults (
  slot INTEGER PRIMARY KEY CHECK (slot = 1),
  template_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS room_codes (
  code TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  role TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
"""


class Store:
    def __init__(self, path: str | os.PathLike | None = None) -> None:
        target = str(path) if path else ":memory:"
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        self.db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.lock = threading.RLock()
        with self.lock:
            if path:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        self.version = 0  # bumped on every write; lets the HTTP layer cache responses

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def kept_secret(self, make: Callable[[], str]) -> tuple[str, bool]:
        """The app secret this state file keeps, made with ``make`` on first use: (secret, made now).

        A restart with the same ``--state`` then accepts the tokens of the secret it printed once.
        """
        with self._write() as db:
            row = db.execute("SELECT value FROM emulator_meta WHERE key = 'secret'").fetchone()
            if row:
                return row[0], False
            secret = make()
            db.execute("INSERT INTO emulator_meta (key, value) VALUES ('secret', ?)", (secret,))
            return secret, True

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            self.version += 1

    # -- templates ---------------------------------------------------------------------

    def _template_row(self, tid: str) -> sqlite3.Row | tuple:
        with self.lock:
            row = self.db.execute(
                "SELECT id, name, body, recordings, created_at, updated_at FROM templates WHERE id = ?", (tid,)
            ).fetchone()
        if row is None:
            raise ApiProblem(404, "template not found", [f"template {tid} not found"])
        return row

    @staticmethod
    def _template_view(row: sqlite3.Row | tuple, with_credentials: bool = False) -> dict:
        tid, name, body, _, created, updated = row
        stored = json.loads(body)
        view = {"id": tid, "_id": tid, "name": name, "customerId": CUSTOMER_ID, "customer": CUSTOMER_ID}
        view["roles"] = stored.get("roles", {})
        settings = stored.get("settings", {})
        view["settings"] = settings if with_credentials else _strip_credentials("Template", settings, ("settings",))
        view["destinations"] = stored.get("destinations", {})
        if "plugins" in stored:
            view["plugins"] = stored["plugins"]
        view["createdAt"], view["updatedAt"] = created, updated
        return view

    def _with_default(self, view: dict) -> dict:
        view["default"] = self._is_default(view["id"])  # §10.2.10: read back by public v2 scripts
        return view

    @staticmethod
    def _filled(body: dict) -> dict:
        roles = body.get("roles") or {}
        return {
            "name": body["name"],
            "roles": _server_filled("Template", roles, ("roles",)),
            "settings": _server_filled("Template", body.get("settings"), ("settings",)),
            "destinations": _server_filled("Template", body.get("destinations"), ("destinations",)),
            **({"plugins": body["plugins"]} if body.get("plugins") is not None else {}),
        }

    def _check_template(self, body: dict, recordings: list) -> None:
        _validate("Template", {**{k: v for k, v in body.items() if k in TEMPLATE_KEYS}, "recordings": recordings})

    def _mark_default(self, db: sqlite3.Connection, tid: str, flag: Any) -> None:
        """§10.2.10: `default: true` makes this the workspace's default template (one per workspace)."""
        if flag is True:
            db.execute("UPDATE workspace_defaults SET template_id = ? WHERE slot = 1", (tid,))
            db.execute("INSERT OR IGNORE INTO workspace_defaults (slot, template_id) VALUES (1, ?)", (tid,))
        elif flag is False:
            db.execute("DELETE FROM workspace_defaults WHERE template_id = ?", (tid,))

    def _is_default(self, tid: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM workspace_defaults WHERE template_id = ?", (tid,)).fetchone() is not None

    def create_template(self, body: dict) -> dict:
        flag = body.get("default")
        body = {k: v for k, v in body.items() if k in (*TEMPLATE_KEYS, "recordings")}
        body.setdefault("name", f"template-{secrets.token_hex(4)}")
        recordings = body.pop("recordings", None)
        self._check_template(body, recordings or [])
        stored = self._filled(body)
        stamp = now()
        with self._write() as db:
            existing = db.execute("SELECT id, created_at, recordings FROM templates WHERE name = ?", (stored["name"],)).fetchone()
            if existing:  # §2.1: create with an existing name overwrites; §9.5: the id is kept
                tid, created, old_recordings = existing
                kept = old_recordings if recordings is None else json.dumps(_server_filled("Template", recordings, ("recordings",)))
                db.execute("UPDATE templates SET body = ?, recordings = ?, updated_at = ? WHERE id = ?",
                           (json.dumps(stored), kept, stamp, tid))
            else:
                tid, created = object_id(), stamp
                filled_recordings = _server_filled("Template", recordings or [], ("recordings",))
                db.execute("INSERT INTO templates (id, name, body, recordings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           (tid, stored["name"], json.dumps(stored), json.dumps(filled_recordings), created, stamp))
            self._mark_default(db, tid, flag)
        view = self._with_default(self._template_view(self._template_row(tid), with_credentials=True))
        return view  # §5: the create response echoes secretKey

    def list_templates(self, limit: int, start: str | None) -> dict:
        with self.lock:
            after = 0
            if start:
                row = self.db.execute("SELECT seq FROM templates WHERE id = ?", (start,)).fetchone()
                if row is None:
                    raise ApiProblem(400, "Invalid query param", [f"start {start} not found"])
                after = row[0]
            rows = self.db.execute(
                "SELECT id, name, body, recordings, created_at, updated_at FROM templates WHERE seq > ? ORDER BY seq LIMIT ?",
                (after, limit),
            ).fetchall()
        data = [self._with_default(self._template_view(r)) for r in rows]
        return {"limit": limit, "data": data, "last": data[-1]["id"] if data else ""}

    def get_template(self, tid: str) -> dict:
        return self._with_default(self._template_view(self._template_row(tid)))

    def _load(self, tid: str) -> tuple[dict, list]:
        row = self._template_row(tid)
        return json.loads(row[2]), json.loads(row[3])

    def _save(self, tid: str, stored: dict, recordings: list | None = None) -> None:
        stamp = now()
        with self._write() as db:
            if db.execute("SELECT 1 FROM templates WHERE id = ?", (tid,)).fetchone() is None:
                raise ApiProblem(404, "template not found", [f"template {tid} not found"])
            clash = db.execute("SELECT id FROM templates WHERE name = ? AND id != ?", (stored["name"], tid)).fetchone()
            if clash:
                raise ApiProblem(409, "overwrite error", [f"a template named {stored['name']} already exists"])
            if recordings is None:
                db.execute("UPDATE templates SET name = ?, body = ?, updated_at = ? WHERE id = ?",
                           (stored["name"], json.dumps(stored), stamp, tid))
            else:
                db.execute("UPDATE templates SET name = ?, body = ?, recordings = ?, updated_at = ? WHERE id = ?",
                           (stored["name"], json.dumps(stored), json.dumps(recordings), stamp, tid))

    def update_template(self, tid: str, body: dict) -> dict:
        current, recordings = self._load(tid)
        missing = [key for key in ("roles", "settings") if key not in body]
        if missing:  # §2.1, §10.3.16: T4 marks roles and settings required
            raise ApiProblem(400, "Invalid body param", [f"{key} is required: send the complete template" for key in missing])
        flag = body.get("default")
        body = {k: v for k, v in body.items() if k in TEMPLATE_KEYS}
        body.setdefault("name", current["name"])  # §2.1: no name keeps the current one
        self._check_template(body, recordings)
        self._save(tid, self._filled(body))
        if isinstance(flag, bool):
            with self._write() as db:
                self._mark_default(db, tid, flag)
        return self.get_template(tid)

    def get_role(self, tid: str, role: str) -> dict:
        current, _ = self._load(tid)
        if role not in current.get("roles", {}):
            raise ApiProblem(404, "role not found", [f"role {role} not found"])
        return current["roles"][role]

    def put_role(self, tid: str, role: str, body: dict) -> dict:
        current, recordings = self._load(tid)
        roles = dict(current.get("roles", {}))
        new_name = body.get("name") if isinstance(body.get("name"), str) else role
        if new_name != role and new_name in roles:
            raise ApiProblem(409, "overwrite error", [f"role {new_name} already exists"])
        position = list(roles).index(role) if role in roles else len(roles)
        roles.pop(role, None)
        items = list(roles.items())
        items.insert(position, (new_name, {**body, "name": new_name}))
        candidate = {**current, "roles": dict(items)}
        self._check_template(candidate, recordings)
        stored = self._filled(candidate)
        self._save(tid, stored)
        return stored["roles"][new_name]

    def delete_role(self, tid: str, role: str) -> None:
        current, _ = self._load(tid)
        if role not in current.get("roles", {}):
            raise ApiProblem(404, "role not found", [f"role {role} not found"])
        current["roles"].pop(role)
        self._save(tid, current)

    def get_part(self, tid: str, part: str) -> dict:
        current, _ = self._load(tid)
        value = current.get(part, {})
        return _strip_credentials("Template", value, (part,))

    def post_part(self, tid: str, part: str, body: dict) -> dict:
        current, recordings = self._load(tid)
        candidate = {**current, part: body}
        self._check_template(candidate, recordings)
        stored = self._filled(candidate)
        self._save(tid, stored)
        value = stored[part]
        if part == "settings":  # §5: the settings response shows `secret`, in clear
            creds = (((value.get("recording") or {}) or {}).get("upload") or {}).get("credentials") if isinstance(value.get("recording"), dict) else None
            if isinstance(creds, dict) and "secretKey" in creds:
                value = copy.deepcopy(value)
                creds = value["recording"]["upload"]["credentials"]
                creds["secret"] = creds.pop("secretKey")
        return value

    def get_recordings(self, tid: str) -> list:
        return self._load(tid)[1]

    def post_recordings(self, tid: str, body: Any) -> list:
        if not isinstance(body, list) or len(body) > 1:
            raise ApiProblem(400, "Invalid body param", ["recordings must be a list with one config"])
        current, _ = self._load(tid)
        self._check_template(current, body)
        filled = _server_filled("Template", body, ("recordings",))
        self._save(tid, current, filled)
        return _drop_false(filled)

    # -- rooms ------------------------------------------------------------------------------

    def _template_name(self, tid: str | None) -> str:
        if not tid:
            return ""
        with self.lock:
            row = self.db.execute("SELECT name FROM templates WHERE id = ?", (tid,)).fetchone()
        return row[0] if row else ""

    def _room_view(self, stored: dict, with_credentials: bool = False) -> dict:
        view = copy.deepcopy(stored)
        view["customer_id"] = view["customer"] = CUSTOMER_ID
        view["app_id"] = APP_ID
        view["template"] = self._template_name(view.get("template_id"))
        follows = stored.get("recording_source_template", "recording_info" not in stored)
        view["recording_source_template"] = follows
        if follows:  # §10.1.4: a room following its template shows recording_info {enabled: false}
            view["recording_info"] = {"enabled": False}
        view["enabled_source_template"] = True  # §10.1.5: true in the documented response; meaning undocumented
        if not with_credentials:
            view = _strip_credentials("Room", view)
        return view

    def _room_by(self, column: str, value: str) -> dict | None:
        with self.lock:
            row = self.db.execute(f"SELECT body FROM rooms WHERE {column} = ?", (value,)).fetchone()
        return json.loads(row[0]) if row else None

    def _room(self, room_id: str) -> dict:
        found = self._room_by("id", room_id)
        if found is None:
            raise ApiProblem(404, "room not found", [f"room {room_id} not found"])
        return found

    def _default_template(self) -> str:
        with self.lock:
            row = self.db.execute("SELECT template_id FROM workspace_defaults WHERE slot = 1").fetchone()
            row = row or self.db.execute("SELECT id FROM templates ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            raise ApiProblem(400, "Invalid body param", ["Error: template not found"])
        return row[0]

    def create_room(self, body: dict) -> dict:
        _validate("Room", body)
        body = {k: v for k, v in body.items() if k in ROOM_WRITABLE or k == "template_id"}
        name = body.get("name") or str(uuid.uuid4())
        existing = self._room_by("name_key", name.lower())
        template_id = body.get("template_id") or (existing or {}).get("template_id") or self._default_template()
        if not self._template_name(template_id):
            raise ApiProblem(400, "Invalid body param", ["Error: template not found"])
        stamp = now()
        if existing:  # §6.2: create by an existing name updates that room with the payload
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
        with self._write() as db:
            db.execute("INSERT INTO rooms (id, name_key, body) VALUES (?, ?, ?) "
                       "ON CONFLICT(name_key) DO UPDATE SET body = excluded.body",
                       (stored["id"], stored["name"].lower(), json.dumps(stored)))
        return self._room_view(stored, with_credentials=True)

    def list_rooms(self, limit: int, start: str | None, filters: dict) -> dict:
        filters = dict(filters)
        for key in ("after", "before"):
            if key in filters:
                try:
                    filters[key] = _instant(filters[key])
                except ValueError:
                    raise ApiProblem(400, "Invalid query param", [f"{key} must be a time like 2026-01-31T12:00:00.000Z"]) from None
        clauses, args = [], []
        if start:
            with self.lock:
                row = self.db.execute("SELECT seq FROM rooms WHERE id = ?", (start,)).fetchone()
            if row is None:
                raise ApiProblem(400, "Invalid query param", [f"start {start} not found"])
            clauses.append("seq > ?")
            args.append(row[0])
        where = " AND ".join(clauses) or "1"
        with self.lock:
            rows = self.db.execute(f"SELECT body FROM rooms WHERE {where} ORDER BY seq", args).fetchall()
        data = []
        for (body,) in rows:
            room = json.loads(body)
            if room.get("enabled", True) != filters.get("enabled", True):
                continue  # §6.4: disabled rooms are hidden unless enabled=false
            if filters.get("name") and room["name"].lower() != filters["name"].lower():
                continue
            if filters.get("template_id") and room.get("template_id") != filters["template_id"]:
                continue
            created = _instant(room["created_at"])
            if "after" in filters and created < filters["after"]:  # §10.3.18: "greater than or equal"
                continue
            if "before" in filters and created > filters["before"]:  # "less than or equal"
                continue
            data.append(self._room_view(room))
            if len(data) == limit:
                break
        return {"limit": limit, "data": data, "last": data[-1]["id"] if data else ""}

    def get_room(self, room_id: str) -> dict:
        return self._room_view(self._room(room_id))

    def update_room(self, room_id: str, body: dict) -> dict:
        room = self._room(room_id)
        if "template_id" in body:
            raise ApiProblem(400, "Invalid body param", ["template_id cannot be updated; create the room again by name"])
        unknown = [k for k in body if k not in ROOM_WRITABLE and k != "enabled"]
        if unknown:
            raise ApiProblem(400, "Invalid body param", [f"unknown field {k}" for k in unknown])
        candidate = {**room, **body}
        if "recording_info" in body:  # §6.3: sending it pins the room's recording settings
            candidate["recording_source_template"] = False
        if candidate.get("region") in (None, "auto"):
            candidate["region"] = RESOLVED_REGION
        _validate("Room", {k: v for k, v in candidate.items() if k in ROOM_WRITABLE or k == "enabled"})
        new_name = candidate["name"]
        if new_name.lower() != room["name"].lower() and self._room_by("name_key", new_name.lower()):
            raise ApiProblem(409, "overwrite error", [f"a room named {new_name} already exists"])
        candidate["updated_at"] = now()
        with self._write() as db:
            db.execute("UPDATE rooms SET name_key = ?, body = ? WHERE id = ?", (new_name.lower(), json.dumps(candidate), room_id))
        return self._room_view(candidate, with_credentials=True)

    # -- room codes (§7) -------------------------------------------------------------------------

    def _code_view(self, row: tuple) -> dict:
        code, room_id, role, enabled, created, updated = row
        return {"code": code, "room_id": room_id, "role": role, "enabled": bool(enabled), "created_at": created, "updated_at": updated}

    def _enabled_room(self, room_id: str) -> dict:
        room = self._room(room_id)
        if not room.get("enabled", True):
            raise ApiProblem(403, "room is disabled", [f"room {room_id} is disabled"])
        return room

    def _new_code(self, db: sqlite3.Connection, room_id: str, role: str) -> tuple:
        count = db.execute("SELECT COUNT(*) FROM room_codes WHERE room_id = ?", (room_id,)).fetchone()[0]
        if count >= MAX_CODES_PER_ROOM:  # §7: up to 100 codes per room
            raise ApiProblem(400, "Invalid request", [f"a room has at most {MAX_CODES_PER_ROOM} room codes"])
        alphabet = "abcdefghijklmnopqrstuvwxyz"
        while True:
            code = "-".join("".join(secrets.choice(alphabet) for _ in range(n)) for n in (3, 4, 3))
            if db.execute("SELECT 1 FROM room_codes WHERE code = ?", (code,)).fetchone() is None:
                break
        stamp = now()
        db.execute("INSERT INTO room_codes VALUES (?, ?, ?, 1, ?, ?)", (code, room_id, role, stamp, stamp))
        return (code, room_id, role, 1, stamp, stamp)

    def create_codes(self, room_id: str, role: str | None = None) -> Any:
        room = self._enabled_room(room_id)
        roles = list(self._load(room["template_id"])[0].get("roles", {}))
        if role is not None and role not in roles:
            raise ApiProblem(404, "role not found", [f"role {role} not found"])
        with self._write() as db:
            if role is not None:
                return self._code_view(self._new_code(db, room_id, role))
            have = {r for (r,) in db.execute("SELECT role FROM room_codes WHERE room_id = ? AND enabled = 1", (room_id,))}
            # §7: one code per role; roles added since get one, codes of deleted roles are disabled.
            # Guess: a role whose codes were all disabled by hand gets a new one (it has no enabled code).
            gone = have - set(roles)
            for name in gone:
                db.execute("UPDATE room_codes SET enabled = 0, updated_at = ? WHERE room_id = ? AND role = ?", (now(), room_id, name))
            for name in roles:
                if name not in have:
                    self._new_code(db, room_id, name)
            rows = db.execute("SELECT * FROM room_codes WHERE room_id = ? AND enabled = 1 ORDER BY rowid", (room_id,)).fetchall()
        return {"data": [self._code_view(r) for r in rows]}

    def list_codes(self, room_id: str, limit: int, filters: dict, start: str | None = None) -> dict:
        self._room(room_id)
        query = "SELECT rowid, * FROM room_codes WHERE room_id = ?"
        args: list[Any] = [room_id]
        if "role" in filters:
            query += " AND role = ?"
            args.append(filters["role"])
        if "enabled" in filters:
            query += " AND enabled = ?"
            args.append(int(filters["enabled"]))
        with self.lock:
            if start:
                row = self.db.execute("SELECT rowid FROM room_codes WHERE code = ? AND room_id = ?", (start, room_id)).fetchone()
                if row is None:
                    raise ApiProblem(400, "Invalid query param", ["start is not a code of this room"])
                query += " AND rowid > ?"
                args.append(row[0])
            rows = self.db.execute(query + " ORDER BY rowid LIMIT ?", (*args, limit)).fetchall()
        data = [self._code_view(r[1:]) for r in rows]
        return {"limit": limit, "data": data, "last": data[-1]["code"] if data else ""}

    def update_code(self, body: Any) -> dict:
        if not isinstance(body, dict) or set(body) != {"code", "enabled"} or not isinstance(body["enabled"], bool):
            raise ApiProblem(400, "Invalid body param", ["send exactly `code` and `enabled`"])
        with self.lock:
            row = self.db.execute("SELECT * FROM room_codes WHERE code = ?", (body["code"],)).fetchone()
        if row is None:
            raise ApiProblem(404, "code not found", ["code not found"])
        room = self._enabled_room(row[1])  # §7: 403 when the room is disabled
        if body["enabled"] and row[2] not in self._load(room["template_id"])[0].get("roles", {}):
            raise ApiProblem(403, "role not found", [f"role {row[2]} no longer exists in the room's template"])
        with self._write() as db:
            db.execute("UPDATE room_codes SET enabled = ?, updated_at = ? WHERE code = ?", (int(body["enabled"]), now(), body["code"]))
            row = db.execute("SELECT * FROM room_codes WHERE code = ?", (body["code"],)).fetchone()
        return self._code_view(row)

    # -- for tests and campaigns ---------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "templates": self.db.execute("SELECT COUNT(*) FROM templates").fetchone()[0],
                "rooms": self.db.execute("SELECT COUNT(*) FROM rooms").fetchone()[0],
            }

    def integrity_ok(self) -> bool:
        with self.lock:
            return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


MAX_CODES_PER_ROOM = 100
# What a room body may carry (§6): the model's fields less what is never sent; `template_id` only
# on create and `enabled` only through the enable endpoint (§6.4).
ROOM_WRITABLE = tuple(k for k in catalogue.sent_fields("Room") if k not in ("template_id", "enabled"))
