"""What every emulator route goes through besides its handler, one ASGI middleware each.

``create_app`` puts them around each route (never around the router, so an unknown
path or method gets Starlette's plain 404/405 untouched, as before). Outermost first;
the order is the behaviour, and ``tests/test_emulator_layers.py`` pins it:

    AccessLog        one line per request; sees the final status (0: dropped) and the whole time
    ErrorResponses   the one place an ``ErrorAnswer``, raised by any layer below, becomes its answer
    Latency          every answer waits, error answers included
    TokenCheck       §1.3, §8: before the fault draw, so a refused request draws no fault
    FaultInjection   429/5xx/dropped connections; outside the cache, so a cached answer can fail too
    ResponseCache    (template GET only) an answer holds until the store's next write
    the route's handler (``routes``)
"""

from __future__ import annotations

import asyncio
import time
from typing import NoReturn, TextIO

import jwt
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hmsconf.emulator.exceptions import (
    ErrorAnswer,
    InjectedServerError,
    InvalidToken,
    MissingToken,
    RateLimited,
)
from hmsconf.emulator.faults import DroppedConnection, Faults
from hmsconf.emulator.store import Store
from hmsconf.emulator.views import error_response

TOKEN_LEEWAY_SECONDS = 30
WRITE_METHODS = ("POST", "DELETE")


class AccessLog:
    """Appends `method path status ms arrival` per request; arrival in Unix seconds, for rate checks.

    The line is written before the answer's last byte leaves, so whoever got an answer
    finds its line in the log."""

    def __init__(self, app: ASGIApp, log: TextIO) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, arrived = time.perf_counter(), time.time()
        status = 500  # an error no layer answered: the server answers 500
        written = False

        def write() -> None:
            nonlocal written
            if not written:
                written = True
                path = scope["path"]
                self.log.write(f"{scope['method']} {path} {status} {(time.perf_counter() - started) * 1000:.1f} {arrived:.6f}\n")

        async def seen(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                write()
            await send(message)

        try:
            await self.app(scope, receive, seen)
        except DroppedConnection:
            status = 0
            raise
        finally:
            write()


class ErrorResponses:
    """Answers an ``ErrorAnswer`` with its status, headers and documented body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ErrorAnswer as error:
            await error_response(error)(scope, receive, send)


class Latency:
    """Delays every request, as a distant API does (`--latency-ms`)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


class ManagementTokens:
    """Management-token verification (reference §1.3, §8), with a cache of good tokens."""

    def __init__(self, access_key: str, secret: str) -> None:
        self.access_key, self.secret = access_key, secret
        self.good: dict[str, float] = {}  # token -> exp

    def verify(self, header: str | None) -> None:
        """Returns when ``header`` (Authorization) carries a valid token; raises an ``Unauthorized``."""
        if not header or not header.startswith("Bearer "):
            raise MissingToken()
        token = header[7:].strip()
        exp = self.good.get(token)
        if exp is not None and exp > time.time() - TOKEN_LEEWAY_SECONDS:
            return
        try:
            claims = jwt.decode(token, self.secret.encode(), algorithms=["HS256"], leeway=TOKEN_LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "nbf"]})
        except jwt.ExpiredSignatureError:
            raise InvalidToken(InvalidToken.EXPIRED) from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken(InvalidToken.NOT_YET_VALID) from None
        except jwt.InvalidTokenError:
            raise InvalidToken(InvalidToken.UNREADABLE) from None
        if claims.get("type") != "management" or claims.get("version") != 2:
            raise InvalidToken(InvalidToken.NOT_MANAGEMENT)
        if claims.get("access_key") != self.access_key:
            raise InvalidToken(InvalidToken.UNKNOWN_ACCESS_KEY)
        if len(self.good) > 10_000:
            self.good.clear()
        self.good[token] = float(claims["exp"])


class TokenCheck:
    """Lets through only requests with a valid management token."""

    def __init__(self, app: ASGIApp, tokens: ManagementTokens) -> None:
        self.app, self.tokens = app, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.tokens.verify(Headers(scope=scope).get("authorization"))
        await self.app(scope, receive, send)


async def _drop(send: Send) -> NoReturn:
    """Start an answer and break off: the server closes the socket and the client sees
    the connection lost mid-response, as after a network failure."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
    await send({"type": "http.response.body", "body": b'{"id":"', "more_body": True})
    raise DroppedConnection()


async def _discard(message: Message) -> None:
    """The answer of a write whose connection drops after it was applied: nobody hears it."""


class FaultInjection:
    """Fails the share of requests ``faults`` picks (§8 of nothing: ours, to rehearse failure)."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = self.faults.pick()
        if fault == "429":
            raise RateLimited(self.faults.retry_after)
        if fault in ("500", "502", "503"):
            raise InjectedServerError(int(fault))
        if fault == "drop-before" or (fault == "drop-after" and scope["method"] not in WRITE_METHODS):
            await _drop(send)
        if fault == "drop-after":  # the write is applied (or refused: its error is answered); the answer never arrives
            await self.app(scope, receive, _discard)
            await _drop(send)
        await self.app(scope, receive, send)


class ResponseCache:
    """Keeps 200 answers by path, each valid while the store's version is the one it was read at."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app, self.store = app, store
        self.kept: dict[str, tuple[int, list[Message]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key, version = scope["path"], self.store.version
        kept = self.kept.get(key)
        if kept is not None and kept[0] == version:
            for message in kept[1]:
                await send(message)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        if messages and messages[0]["status"] == 200:
            self.kept[key] = (version, messages)
