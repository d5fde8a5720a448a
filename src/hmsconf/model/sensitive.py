"""Sensitive values as marks: objects that stand where a secret was.

A secret is known by its place in the model (``model.facts.Secret`` and
``SecretInUrl``), and the normaliser replaces the value found there by a
``Sensitive`` mark. Renderers print the mark's ``shown`` text; nothing ever
has to search text for ``(sensitive)``, and a room whose description is
literally ``(sensitive)`` is plain text like any other.

A mark compares by a keyed digest of the value it replaced (the key is made
per process and never leaves it), so a rotated RTMP stream key is a change
while neither key is ever held, printed or saved. A write-only secret
(reference §5) has no digest: the API never returns it, so two such marks are
equal by definition ("not comparable").
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

SHOWN = "(sensitive)"


@cache
def _key() -> bytes:
    """The per-process digest key, made on first use (validate never needs it: hashlib stays unloaded)."""
    import secrets

    return secrets.token_bytes(32)

# Query parameters that carry credentials (§10.4.20), compared without case, `-` and `_`.
_CREDENTIAL_PARAMS = ("token", "key", "secret", "sig", "signature", "password", "auth", "credential", "credentials")
# Text shorter than this is never used to scrub free text: `e` would turn every e of a message into a mark.
MIN_SCRUB_LENGTH = 8


class Sensitive:
    """A secret's stand-in. ``shown`` is what any output prints."""

    __slots__ = ("shown", "_digest")

    def __init__(self, shown: str = SHOWN, digest: str | None = None) -> None:
        self.shown = shown
        self._digest = digest

    @classmethod
    def of(cls, value: Any, shown: str = SHOWN) -> "Sensitive":
        """A comparable mark for ``value`` (a secret the API returns, such as a stream key)."""
        import hashlib

        digest = hashlib.blake2b(repr(value).encode(), key=_key(), digest_size=16).hexdigest()
        return cls(shown, digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and self._digest == other._digest and self.shown == other.shown

    def __hash__(self) -> int:
        return hash((self.shown, self._digest))

    def __repr__(self) -> str:
        return self.shown

    __str__ = __repr__


WRITE_ONLY = Sensitive()


def shown(value: Any) -> Any:
    """``value`` with every mark replaced by its text: safe for JSON and YAML."""
    if isinstance(value, Sensitive):
        return value.shown
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


def _holds(value: Any, found: Callable[[Any], bool]) -> bool:
    if found(value):
        return True
    if isinstance(value, dict):
        return any(_holds(v, found) for v in value.values())
    if isinstance(value, list):
        return any(_holds(v, found) for v in value)
    return False


def contains_mark(value: Any) -> bool:
    """Does ``value`` hold a secret's mark anywhere?"""
    return _holds(value, lambda v: isinstance(v, Sensitive))


def contains_write_only(value: Any) -> bool:
    """Does ``value`` hold a write-only secret (one the API never returns)?"""
    return _holds(value, lambda v: v is WRITE_ONLY)


def _is_credential_param(name: str) -> bool:
    squashed = name.lower().replace("-", "").replace("_", "")
    return any(squashed.endswith(word) for word in _CREDENTIAL_PARAMS)


def url_parts(url: str, stream_key: bool, hide: Callable[[str], str] = lambda piece: SHOWN) -> tuple[str, list[str]]:
    """(the URL as it may be shown, the secret pieces it holds).

    Credentials in the URL are secret: the userinfo of ``user:pass@``,
    credential query parameters. With ``stream_key`` the last path segment is
    too (§10.4.19); a single path segment cannot be told from an application
    path, so it is hidden as well. The host always stays visible: a reviewer
    sees where the stream goes. ``hide`` says what stands in for each piece.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not parts.netloc:
        # not a URL we can read: with a stream key somewhere in it, all of it is secret;
        # otherwise what stands where userinfo goes (scheme://userinfo@...) still is
        if stream_key and url:
            return hide(url), [url]
        scheme, sep, rest = url.partition("://")
        authority = rest.split("/", 1)[0]
        if not sep or "@" not in authority:
            return url, []
        userinfo = authority.rsplit("@", 1)[0]
        return f"{scheme}://{hide(userinfo)}@{rest[len(userinfo) + 1:]}", [userinfo, *(p for p in userinfo.split(":") if p)]
    found: list[str] = []
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        found.extend([userinfo, *(p for p in userinfo.split(":") if p)])
        netloc = f"{hide(userinfo)}@{host}"
    path = parts.path
    if stream_key:
        segments = [s for s in path.split("/") if s]
        if segments:
            found.append(segments[-1])
            path = "/" + "/".join([*segments[:-1], hide(segments[-1])])
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_is_credential_param(k) and v for k, v in pairs):
            found.extend(v for k, v in pairs if _is_credential_param(k) and v)
            query = "&".join(f"{k}={hide(v) if _is_credential_param(k) and v else v}" for k, v in pairs)
    if not found:
        return url, []
    text = f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return text, found


def mark_url(url: Any, stream_key: bool) -> Any:
    """A URL with secret pieces becomes a comparable mark showing the rest; others stay text."""
    if not isinstance(url, str):
        return url
    text, found = url_parts(url, stream_key)
    return Sensitive.of(url, text) if found else url


def scrub(text: str, values: list[str]) -> str:
    """Free text (an API error, an exception) with every secret value of at
    least ``MIN_SCRUB_LENGTH`` characters replaced by ``(sensitive)``; longest first."""
    for value in sorted({v for v in values if isinstance(v, str) and len(v) >= MIN_SCRUB_LENGTH}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, SHOWN)
    return text
