"""The API URL a workspace talks to, checked before any request is made.

A wrong URL otherwise surfaces deep in the HTTP client as "UnsupportedProtocol;
try again", an internal error, or a long wait for retries: here each mistake is
one sentence that says what to write instead.
"""

from __future__ import annotations

from hmsconf.errors import InvalidApiUrl
from hmsconf.model.sensitive import url_parts

EXAMPLE = "e.g. https://api.100ms.live/v2, or http://127.0.0.1:8787/v2 for `hmsconf emulator`"


def checked_api_url(url: str, source: str) -> str:
    """``url`` if it can be the 100ms API's base URL; else an InvalidApiUrl naming ``source`` and the fix."""
    import httpx

    shown, secrets = url_parts(url, False)  # credentials in the URL (user:pass@, ?token=) stay out of the message
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        reason = "" if secrets else f" ({exc})"  # httpx's reason may quote the URL
        raise InvalidApiUrl(f"{source} `{shown}` is not a valid URL{reason}; give the API's address, {EXAMPLE}") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidApiUrl(f"{source} `{shown}` is not an http(s) URL; give the API's address with its scheme, {EXAMPLE}")
    if not parsed.host or any(c.isspace() for c in url) or "%" in parsed.host:
        raise InvalidApiUrl(f"{source} `{shown}` has no valid host name; give the API's address, {EXAMPLE}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InvalidApiUrl(f"{source} `{shown}` has port {parsed.port}, outside 1-65535; {EXAMPLE}")
    if parsed.path.rstrip("/").rsplit("/", 1)[-1] != "v2":
        fixed = str(parsed.copy_with(path=parsed.path.rstrip("/") + "/v2", query=None, fragment=None))
        raise InvalidApiUrl(
            f"{source} `{shown}` does not end in /v2, where the 100ms API and the emulator serve; "
            f"use {url_parts(fixed, False)[0]}"
        )
    return url
