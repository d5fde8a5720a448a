"""The emulator's HTTP layer: a thin ASGI app over the store, under /v2.

Authentication, pagination parameters, latency, faults and the access log
live here; everything about 100ms objects lives in the store.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Awaitable, Callable

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hmsconf.emulator.faults import DroppedConnection, Faults
from hmsconf.emulator.store import ApiProblem, Store

TOKEN_LEEWAY_SECONDS = 30


def _json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json", headers=headers)


class TokenCheck:
    """Management-token verification (reference §1.3, §8), with a cache of good tokens."""

    def __init__(self, access_key: str, secret: str) -> None:
        self.access_key, self.secret = access_key, secret
        self.good: dict[str, float] = {}  # token -> exp

    def __call__(self, header: str | None) -> None:
        if not header or not header.startswith("Bearer "):
            raise ApiProblem(401, "Authentication error", ["no management token"])
        token = header[7:].strip()
        exp = self.good.get(token)
        if exp is not None and exp > time.time() - TOKEN_LEEWAY_SECONDS:
            return
        try:
            claims = jwt.decode(token, self.secret.encode(), algorithms=["HS256"], leeway=TOKEN_LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "nbf"]})
        except jwt.ExpiredSignatureError:
            raise ApiProblem(401, "Token validation error", ["token is expired"]) from None
        except jwt.ImmatureSignatureError:
            raise ApiProblem(401, "Token validation error", ["token is not valid yet"]) from None
        except jwt.InvalidTokenError:
            raise ApiProblem(401, "Token validation error", ["not found"]) from None
        if claims.get("type") != "management" or claims.get("version") != 2:
            raise ApiProblem(401, "Token validation error", ["not a management token"])
        if claims.get("access_key") != self.access_key:
            raise ApiProblem(401, "Token validation error", ["unknown access key"])
        if len(self.good) > 10_000:
            self.good.clear()
        self.good[token] = float(claims["exp"])


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "10")
    try:
        limit = int(raw)
    except ValueError:
        raise ApiProblem(400, "Invalid query param", ["limit must be a number"]) from None
    if not 10 <= limit <= 100:  # §1.5
        raise ApiProblem(400, "Invalid query param", ["limit must be between 10 and 100"])
    return limit


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ApiProblem(400, "Invalid query param", [f"{value} is not true or false"])


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiProblem(400, "Invalid body param", ["the body is not valid JSON"]) from None


def _mapping(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ApiProblem(400, "Invalid body param", ["the body must be a JSON object"])
    return body


class DroppedResponse(Response):
    """Starts an answer and breaks off: the server closes the socket, the client
    sees a connection lost mid-response, as after a network failure."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
        await send({"type": "http.response.body", "body": b'{"id":"', "more_body": True})
        raise DroppedConnection()


Handler = Callable[[Request, Store], Awaitable[Any]]
WRITE_METHODS = ("POST", "DELETE")


def create_app(store: Store, *, access_key: str, secret: str, faults: Faults | None = None,
               latency_ms: float = 0, access_log: str | None = None) -> Starlette:
    check_token = TokenCheck(access_key, secret)
    log = open(access_log, "a", buffering=1, encoding="utf-8") if access_log else None  # noqa: SIM115 - lives with the app
    cache: dict[str, tuple[int, bytes]] = {}  # template GET responses, valid for one store version

    def endpoint(handler: Handler, cacheable: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            started, arrived = time.perf_counter(), time.time()
            status = 500
            try:
                if latency_ms:
                    await asyncio.sleep(latency_ms / 1000)
                check_token(request.headers.get("authorization"))
                fault = faults.pick() if faults else None
                if fault in ("429", "500", "502", "503"):
                    status = int(fault)
                    headers = {"Retry-After": f"{faults.retry_after:g}"} if fault == "429" else None
                    message = "rate limit exceeded" if fault == "429" else "injected server error"
                    return _json({"code": status, "message": message, "details": ["injected by the emulator"]}, status, headers)
                if fault == "drop-before" or (fault == "drop-after" and request.method not in WRITE_METHODS):
                    status = 0
                    return DroppedResponse()
                key = request.url.path
                if cacheable and key in cache and cache[key][0] == store.version:
                    status = 200
                    return Response(cache[key][1], media_type="application/json")
                result = await handler(request, store)
                if fault == "drop-after":  # the write is applied; the answer never arrives
                    status = 0
                    return DroppedResponse()
                if result is None:
                    status = 204
                    return Response(status_code=204)
                status = 200
                payload = json.dumps(result, separators=(",", ":")).encode()
                if cacheable:
                    cache[key] = (store.version, payload)
                return Response(payload, media_type="application/json")
            except ApiProblem as problem:
                status = problem.status
                return _json(problem.body(), problem.status)
            finally:
                if log is not None:
                    # method, path, status, milliseconds taken, arrival (Unix time, for rate checks)
                    log.write(f"{request.method} {request.url.path} {status} {(time.perf_counter() - started) * 1000:.1f} {arrived:.6f}\n")

        return serve

    async def list_templates(request: Request, store: Store) -> Any:
        return store.list_templates(_limit(request), request.query_params.get("start"))

    async def create_template(request: Request, store: Store) -> Any:
        return store.create_template(_mapping(await _body(request)))

    async def get_template(request: Request, store: Store) -> Any:
        return store.get_template(request.path_params["tid"])

    async def update_template(request: Request, store: Store) -> Any:
        return store.update_template(request.path_params["tid"], _mapping(await _body(request)))

    async def role(request: Request, store: Store) -> Any:
        tid, name = request.path_params["tid"], request.path_params["role"]
        if request.method == "GET":
            return store.get_role(tid, name)
        if request.method == "DELETE":
            store.delete_role(tid, name)
            return None
        return store.put_role(tid, name, _mapping(await _body(request)))

    def part(name: str) -> Handler:
        async def handle(request: Request, store: Store) -> Any:
            tid = request.path_params["tid"]
            if request.method == "GET":
                return store.get_part(tid, name)
            return store.post_part(tid, name, _mapping(await _body(request)))

        return handle

    async def recordings(request: Request, store: Store) -> Any:
        tid = request.path_params["tid"]
        if request.method == "GET":
            return store.get_recordings(tid)
        return store.post_recordings(tid, await _body(request))

    async def rooms(request: Request, store: Store) -> Any:
        if request.method == "POST":
            return store.create_room(_mapping(await _body(request)))
        params = request.query_params
        filters = {key: params[key] for key in ("name", "template_id", "after", "before") if key in params}
        enabled = _flag(params.get("enabled"))
        filters["enabled"] = True if enabled is None else enabled
        return store.list_rooms(_limit(request), params.get("start"), filters)

    async def room(request: Request, store: Store) -> Any:
        room_id = request.path_params["room_id"]
        if request.method == "GET":
            return store.get_room(room_id)
        return store.update_room(room_id, _mapping(await _body(request)))

    async def codes(request: Request, store: Store) -> Any:
        room_id = request.path_params["room_id"]
        if request.method == "POST":
            return store.create_codes(room_id)
        filters: dict = {}
        if "role" in request.query_params:
            filters["role"] = request.query_params["role"]
        enabled = _flag(request.query_params.get("enabled"))
        if enabled is not None:
            filters["enabled"] = enabled
        return store.list_codes(room_id, _limit(request), filters, request.query_params.get("start"))

    async def role_code(request: Request, store: Store) -> Any:
        return store.create_codes(request.path_params["room_id"], request.path_params["role"])

    async def code(request: Request, store: Store) -> Any:
        return store.update_code(await _body(request))

    routes = [
        Route("/v2/templates", endpoint(list_templates), methods=["GET"]),
        Route("/v2/templates", endpoint(create_template), methods=["POST"]),
        Route("/v2/templates/{tid}", endpoint(get_template, cacheable=True), methods=["GET"]),
        Route("/v2/templates/{tid}", endpoint(update_template), methods=["POST"]),
        Route("/v2/templates/{tid}/roles/{role}", endpoint(role), methods=["GET", "POST", "DELETE"]),
        Route("/v2/templates/{tid}/settings", endpoint(part("settings")), methods=["GET", "POST"]),
        Route("/v2/templates/{tid}/destinations", endpoint(part("destinations")), methods=["GET", "POST"]),
        Route("/v2/templates/{tid}/recordings", endpoint(recordings), methods=["GET", "POST"]),
        Route("/v2/rooms", endpoint(rooms), methods=["GET", "POST"]),
        Route("/v2/rooms/{room_id}", endpoint(room), methods=["GET", "POST"]),
        Route("/v2/room-codes/room/{room_id}", endpoint(codes), methods=["GET", "POST"]),
        Route("/v2/room-codes/room/{room_id}/role/{role}", endpoint(role_code), methods=["POST"]),
        Route("/v2/room-codes/code", endpoint(code), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.faults = faults
    return app
