"""What the emulator's answers look like: the store's plain data shaped as the API answers.

The store returns records (``tables.Template``, ``store.Room``, ``tables.RoomCode``)
and pages of them; this module turns them into the documented response bodies:
the ids and the deprecated duplicates the API adds, write-only credentials left
out of reads (§5), the pagination envelope (§1.5), and the compact JSON on the wire.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from starlette.responses import Response

from hmsconf.emulator.exceptions import ErrorAnswer
from hmsconf.emulator.store import CodePage, Room, RoomPage, TemplatePage
from hmsconf.emulator.tables import JsonObject, RoomCode, Template
from hmsconf.model import catalogue

CUSTOMER_ID = "6400a1b2c3d4e5f601234567"
APP_ID = "6400a1b2c3d4e5f601234568"


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``body`` as compact JSON, the way the API sends it."""
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=status,
                    media_type="application/json", headers=headers)


def error_response(error: ErrorAnswer) -> Response:
    return json_response(error.body(), error.status, error.headers)


def _page(limit: int, data: list[JsonObject], last: str) -> JsonObject:
    """§1.5: every list answers its limit, one page of objects, and the `start` of the next."""
    return {"limit": limit, "data": data, "last": last}


def _without_credentials(kind: str, value: Any, at: tuple[str, ...] = (), owned: bool = False) -> Any:
    """``value`` (a part at ``at``) without its write-only objects, as GET answers (§5); a copy
    unless ``owned`` (the caller's own copy, changed in place)."""
    patterns = [rest for p in catalogue.write_only_objects(kind) if (rest := catalogue.below(p, at))]
    if not patterns:
        return value
    if not owned:
        value = copy.deepcopy(value)
    for rest in patterns:
        catalogue.drop(value, rest)
    return value


def template(stored: Template, with_credentials: bool = False) -> JsonObject:
    """A template answer (T1-T4); only the create answer echoes credentials (§5)."""
    tid, body = stored["id"], stored["body"]
    view: JsonObject = {"id": tid, "_id": tid, "name": stored["name"], "customerId": CUSTOMER_ID, "customer": CUSTOMER_ID}
    view["roles"] = body.get("roles", {})
    settings = body.get("settings", {})
    view["settings"] = settings if with_credentials else _without_credentials("Template", settings, ("settings",))
    view["destinations"] = body.get("destinations", {})
    if "plugins" in body:
        view["plugins"] = body["plugins"]
    view["createdAt"], view["updatedAt"] = stored["created_at"], stored["updated_at"]
    view["default"] = stored["default"]  # §10.2.10: read back by public v2 scripts
    return view


def template_page(page: TemplatePage, limit: int) -> JsonObject:
    return _page(limit, [template(t) for t in page["data"]], page["last"])


def part(name: str, value: Any) -> Any:
    """A template's `settings` or `destinations` as GET answers: without credentials."""
    return _without_credentials("Template", value, (name,))


def saved_part(name: str, value: Any) -> Any:
    """A part as its POST answers: §5, the settings answer shows the storage secret as `secret`, in clear."""
    if name != "settings" or not isinstance(value.get("recording"), dict):
        return value
    credentials = ((value["recording"] or {}).get("upload") or {}).get("credentials")
    if not isinstance(credentials, dict) or "secretKey" not in credentials:
        return value
    value = copy.deepcopy(value)
    credentials = value["recording"]["upload"]["credentials"]
    credentials["secret"] = credentials.pop("secretKey")
    return value


def saved_recordings(value: Any) -> Any:
    """§2.1: the recordings POST answer leaves out false booleans."""
    if isinstance(value, dict):
        return {k: saved_recordings(v) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [saved_recordings(v) for v in value]
    return value


def room(stored: Room, with_credentials: bool = False) -> JsonObject:
    """A room answer; only the create and update answers echo credentials (§5)."""
    fields = stored["fields"]
    view = copy.deepcopy(fields)
    view["customer_id"] = view["customer"] = CUSTOMER_ID
    view["app_id"] = APP_ID
    view["template"] = stored["template"]
    follows = fields.get("recording_source_template", "recording_info" not in fields)
    view["recording_source_template"] = follows
    if follows:  # §10.1.4: a room following its template shows recording_info {enabled: false}
        view["recording_info"] = {"enabled": False}
    view["enabled_source_template"] = True  # §10.1.5: true in the documented response; meaning undocumented
    if not with_credentials:
        view = _without_credentials("Room", view, owned=True)  # view is already a copy
    return view


def room_page(page: RoomPage, limit: int) -> JsonObject:
    return _page(limit, [room(r) for r in page["data"]], page["last"])


def code(stored: RoomCode) -> JsonObject:
    return dict(stored)


def codes(stored: list[RoomCode]) -> JsonObject:
    """The answer to creating a room's codes: every enabled code, no pagination (§7)."""
    return {"data": [code(c) for c in stored]}


def code_page(page: CodePage, limit: int) -> JsonObject:
    return _page(limit, [code(c) for c in page["data"]], page["last"])
