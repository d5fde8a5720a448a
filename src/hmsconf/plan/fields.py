"""Field-level differences between two canonical objects.

Both sides come from ``normalize``, so defaults are filled and set-like lists
are sorted: maps are compared key by key (roles and destinations are maps
keyed by name), and a list is one value (sets were sorted, ordered lists such
as simulcast and HLS layers keep their order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hmsconf.diagnostics import PathPart, dotted
from hmsconf.model.sensitive import contains_mark, shown

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

    def to_json(self) -> dict[str, Any]:
        return {"path": self.dotted, "old": shown(self.old), "new": shown(self.new), "sensitive": self.sensitive}


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
    # Marks stand where secrets were (normalize put them by their place in the model).
    return FieldChange(path, old, new, sensitive=contains_mark(old) or contains_mark(new))


def list_delta(old: Any, new: Any) -> tuple[list[Any], list[Any]] | None:
    """For two string lists compared as sets: (added, removed); else None."""
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(v, str) for v in old + new):
        return [v for v in new if v not in old], [v for v in old if v not in new]
    return None
