"""Serve the emulator app with uvicorn, a standard ASGI server."""

from __future__ import annotations

import logging
import socket
from typing import Any, Callable

from hmsconf.emulator.faults import DroppedConnection


class _QuietDrops(logging.Filter):
    """Injected connection drops are on purpose: keep them out of the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DroppedConnection):
            return False
        return "ASGI callable returned without completing response" not in record.getMessage()


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so that --port 0 can report the port it got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(app: Any, sock: socket.socket, on_ready: Callable[[], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM; uvicorn handles both and shuts down cleanly."""
    import uvicorn

    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    if on_ready is not None:
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets=sockets)
            on_ready()

        server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock])
