"""Compute once, keep on disk: derived data that only changes with hmsconf's own code.

Why it exists: some tables hmsconf needs are derived from the pydantic models
(the compiled validator, field catalogues). Deriving them means importing
pydantic and building every model, about a tenth of a second on each run of a
command that otherwise takes a few hundredths (the pre-commit hook). The
result only changes when the code it is derived from changes, so it is stored
in the user's cache directory under a key made of hmsconf's version and a hash
of the sources it depends on, and recomputed whenever that key changes, the
entry is unreadable, or the directory cannot be written (then every run
computes it, and nothing fails).

Each name keeps its newest few entries, not only the current one: two
hmsconf versions on one machine (pre-commit's own environment beside the
project's virtualenv) share the directory and would otherwise remove each
other's entry on every run.

Entries are JSON (never pickle: a cache file must not be able to run code).
``HMSCONF_CACHE_DIR`` picks the directory; ``HMSCONF_CACHE_DIR=`` (empty)
turns the cache off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

T = TypeVar("T")

ENV = "HMSCONF_CACHE_DIR"
KEEP = 4  # entries per name: a few versions or source states side by side; older ones are removed


def cache_dir() -> Path | None:
    """Where entries live: ``$HMSCONF_CACHE_DIR``, else the platform's user cache
    directory; ``None`` when the cache is turned off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hmsconf"


def source_key(*parts: str | bytes | os.PathLike[str]) -> str:
    """A key for derived data: hmsconf's version plus the bytes of every part
    (a path is read; text and bytes are taken as they are). A missing file
    counts as its name, so the key still changes when it appears."""
    from hmsconf import __version__

    try:  # the builtin module: hashlib loads OpenSSL first, 2 ms of every start
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b

    digest = blake2b(__version__.encode(), digest_size=16)
    for part in parts:
        if isinstance(part, bytes):
            chunk = part
        elif isinstance(part, str):
            chunk = part.encode()
        else:
            try:
                chunk = Path(part).read_bytes()
            except OSError:
                chunk = os.fsencode(part)
        digest.update(len(chunk).to_bytes(8, "little"))
        digest.update(chunk)
    return digest.hexdigest()


def cached(name: str, key: str, compute: Callable[[], T], *, check: Callable[[Any], T] | None = None) -> T:
    """``compute()``'s result, from the cache when an entry for (``name``, ``key``)
    exists and reads back, else computed now and stored (best effort).

    The result must be JSON data. ``check`` turns what was read back into the
    result and raises when it is unusable; the entry is then recomputed.
    """
    directory = cache_dir()
    path = directory / f"{name}-{key}.json" if directory is not None else None
    if path is not None:
        try:
            with open(path, "rb") as handle:
                stored = json.loads(handle.read())
            return check(stored) if check is not None else stored
        except Exception:  # missing, unreadable, corrupt or stale-shaped: compute it again
            pass
    value = compute()
    if path is not None:
        _store(path, name, value)
    return check(value) if check is not None else value


def _store(path: Path, name: str, value: Any) -> None:
    from hmsconf.files import (
        write_atomically,  # beside the entry, renamed over it: never half a file
    )

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(value, separators=(",", ":"), allow_nan=False))
        for old in _stale(path.parent, name, path.name):
            _unlink(old)
    except (OSError, TypeError, ValueError):
        pass  # a read-only home, a full disk, data that is not JSON: the caller has its value anyway


def _stale(directory: Path, name: str, keep: str) -> Iterable[Path]:
    """This name's entries beyond the ``KEEP`` newest (``keep``, just written, counts as the newest)."""
    # only this name's entries: `name-<32 hex>.json`, not another name that starts the same
    others = [p for p in directory.glob(f"{name}-*.json")
              if p.name != keep and len(p.name) == len(keep) and all(c in "0123456789abcdef" for c in p.name[len(name) + 1 : -5])]
    return sorted(others, key=_age)[KEEP - 1:]


def _age(path: Path) -> float:
    """Newest first; an entry that vanished meanwhile sorts last (and its removal is a no-op)."""
    try:
        return -path.stat().st_mtime
    except OSError:
        return 0.0


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
