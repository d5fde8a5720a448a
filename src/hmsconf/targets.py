"""Workspace targets behind one interface: the real API, an emulator, or a local file.

The local workspace file is the emulator's own store and app, driven
in-process through ``httpx.ASGITransport``: no server, no socket, but the
same requests, the same validation and real JWTs, so what works locally
works against 100ms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hmsconf.auth import TokenSource
from hmsconf.client import DEFAULT_API_URL, ApiClient

# The local file is private to this machine; its key and secret protect nothing
# and exist only so that the in-process requests carry real, verified tokens.
LOCAL_ACCESS_KEY = "hmsconf-local"
LOCAL_SECRET = "hmsconf-local-workspace-file-not-a-secret"
LOCAL_URL = "http://local-workspace/v2"


@dataclass
class Connection:
    DEFAULT_API_URL: ClassVar[str] = DEFAULT_API_URL

    api_url: str | None = None
    access_key: str | None = None
    secret: str | None = field(default=None, repr=False)
    management_token: str | None = field(default=None, repr=False)
    file: str | None = None
    parallelism: int | None = None  # requests in flight (default: the client's)
    max_rate: float | None = None  # requests per second (default: no limit)

    @property
    def is_file(self) -> bool:
        return self.file is not None


def open_client(connection: Connection, **options: Any) -> ApiClient:
    if connection.parallelism is not None:
        options.setdefault("concurrency", connection.parallelism)
    if connection.max_rate is not None:
        options.setdefault("max_rate", connection.max_rate)
    if connection.is_file:
        import httpx

        from hmsconf.emulator.app import create_app
        from hmsconf.emulator.store import Store

        assert connection.file is not None  # is_file
        _keep_out_of_git(connection.file)
        app = create_app(Store(connection.file), access_key=LOCAL_ACCESS_KEY, secret=LOCAL_SECRET)
        tokens = TokenSource(LOCAL_ACCESS_KEY, LOCAL_SECRET)
        return ApiClient(LOCAL_URL, tokens=tokens, transport=httpx.ASGITransport(app=app), **options)
    tokens = TokenSource(connection.access_key, connection.secret, fixed_token=connection.management_token)
    return ApiClient(connection.api_url or DEFAULT_API_URL, tokens=tokens, **options)


def _keep_out_of_git(file: str) -> None:
    """The project's `.hmsconf/` folder is private to this machine: it gets a
    `.gitignore` of its own, so nobody commits a workspace file by accident."""
    import os

    folder = os.path.dirname(os.path.abspath(file))
    if os.path.basename(folder) != ".hmsconf":
        return
    marker = os.path.join(folder, ".gitignore")
    if os.path.exists(marker):
        return
    try:
        os.makedirs(folder, exist_ok=True)
        with open(marker, "x", encoding="utf-8") as handle:
            handle.write("# Written by hmsconf: the local workspace file is private to this machine.\n*\n")
    except OSError:  # a read-only checkout: the workspace file itself will say what is wrong
        pass
