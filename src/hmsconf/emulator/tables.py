"""The emulator's workspace on disk: SQLite tables, rows in and out as plain data.

Only persistence lives here: what a row holds and how to read or write it. What a
write means for 100ms (validation, defaults, names, room codes) is the store's.
One transaction per write, WAL journal: a crash (even SIGKILL) leaves the previous
or the next state, never a torn one.

Reads take the lock; a write (``with tables.write():``) holds it and one SQLite
transaction, so reads inside a write see the write's own state.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Iterator, TypedDict

JsonObject = dict[str, Any]  # a JSON object as a client sent it: untyped until validated


class Template(TypedDict):
    """A template as stored: its body (name, roles, settings, destinations, plugins), kept apart
    from its recordings (§2.1), its times, and whether it is the workspace's default (§10.2.10)."""

    id: str
    name: str
    body: JsonObject
    recordings: list[Any]
    created_at: str
    updated_at: str
    default: bool


class RoomCode(TypedDict):
    """One room code (§7)."""

    code: str
    room_id: str
    role: str
    enabled: bool
    created_at: str
    updated_at: str


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

_TEMPLATE_COLUMNS = (
    "id, name, body, recordings, created_at, updated_at, "
    "EXISTS (SELECT 1 FROM workspace_defaults WHERE template_id = templates.id)"
)
_CODE_COLUMNS = "code, room_id, role, enabled, created_at, updated_at"


def _template(row: tuple[Any, ...]) -> Template:
    tid, name, body, recordings, created, updated, default = row
    return Template(id=tid, name=name, body=json.loads(body), recordings=json.loads(recordings),
                    created_at=created, updated_at=updated, default=bool(default))


def _code(row: tuple[Any, ...]) -> RoomCode:
    code, room_id, role, enabled, created, updated = row
    return RoomCode(code=code, room_id=room_id, role=role, enabled=bool(enabled), created_at=created, updated_at=updated)


class Tables:
    """One SQLite database (a file, or memory), safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
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
        self.version = 0  # bumped on every write; lets the HTTP layer cache answers

    def close(self) -> None:
        with self.lock:
            self.db.close()

    @contextmanager
    def write(self) -> Iterator[None]:
        """One transaction: all of it is kept, or (on any exception) none of it."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            self.version += 1

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self.lock:
            row: tuple[Any, ...] | None = self.db.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        with self.lock:
            self.db.execute(sql, args)

    # -- the emulator's own settings -------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM emulator_meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._run("INSERT INTO emulator_meta (key, value) VALUES (?, ?)", (key, value))

    # -- templates -------------------------------------------------------------------------

    def template(self, tid: str) -> Template | None:
        row = self._one(f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE id = ?", (tid,))
        return _template(row) if row else None

    def template_named(self, name: str) -> Template | None:
        row = self._one(f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE name = ?", (name,))
        return _template(row) if row else None

    def template_name(self, tid: str) -> str | None:
        row = self._one("SELECT name FROM templates WHERE id = ?", (tid,))
        return row[0] if row else None

    def template_seq(self, tid: str) -> int | None:
        """Where a template stands in creation order (the key list pages follow)."""
        row = self._one("SELECT seq FROM templates WHERE id = ?", (tid,))
        return row[0] if row else None

    def templates_after(self, seq: int, limit: int) -> list[Template]:
        rows = self._all(f"SELECT {_TEMPLATE_COLUMNS} FROM templates WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
        return [_template(row) for row in rows]

    def other_template_named(self, name: str, tid: str) -> bool:
        return self._one("SELECT 1 FROM templates WHERE name = ? AND id != ?", (name, tid)) is not None

    def insert_template(self, tid: str, body: JsonObject, recordings: list[Any], created: str) -> None:
        self._run("INSERT INTO templates (id, name, body, recordings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                  (tid, body["name"], json.dumps(body), json.dumps(recordings), created, created))

    def update_template(self, tid: str, body: JsonObject, updated: str, recordings: list[Any] | None = None) -> None:
        """The body (and its name), and the recordings when given."""
        if recordings is None:
            self._run("UPDATE templates SET name = ?, body = ?, updated_at = ? WHERE id = ?",
                      (body["name"], json.dumps(body), updated, tid))
        else:
            self._run("UPDATE templates SET name = ?, body = ?, recordings = ?, updated_at = ? WHERE id = ?",
                      (body["name"], json.dumps(body), json.dumps(recordings), updated, tid))

    def default_template(self) -> str | None:
        row = self._one("SELECT template_id FROM workspace_defaults WHERE slot = 1")
        return row[0] if row else None

    def oldest_template(self) -> str | None:
        row = self._one("SELECT id FROM templates ORDER BY seq LIMIT 1")
        return row[0] if row else None

    def set_default_template(self, tid: str) -> None:
        self._run("UPDATE workspace_defaults SET template_id = ? WHERE slot = 1", (tid,))
        self._run("INSERT OR IGNORE INTO workspace_defaults (slot, template_id) VALUES (1, ?)", (tid,))

    def clear_default_template(self, tid: str) -> None:
        self._run("DELETE FROM workspace_defaults WHERE template_id = ?", (tid,))

    # -- rooms -----------------------------------------------------------------------------

    def room(self, room_id: str) -> JsonObject | None:
        row = self._one("SELECT body FROM rooms WHERE id = ?", (room_id,))
        return json.loads(row[0]) if row else None

    def room_named(self, name: str) -> JsonObject | None:
        """The room of this name, whatever its case (§6.2: names are unique without case)."""
        row = self._one("SELECT body FROM rooms WHERE name_key = ?", (name.lower(),))
        return json.loads(row[0]) if row else None

    def room_seq(self, room_id: str) -> int | None:
        row = self._one("SELECT seq FROM rooms WHERE id = ?", (room_id,))
        return row[0] if row else None

    def rooms_after(self, seq: int) -> Iterator[JsonObject]:
        """Every room created after ``seq``, oldest first."""
        for (body,) in self._all("SELECT body FROM rooms WHERE seq > ? ORDER BY seq", (seq,)):
            yield json.loads(body)

    def put_room(self, room: JsonObject) -> None:
        """Insert the room, or replace the body of the room of its name."""
        self._run("INSERT INTO rooms (id, name_key, body) VALUES (?, ?, ?) "
                  "ON CONFLICT(name_key) DO UPDATE SET body = excluded.body",
                  (room["id"], room["name"].lower(), json.dumps(room)))

    def update_room(self, room: JsonObject) -> None:
        self._run("UPDATE rooms SET name_key = ?, body = ? WHERE id = ?", (room["name"].lower(), json.dumps(room), room["id"]))

    # -- room codes ------------------------------------------------------------------------

    def code(self, code: str) -> RoomCode | None:
        row = self._one(f"SELECT {_CODE_COLUMNS} FROM room_codes WHERE code = ?", (code,))
        return _code(row) if row else None

    def code_count(self, room_id: str) -> int:
        row = self._one("SELECT COUNT(*) FROM room_codes WHERE room_id = ?", (room_id,))
        return int(row[0]) if row else 0

    def insert_code(self, code: RoomCode) -> None:
        self._run("INSERT INTO room_codes VALUES (?, ?, ?, ?, ?, ?)",
                  (code["code"], code["room_id"], code["role"], int(code["enabled"]), code["created_at"], code["updated_at"]))

    def enabled_codes(self, room_id: str) -> list[RoomCode]:
        rows = self._all(f"SELECT {_CODE_COLUMNS} FROM room_codes WHERE room_id = ? AND enabled = 1 ORDER BY rowid", (room_id,))
        return [_code(row) for row in rows]

    def disable_codes_of_role(self, room_id: str, role: str, updated: str) -> None:
        self._run("UPDATE room_codes SET enabled = 0, updated_at = ? WHERE room_id = ? AND role = ?", (updated, room_id, role))

    def set_code_enabled(self, code: str, enabled: bool, updated: str) -> None:
        self._run("UPDATE room_codes SET enabled = ?, updated_at = ? WHERE code = ?", (int(enabled), updated, code))

    def code_position(self, room_id: str, code: str) -> int | None:
        """Where a room's code stands in creation order (the key code pages follow)."""
        row = self._one("SELECT rowid FROM room_codes WHERE code = ? AND room_id = ?", (code, room_id))
        return row[0] if row else None

    def codes_after(self, room_id: str, position: int, limit: int, role: str | None, enabled: bool | None) -> list[RoomCode]:
        query = f"SELECT {_CODE_COLUMNS} FROM room_codes WHERE room_id = ?"
        args: list[Any] = [room_id]
        if role is not None:
            query += " AND role = ?"
            args.append(role)
        if enabled is not None:
            query += " AND enabled = ?"
            args.append(int(enabled))
        query += " AND rowid > ? ORDER BY rowid LIMIT ?"
        return [_code(row) for row in self._all(query, (*args, position, limit))]

    # -- for tests and campaigns -----------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "templates": self.db.execute("SELECT COUNT(*) FROM templates").fetchone()[0],
                "rooms": self.db.execute("SELECT COUNT(*) FROM rooms").fetchone()[0],
            }

    def integrity_ok(self) -> bool:
        with self.lock:
            return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
