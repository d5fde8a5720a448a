"""The emulator's HTTP face: the routes of ``routes``, each inside the middleware of ``middleware``.

Both ``hmsconf emulator`` (over uvicorn) and the local workspace file (in process,
through httpx's ASGI transport) serve this app.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from hmsconf.emulator.faults import Faults
from hmsconf.emulator.middleware import (
    AccessLog,
    ErrorResponses,
    FaultInjection,
    Latency,
    ManagementTokens,
    ResponseCache,
    TokenCheck,
)
from hmsconf.emulator.routes import PATHS, Endpoint
from hmsconf.emulator.store import Store


def create_app(store: Store, *, access_key: str, secret: str, faults: Faults | None = None,
               latency_ms: float = 0, access_log: str | None = None) -> Starlette:
    tokens = ManagementTokens(access_key, secret)
    log = open(access_log, "a", buffering=1, encoding="utf-8") if access_log else None  # noqa: SIM115 - lives with the app

    def layers(cached: bool) -> list[Middleware]:
        """The middleware of one route, outermost first (the order ``middleware`` explains)."""
        stack = [Middleware(AccessLog, log=log)] if log is not None else []
        stack.append(Middleware(ErrorResponses))
        if latency_ms:
            stack.append(Middleware(Latency, seconds=latency_ms / 1000))
        stack.append(Middleware(TokenCheck, tokens=tokens))
        if faults:
            stack.append(Middleware(FaultInjection, faults=faults))
        if cached:
            stack.append(Middleware(ResponseCache, store=store))
        return stack

    routes = [Route(path.pattern, Endpoint(store, path.handlers), methods=list(path.handlers), middleware=layers(path.cached))
              for path in PATHS]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.faults = faults
    return app
