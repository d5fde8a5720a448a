"""Field-level differences between two canonical objects.

Both sides come from ``normalize``, so defaults are filled and set-like lists
are sorted: maps are compared key by key (roles and destinations are maps
keyed by name), and a list is one value (sets were sorted, ordered lists such
as simulcast and HLS layers keep their order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hmsconf.diagnostics import PathPart, dotted
from hmsconf.normalize import SENSITIVE

ABSENT = None  # how a missing value appears in a FieldChange


@dataclass(frozen=True)
class FieldChange:
    path: tuple[PathPart, ...]
    old: Any
    new: Any
    sensitive: bool = False

    @property
    def dotted(self) -> str:
        return dotted(self.path)

    def to_json(self) -> dict:
        return {"path": self.dotted, "old": self.old, "new": self.new, "sensitive": self.sensitive}


_MISSING = object()


def diff(old: Any, new: Any, path: tuple[PathPart, ...] = ()) -> list[FieldChange]:
    """Every leaf or subtree that differs, in key order of ``new`` then ``old``."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[FieldChange] = []
        for key in list(new) + [k for k in old if k not in new]:
            a, b = old.get(key, _MISSING), new.get(key, _MISSING)
            if a is _MISSING:
                changes.append(_change(path + (key,), ABSENT, b))
            elif b is _MISSING:
                changes.append(_change(path + (key,), a, ABSENT))
            else:
                changes.extend(diff(a, b, path + (key,)))
        return changes
    return [_change(path, old, new)]


def _change(path: tuple[PathPart, ...], old: Any, new: Any) -> FieldChange:
    return FieldChange(path, old, new, sensitive=_mentions_secret(old) or _mentions_secret(new))


_SENSITIVE_JSON = json.dumps(SENSITIVE)


def _mentions_secret(value: Any) -> bool:
    if value == SENSITIVE:
        return True
    if isinstance(value, (dict, list)):
        # one C-speed pass instead of a Python walk: a create diffs whole templates
        return _SENSITIVE_JSON in json.dumps(value, default=str)
    return False


def align_write_only(desired: Any, live: Any) -> Any:
    """Live state as far as it can be compared: where the desired side holds a
    write-only secret and the live side has its container, assume the secret
    is there (the API does not return it; reference §5)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        out = dict(live)
        for key, value in desired.items():
            if value == SENSITIVE and key not in live:
                out[key] = SENSITIVE
            elif key in live:
                out[key] = align_write_only(value, live[key])
        return out
    return live


def list_delta(old: Any, new: Any) -> tuple[list, list] | None:
    """For two string lists compared as sets: (added, removed); else None."""
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(v, str) for v in old + new):
        return [v for v in new if v not in old], [v for v in old if v not in new]
    return None
