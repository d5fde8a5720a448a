"""The emulator's routes: a table of path -> handler per method, like moto's ``urls.py``.

Each handler reads the request (path, query, body), asks the store, and shapes the
store's answer with ``views``; it returns the body (None: 204 No Content). Bad
query parameters and bodies raise ``InvalidQuery`` / ``InvalidBody``; the store
raises the rest. Tokens, latency, faults and the log are the middleware's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from hmsconf.emulator import views
from hmsconf.emulator.exceptions import InvalidBody, InvalidQuery
from hmsconf.emulator.store import RoomFilters, Store
from hmsconf.emulator.tables import JsonObject

Handler = Callable[[Request, Store], Awaitable[object]]


# -- reading a request -------------------------------------------------------------------

def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidQuery("limit must be a number") from None
    if not 10 <= limit <= 100:  # §1.5
        raise InvalidQuery("limit must be between 10 and 100")
    return limit


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidQuery(f"{value} is not true or false")


async def _json(request: Request) -> Any:
    """The body as JSON (an empty body is `{}`)."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidBody("the body is not valid JSON") from None


async def _object(request: Request) -> JsonObject:
    body = await _json(request)
    if not isinstance(body, dict):
        raise InvalidBody("the body must be a JSON object")
    return body


# -- templates (T1-T13) --------------------------------------------------------------------

async def list_templates(request: Request, store: Store) -> object:
    limit = _limit(request)
    return views.template_page(store.list_templates(limit, request.query_params.get("start")), limit)


async def create_template(request: Request, store: Store) -> object:
    return views.template(store.create_template(await _object(request)), with_credentials=True)  # §5: echoes secretKey


async def get_template(request: Request, store: Store) -> object:
    return views.template(store.get_template(request.path_params["tid"]))


async def update_template(request: Request, store: Store) -> object:
    return views.template(store.update_template(request.path_params["tid"], await _object(request)))


async def get_role(request: Request, store: Store) -> object:
    return store.get_role(request.path_params["tid"], request.path_params["role"])


async def put_role(request: Request, store: Store) -> object:
    body = await _object(request)
    return store.put_role(request.path_params["tid"], request.path_params["role"], body)


async def delete_role(request: Request, store: Store) -> object:
    store.delete_role(request.path_params["tid"], request.path_params["role"])
    return None


def _part(name: str) -> Mapping[str, Handler]:
    """`settings` and `destinations`: read and replaced whole."""

    async def get(request: Request, store: Store) -> object:
        return views.part(name, store.get_part(request.path_params["tid"], name))

    async def post(request: Request, store: Store) -> object:
        body = await _object(request)
        return views.saved_part(name, store.post_part(request.path_params["tid"], name, body))

    return {"GET": get, "POST": post}


async def get_recordings(request: Request, store: Store) -> object:
    return store.get_recordings(request.path_params["tid"])


async def post_recordings(request: Request, store: Store) -> object:
    body = await _json(request)
    if not isinstance(body, list) or len(body) > 1:
        raise InvalidBody("recordings must be a list with one config")
    return views.saved_recordings(store.post_recordings(request.path_params["tid"], body))


# -- rooms (§6) ------------------------------------------------------------------------------

async def list_rooms(request: Request, store: Store) -> object:
    params = request.query_params
    enabled = _flag(params.get("enabled"))
    filters = RoomFilters(enabled=True if enabled is None else enabled, name=params.get("name"),
                          template_id=params.get("template_id"), after=params.get("after"), before=params.get("before"))
    limit = _limit(request)
    return views.room_page(store.list_rooms(limit, params.get("start"), filters), limit)


async def create_room(request: Request, store: Store) -> object:
    return views.room(store.create_room(await _object(request)), with_credentials=True)


async def get_room(request: Request, store: Store) -> object:
    return views.room(store.get_room(request.path_params["room_id"]))


async def update_room(request: Request, store: Store) -> object:
    body = await _object(request)
    return views.room(store.update_room(request.path_params["room_id"], body), with_credentials=True)


# -- room codes (§7) -------------------------------------------------------------------------

async def list_codes(request: Request, store: Store) -> object:
    params = request.query_params
    role, enabled = params.get("role"), _flag(params.get("enabled"))
    limit = _limit(request)
    return views.code_page(store.list_codes(request.path_params["room_id"], limit, params.get("start"), role, enabled), limit)


async def create_codes(request: Request, store: Store) -> object:
    return views.codes(store.create_codes(request.path_params["room_id"]))


async def create_role_code(request: Request, store: Store) -> object:
    return views.code(store.create_code(request.path_params["room_id"], request.path_params["role"]))


async def enable_code(request: Request, store: Store) -> object:
    body = await _json(request)
    if (not isinstance(body, dict) or set(body) != {"code", "enabled"} or not isinstance(body["code"], str)
            or not isinstance(body["enabled"], bool)):
        raise InvalidBody("send exactly `code` and `enabled`")
    return views.code(store.enable_code(body["code"], body["enabled"]))


# -- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Path:
    """A URL pattern and the handler of each method it answers (HEAD: as GET, without a body)."""

    pattern: str
    handlers: Mapping[str, Handler]
    cached: bool = False  # its answers hold until the store's next write (the template GET: the hot path)


# Paths repeat where the API has one route per method: a wrong method then gets
# the 405 of the first route of its path, as Starlette answers it.
PATHS = (
    Path("/v2/templates", {"GET": list_templates}),
    Path("/v2/templates", {"POST": create_template}),
    Path("/v2/templates/{tid}", {"GET": get_template}, cached=True),
    Path("/v2/templates/{tid}", {"POST": update_template}),
    Path("/v2/templates/{tid}/roles/{role}", {"GET": get_role, "POST": put_role, "DELETE": delete_role}),
    Path("/v2/templates/{tid}/settings", _part("settings")),
    Path("/v2/templates/{tid}/destinations", _part("destinations")),
    Path("/v2/templates/{tid}/recordings", {"GET": get_recordings, "POST": post_recordings}),
    Path("/v2/rooms", {"GET": list_rooms, "POST": create_room}),
    Path("/v2/rooms/{room_id}", {"GET": get_room, "POST": update_room}),
    Path("/v2/room-codes/room/{room_id}", {"GET": list_codes, "POST": create_codes}),
    Path("/v2/room-codes/room/{room_id}/role/{role}", {"POST": create_role_code}),
    Path("/v2/room-codes/code", {"POST": enable_code}),
)


class Endpoint:
    """A path's innermost ASGI app: the handler of the request's method, its body as JSON."""

    def __init__(self, store: Store, handlers: Mapping[str, Handler]) -> None:
        self.store, self.handlers = store, handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        method = "GET" if request.method == "HEAD" else request.method
        body = await self.handlers[method](request, self.store)
        response = Response(status_code=204) if body is None else views.json_response(body)
        await response(scope, receive, send)
