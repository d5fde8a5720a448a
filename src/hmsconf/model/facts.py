"""The marks a model field carries: what hmsconf knows about one 100ms field.

A field's facts are written once, beside its type, as ``Annotated`` marks::

    bitRate: Annotated[Int, Default(32)] = Field(None, ge=16, le=128)
    secretKey: Annotated[Str, Secret()] = None

``model.catalogue`` walks the models once and derives every table the rest of
the code reads (defaults per kind, secret places, set-like lists, read-only
keys, key order). Nothing else lists fields by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Default:
    """The server fills this value when a write leaves the field out.

    ``settled=False``: the reference gives conflicting or unstated values
    (§9.8, §10.1), so an omitted field is never compared: the server may fill
    it differently from our guess. ``echoed=False``: the server stores the
    default but leaves the field out of responses (§3.5's permission flags).
    ``matches_any``: a declared value equal to the default is resolved by the
    server to something else (a room's ``auto`` region becomes ``us``,
    §10.1.1), so it matches whatever the server holds.
    """

    value: Any
    settled: bool = True
    echoed: bool = True
    matches_any: bool = False


@dataclass(frozen=True)
class Secret:
    """A write-only secret (reference §5): sent, never returned, never compared,
    masked everywhere."""


@dataclass(frozen=True)
class SecretInUrl:
    """A URL with secret parts, compared but never shown in clear (§10.4).

    Credentials in the URL (``user:pass@``, ``token``/``key``/``secret``/
    ``sig``/``signature`` query parameters) are always secret. With
    ``stream_key=True`` the last path segment is too: RTMP ingest services put
    the stream key last (``rtmp://a.rtmp.youtube.com/live2/<key>``).
    """

    stream_key: bool = False


@dataclass(frozen=True)
class ReadOnly:
    """The API returns it; a file may hold it (pasted from a response); it is
    never sent and never compared."""


@dataclass(frozen=True)
class PassThrough:
    """Undocumented: sent as declared, never compared (§3.6 ``retry``)."""


@dataclass(frozen=True)
class SetLike:
    """A list whose order carries no meaning: compared as a set."""


@dataclass(frozen=True)
class ModeratorPower:
    """A permission that lets a peer act on others; plans call gaining it a risk."""


@dataclass(frozen=True)
class EchoesKey:
    """Repeats the map key it sits under (a role's ``name``); the server fills it."""


@dataclass(frozen=True)
class AliasOf:
    """The docs' other name for a field (§9.1 ``summary.enable``): read as ``field``."""

    field: str


@dataclass(frozen=True)
class Deprecated:
    """Replaced by ``replacement``: accepted (a ``DEPRECATED-*`` warning says what
    replaced it), never sent, never compared (§10.2.9)."""

    replacement: str


@dataclass(frozen=True)
class Ours:
    """hmsconf's own key (``renamed_from``, ``room_codes``): never sent as it is."""
