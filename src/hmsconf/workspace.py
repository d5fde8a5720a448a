"""Which workspace a command talks to, and how: hmsconf.yaml plus the CI conventions.

Precedence, as CI systems expect: ``--api-url``/``HMSCONF_API_URL`` replaces
the connection of the selected workspace (whose variables still apply);
``HMS_MANAGEMENT_TOKEN`` or ``HMS_ACCESS_KEY``/``HMS_SECRET`` replace its
credentials; otherwise the workspace entry of hmsconf.yaml decides; a
project that declares nothing uses the local workspace file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path as FsPath
from typing import Any, Mapping

from hmsconf.errors import HmsconfError
from hmsconf.project import DEFAULT_LOCAL_FILE, Project
from hmsconf.targets import Connection

_ENV_REF = re.compile(r"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?\}$")


def _value(raw: Any, key: str, workspace: str, environ: Mapping[str, str]) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise HmsconfError(f"hmsconf.yaml: workspaces.{workspace}.{key} must be text")
    match = _ENV_REF.match(raw)
    if not match:
        return raw
    name, default = match.group(1), match.group(2)
    if name in environ and environ[name] != "":
        return environ[name]
    if default is not None:
        return default
    raise HmsconfError(
        f"workspace `{workspace}` reads {key} from the environment variable {name}, which is not set; "
        f"export {name} (or pick another workspace with --workspace)"
    )


def connection_for(project: Project, workspace: str, api_url: str | None = None,
                   environ: Mapping[str, str] | None = None) -> Connection:
    env = os.environ if environ is None else environ
    entry = project.workspaces.get(workspace)
    if entry is not None and not isinstance(entry, dict):
        raise HmsconfError(f"hmsconf.yaml: workspaces.{workspace} must be a mapping")
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
    from hmsconf.apiurl import checked_api_url

    checked_api_url(url, "--api-url (HMSCONF_API_URL)" if api_url else f"hmsconf.yaml: workspaces.{workspace}.api_url")
    if not token and not (key and secret):
        raise HmsconfError(
            f"workspace `{workspace}` has no credentials: set HMS_ACCESS_KEY and HMS_SECRET "
            f"(or HMS_MANAGEMENT_TOKEN), or give the workspace access_key and secret in hmsconf.yaml"
        )
    return Connection(api_url=url, access_key=key, secret=secret, management_token=token, **_pacing(entry, workspace))


def _pacing(entry: Mapping[str, Any], workspace: str) -> dict[str, Any]:
    """``parallelism`` and ``max_rate`` of a workspace entry, checked (hmsconf.pacing)."""
    out: dict[str, Any] = {}
    parallelism, rate = entry.get("parallelism"), entry.get("max_rate")
    if parallelism is not None:
        if isinstance(parallelism, bool) or not isinstance(parallelism, int) or parallelism < 1:
            raise HmsconfError(f"hmsconf.yaml: workspaces.{workspace}.parallelism must be a whole number of 1 or more")
        out["parallelism"] = parallelism
    if rate is not None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0 or rate == float("inf"):
            raise HmsconfError(f"hmsconf.yaml: workspaces.{workspace}.max_rate must be a number of requests per second above 0")
        out["max_rate"] = float(rate)
    return out
