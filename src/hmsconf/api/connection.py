"""Which workspace a command talks to, and how it is opened: one Connection, one client.

Which: hmsconf.yaml plus the CI conventions. ``--api-url``/``HMSCONF_API_URL``
replaces the connection of the selected workspace (whose variables still
apply); ``HMS_MANAGEMENT_TOKEN`` or ``HMS_ACCESS_KEY``/``HMS_SECRET`` replace
its credentials; otherwise the workspace entry of hmsconf.yaml decides; a
project that declares nothing uses the local workspace file.

How: the real API, an emulator, or the local workspace file behind one
client. The local file is the emulator's own store and app, driven
in-process through ``httpx.ASGITransport``: no server, no socket, but the
same requests, the same validation and real JWTs, so what works locally
works against 100ms.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, ClassVar, Mapping

from hmsconf.api.auth import TokenSource
from hmsconf.api.client import DEFAULT_API_URL, ApiClient
from hmsconf.config.project import DEFAULT_LOCAL_FILE, Project
from hmsconf.errors import ConfigurationError

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


_ENV_REF = re.compile(r"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?\}$")


def _value(raw: Any, key: str, workspace: str, environ: Mapping[str, str]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ConfigurationError(f"hmsconf.yaml: workspaces.{workspace}.{key} must be text")
    match = _ENV_REF.match(raw)
    if not match:
        return raw
    name, default = match.group(1), match.group(2)
    if name in environ and environ[name] != "":
        return environ[name]
    if default is not None:
        return default
    raise ConfigurationError(
        f"workspace `{workspace}` reads {key} from the environment variable {name}, which is not set; "
        f"export {name} (or pick another workspace with --workspace)"
    )


def connection_for(project: Project, workspace: str, api_url: str | None = None,
                   environ: Mapping[str, str] | None = None) -> Connection:
    env = os.environ if environ is None else environ
    entry = project.workspaces.get(workspace)
    if entry is not None and not isinstance(entry, dict):
        raise ConfigurationError(f"hmsconf.yaml: workspaces.{workspace} must be a mapping")
    entry = entry or {}
    api_url = api_url or env.get("HMSCONF_API_URL") or None
    token = env.get("HMS_MANAGEMENT_TOKEN") or None
    key, secret = env.get("HMS_ACCESS_KEY") or None, env.get("HMS_SECRET") or None

    if api_url is None and ("file" in entry or not entry):
        path = _value(entry.get("file"), "file", workspace, env) or DEFAULT_LOCAL_FILE
        file = FsPath(path) if FsPath(path).is_absolute() else project.root / path
        return Connection(file=str(file), **_pacing(entry, workspace))

    def own(field: str) -> str | None:
        # the workspace's own credentials are only read when the environment gives none
        return _value(entry.get(field), field, workspace, env)

    if not token and not (key and secret):
        if entry.get("management_token") is not None:
            token = own("management_token")
        elif entry.get("access_key") is not None or entry.get("secret") is not None:
            key, secret = own("access_key"), own("secret")
    url = api_url or _value(entry.get("api_url"), "api_url", workspace, env) or Connection.DEFAULT_API_URL
    from hmsconf.api.url import checked_api_url

    checked_api_url(url, "--api-url (HMSCONF_API_URL)" if api_url else f"hmsconf.yaml: workspaces.{workspace}.api_url")
    if not token and not (key and secret):
        raise ConfigurationError(
            f"workspace `{workspace}` has no credentials: set HMS_ACCESS_KEY and HMS_SECRET "
            f"(or HMS_MANAGEMENT_TOKEN), or give the workspace access_key and secret in hmsconf.yaml"
        )
    return Connection(api_url=url, access_key=key, secret=secret, management_token=token, **_pacing(entry, workspace))


def _pacing(entry: Mapping[str, Any], workspace: str) -> dict[str, Any]:
    """``parallelism`` and ``max_rate`` of a workspace entry, checked (hmsconf.api.pacing)."""
    out: dict[str, Any] = {}
    parallelism, rate = entry.get("parallelism"), entry.get("max_rate")
    if parallelism is not None:
        if isinstance(parallelism, bool) or not isinstance(parallelism, int) or parallelism < 1:
            raise ConfigurationError(f"hmsconf.yaml: workspaces.{workspace}.parallelism must be a whole number of 1 or more")
        out["parallelism"] = parallelism
    if rate is not None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0 or rate == float("inf"):
            raise ConfigurationError(f"hmsconf.yaml: workspaces.{workspace}.max_rate must be a number of requests per second above 0")
        out["max_rate"] = float(rate)
    return out


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


def preload(connection: Connection) -> None:
    """Import now, on the calling thread, what opening and using ``connection`` imports lazily.

    Why: the live reader uses the connection on a thread of its own while the
    caller goes on importing, and two threads importing at once can deadlock
    on CPython's per-module import locks (CI saw ``_DeadlockError`` when two
    readers of ``plan --all-workspaces`` both imported httpcore → certifi →
    importlib.resources). ``tests/test_reader_imports.py`` fails when a
    library update adds a lazy import this list misses.
    """
    if connection.is_file:
        import hmsconf.emulator.app  # (starlette, sqlite3)
        import hmsconf.emulator.store
    else:
        import anyio._backends._asyncio  # (anyio picks its event-loop backend on first use)
        import anyio.streams.tls
        import anyio.to_thread  # (name resolution)
        import httpcore  # (httpx imports its transport with the first client)


def _keep_out_of_git(file: str) -> None:
    """The project's `.hmsconf/` folder is private to this machine: it gets a
    `.gitignore` of its own, so nobody commits a workspace file by accident."""
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
