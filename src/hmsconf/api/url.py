"""The API URL a workspace talks to, checked before any request is made.

A wrong URL otherwise surfaces deep in the HTTP client as "UnsupportedProtocol;
try again", an internal error, or a long wait for retries: here each mistake is
one sentence that says what to write instead.
"""

from __future__ import annotations

from hmsconf.errors import InvalidApiUrl

EXAMPLE = "e.g. https://api.100ms.live/v2, or http://127.0.0.1:8787/v2 for `hmsconf emulator`"


def checked_api_url(url: str, source: str) -> str:
    """``url`` if it can be the 100ms API's base URL; else an InvalidApiUrl naming ``source`` and the fix."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InvalidApiUrl(f"{source} `{url}` is not a valid URL ({exc}); give the API's address, {EXAMPLE}") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidApiUrl(f"{source} `{url}` is not an http(s) URL; give the API's address with its scheme, {EXAMPLE}")
    if not parsed.host or any(c.isspace() for c in url) or "%" in parsed.host:
        raise InvalidApiUrl(f"{source} `{url}` has no valid host name; give the API's address, {EXAMPLE}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InvalidApiUrl(f"{source} `{url}` has port {parsed.port}, outside 1-65535; {EXAMPLE}")
    if parsed.path.rstrip("/").rsplit("/", 1)[-1] != "v2":
        fixed = str(parsed.copy_with(path=parsed.path.rstrip("/") + "/v2", query=None, fragment=None))
        raise InvalidApiUrl(
            f"{source} `{url}` does not end in /v2, where the 100ms API and the emulator serve; use {fixed}"
        )
    return url
