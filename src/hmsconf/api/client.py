"""The 100ms API client: one httpx client for the real API, the emulator and the local file.

The transport is the seam (as in httpx itself): the network for the real API
and the emulator server, ``httpx.ASGITransport`` for the in-process local
workspace file. Everything above it is the same: management tokens refreshed
before they expire, one retry with a fresh token on 401/403, retries with
backoff and jitter (stamina) on 429 (honouring Retry-After), 5xx and broken
connections, bounded concurrency, pagination, and errors that say what to do
and never carry a credential.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Iterable

import httpx
import stamina

from hmsconf.api.auth import TokenSource
from hmsconf.errors import ApiError, ConnectionFailed

DEFAULT_API_URL = "https://api.100ms.live/v2"
PAGE_LIMIT = 100  # §1.5: the maximum
DEFAULT_CONCURRENCY = 32
CONNECT_ATTEMPTS = 3  # an unreachable URL fails fast; a flaky one gets a second chance


class _Transient(Exception):
    """A failure worth retrying; ``retry_after`` overrides the backoff."""

    def __init__(self, reason: str, retry_after: float | None = None, response: httpx.Response | None = None) -> None:
        super().__init__(reason)
        self.retry_after, self.response = retry_after, response


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _body_place(path: str) -> tuple[str, tuple]:
    """Which part of which kind a request body is, from the request path (reference §2, §6)."""
    parts = [p for p in path.split("?")[0].split("/") if p]
    if parts[:1] == ["rooms"]:
        return "Room", ()
    if parts[:1] == ["templates"] and len(parts) >= 3:
        return "Template", tuple(parts[2:4]) if parts[2] == "roles" else (parts[2],)
    return "Template", ()


def _scrub(texts: list, method: str, path: str, body: Any) -> list[str]:
    """Error texts with every secret the request body holds (found by its place) masked."""
    if body is None:
        return [str(t) for t in texts]
    from hmsconf.model import catalogue
    from hmsconf.model.sensitive import scrub

    kind, at = _body_place(path)
    secrets = catalogue.secret_texts(kind, body, at)
    return [scrub(str(t), secrets) for t in texts]


class ApiClient:
    def __init__(self, base_url: str = DEFAULT_API_URL, *, tokens: TokenSource, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 30.0, concurrency: int = DEFAULT_CONCURRENCY, retry_seconds: float = 60.0,
                 retry_attempts: int = 10, wait_max: float = 5.0, max_rate: float | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.requests = 0  # HTTP requests sent, retries included
        self.retry_seconds, self.retry_attempts, self.wait_max = retry_seconds, retry_attempts, wait_max
        self._limit = asyncio.Semaphore(concurrency)
        self.pace = None  # max_rate: requests per second, evenly spaced (hmsconf.api.pacing)
        if max_rate is not None:
            from hmsconf.api.pacing import Pace

            self.pace = Pace(max_rate)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "hmsconf"},
        )

    def __repr__(self) -> str:  # never show tokens or secrets
        return f"ApiClient({self.base_url!r})"

    async def __aenter__(self) -> "ApiClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one request ---------------------------------------------------------------------

    async def _send_once(self, method: str, path: str, body: Any, params: dict | None) -> httpx.Response:
        for attempt in (1, 2):
            async with self._limit:
                if self.pace is not None:  # after the slot: a paced request goes out as soon as it may
                    await self.pace.wait()
                headers = {"Authorization": f"Bearer {self.tokens.token()}"}  # signed after any wait
                self.requests += 1
                response = await self._http.request(method, path, json=body, params=params, headers=headers)
            # §1.3: on 401/403 the SDK signs a fresh token and tries once more
            if response.status_code in (401, 403) and attempt == 1 and self.tokens.can_refresh:
                self.tokens.invalidate()
                continue
            return response
        return response  # pragma: no cover - the loop always returns

    async def request(self, method: str, path: str, *, body: Any = None, params: dict | None = None,
                      recover: Any = None) -> Any:
        """One API call with retries. ``recover``: for a create, an async callable
        that finds the object by name when the answer was lost in transit."""
        connect_failures = 0

        def retry_on(exc: Exception) -> bool | float:
            nonlocal connect_failures
            if isinstance(exc, _Transient):
                return exc.retry_after if exc.retry_after is not None else True
            if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
                connect_failures += 1
                return connect_failures < CONNECT_ATTEMPTS
            return False

        try:
            async for attempt in stamina.retry_context(on=retry_on, attempts=self.retry_attempts, timeout=self.retry_seconds,
                                                         wait_initial=0.1, wait_max=self.wait_max, wait_jitter=0.5):
                with attempt:
                    try:
                        response = await self._send_once(method, path, body, params)
                    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout, httpx.WriteError) as exc:
                        # The request may have been applied. A create is not blindly repeated:
                        # look for the object by name first (reads and overwrites are idempotent).
                        if recover is not None:
                            found = await recover()
                            if found is not None:
                                return found
                        raise _Transient(f"connection lost ({type(exc).__name__})") from None
                    status = response.status_code
                    if status == 429 or status >= 500:
                        raise _Transient(f"HTTP {status}", _retry_after(response), response)
                    if status >= 400:
                        raise self._error(response, method, path, body)
                    if status == 204 or not response.content:
                        return None
                    try:
                        return response.json()
                    except ValueError:
                        raise ApiError(status, method, path, message="the answer is not JSON") from None
        except _Transient as exc:
            if exc.response is not None:
                raise self._error(exc.response, method, path, body) from None
            raise ConnectionFailed(f"the connection to {self.base_url} kept breaking ({exc}) for {method} {path}; try again") from None
        except httpx.ConnectError as exc:
            reason = str(exc) or type(exc).__name__
            if "ssl" in reason.lower() or "certificate" in reason.lower():
                raise ConnectionFailed(f"TLS error talking to {self.base_url}: {reason}; check the URL and your certificates") from None
            raise ConnectionFailed(f"cannot reach {self.base_url} ({reason}); check the URL (--api-url, HMSCONF_API_URL) and the network") from None
        except httpx.TimeoutException:
            raise ConnectionFailed(f"{self.base_url} did not answer in time for {method} {path}; try again") from None
        except httpx.HTTPError as exc:
            raise ConnectionFailed(f"HTTP error talking to {self.base_url}: {type(exc).__name__}; try again") from None
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _error(response: httpx.Response, method: str, path: str, body: Any) -> ApiError:
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        details = given if isinstance(given := data.get("details"), list) else []
        message, *details = _scrub([data.get("message") or "", *details], method, path, body)
        return ApiError(response.status_code, method, path, data.get("code"), message, details)

    # -- pagination (§1.5) ---------------------------------------------------------------------

    async def _pages(self, path: str, params: dict | None = None) -> AsyncIterator[list]:
        start = None
        while True:
            query = {**(params or {}), "limit": PAGE_LIMIT}
            if start:
                query["start"] = start
            page = await self.request("GET", path, params=query)
            data = (page.get("data") or []) if isinstance(page, dict) else []
            yield data
            start = page.get("last") if isinstance(page, dict) else None
            if len(data) < PAGE_LIMIT or not start:
                return

    async def iter_templates(self) -> AsyncIterator[list]:
        async for page in self._pages("/templates"):
            yield page

    async def list_templates(self) -> list[dict]:
        return [t async for page in self.iter_templates() for t in page]

    async def list_rooms(self, enabled: bool | None = None, name: str | None = None, template_id: str | None = None) -> list[dict]:
        """Rooms; ``enabled=None`` lists enabled and disabled ones (two listings, in parallel)."""
        if enabled is None:
            both = await asyncio.gather(self.list_rooms(True, name, template_id), self.list_rooms(False, name, template_id))
            return [*both[0], *both[1]]
        params = {"enabled": "true" if enabled else "false"}
        if name:
            params["name"] = name
        if template_id:
            params["template_id"] = template_id
        return [r async for page in self._pages("/rooms", params) for r in page]

    async def gather(self, calls: Iterable[Any]) -> list:
        """Run many calls at once; the client's semaphore bounds what is in flight."""
        return list(await asyncio.gather(*calls))

    # -- templates (T1–T13) ------------------------------------------------------------------------

    async def find_template_by_name(self, name: str) -> dict | None:
        async for page in self.iter_templates():
            for template in page:
                if template.get("name") == name:
                    return template
        return None

    async def create_template(self, body: dict) -> dict:
        name = body.get("name")
        recover = (lambda: self.find_template_by_name(name)) if name else None
        return await self.request("POST", "/templates", body=body, recover=recover)

    async def get_template(self, tid: str) -> dict:
        return await self.request("GET", f"/templates/{tid}")

    async def update_template(self, tid: str, body: dict) -> dict:
        return await self.request("POST", f"/templates/{tid}", body=body)

    async def put_role(self, tid: str, role: str, body: dict) -> dict:
        return await self.request("POST", f"/templates/{tid}/roles/{role}", body=body)

    async def delete_role(self, tid: str, role: str) -> None:
        try:
            await self.request("DELETE", f"/templates/{tid}/roles/{role}")
        except ApiError as exc:
            if exc.status != 404:  # gone already (a retried delete whose answer was lost): converged
                raise

    async def post_settings(self, tid: str, body: dict) -> dict:
        return await self.request("POST", f"/templates/{tid}/settings", body=body)

    async def post_destinations(self, tid: str, body: dict) -> dict:
        return await self.request("POST", f"/templates/{tid}/destinations", body=body)

    async def get_recordings(self, tid: str) -> list:
        found = await self.request("GET", f"/templates/{tid}/recordings")
        return found if isinstance(found, list) else []

    async def post_recordings(self, tid: str, body: list) -> list:
        return await self.request("POST", f"/templates/{tid}/recordings", body=body)

    # -- rooms (§6) and room codes (§7) -------------------------------------------------------------

    async def find_room_by_name(self, name: str) -> dict | None:
        for enabled in (True, False):
            found = await self.request("GET", "/rooms", params={"name": name, "enabled": "true" if enabled else "false", "limit": 10})
            data = (found or {}).get("data") or []
            if data:
                return data[0]
        return None

    async def create_room(self, body: dict) -> dict:
        name = body.get("name")
        recover = (lambda: self._recover_room(name, body)) if name else None
        return await self.request("POST", "/rooms", body=body, recover=recover)

    async def _recover_room(self, name: str, body: dict) -> dict | None:
        # POST /rooms is an upsert by name (§6.2): only a room that now carries the
        # sent template proves the lost request landed.
        found = await self.find_room_by_name(name)
        if found and (not body.get("template_id") or found.get("template_id") == body["template_id"]):
            return found
        return None

    async def get_room(self, room_id: str) -> dict:
        return await self.request("GET", f"/rooms/{room_id}")

    async def update_room(self, room_id: str, body: dict) -> dict:
        return await self.request("POST", f"/rooms/{room_id}", body=body)

    async def set_room_enabled(self, room_id: str, enabled: bool) -> dict:
        return await self.request("POST", f"/rooms/{room_id}", body={"enabled": enabled})

    async def create_room_codes(self, room_id: str) -> dict:
        return await self.request("POST", f"/room-codes/room/{room_id}", body={})

    async def create_room_code(self, room_id: str, role: str) -> dict:
        async def recover() -> dict | None:
            # asked for only when the role has no enabled code: one now proves the lost request landed
            found = await self.list_room_codes(room_id, role=role, enabled=True)
            return found[0] if found else None

        return await self.request("POST", f"/room-codes/room/{room_id}/role/{role}", body={}, recover=recover)

    async def list_room_codes(self, room_id: str, role: str | None = None, enabled: bool | None = None) -> list[dict]:
        params: dict = {}
        if role:
            params["role"] = role
        if enabled is not None:
            params["enabled"] = "true" if enabled else "false"
        return [c async for page in self._pages(f"/room-codes/room/{room_id}", params) for c in page]

    async def set_room_code_enabled(self, code: str, enabled: bool) -> dict:
        return await self.request("POST", "/room-codes/code", body={"code": code, "enabled": enabled})
