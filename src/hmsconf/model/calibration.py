"""A workspace's learned server defaults: the overlay ``hmsconf calibrate`` writes.

The catalogue's defaults are read from the docs; some are unsettled (the docs
disagree, §9.8, §10.1.3) and any could be wrong for one workspace. ``hmsconf
calibrate`` writes an empty role, empty settings and each destination type,
reads back what the server filled, and saves it as ``calibration/WORKSPACE.json``.
This module is that file's one typed face: ``Calibration`` is passed from the
plan use case (hmsconf.usecases.plan) through ``normalize`` into ``catalogue.fill``/``catalogue.align``, where a
learned value is a settled default for that workspace (no global state).

Paths are the catalogue's patterns (``*`` for every role, destination, list item).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from hmsconf.errors import CalibrationError

# The template and room `hmsconf calibrate` writes. Templates cannot be deleted (§2),
# so it is always this one (create is an upsert by name, §2.1); files may not declare it.
CALIBRATION_NAME = "hmsconf-calibration"
FORMAT_VERSION = 1
FOLDER = "calibration"
STAR = "*"


@dataclass(frozen=True)
class Learned:
    """One default as a workspace's server fills it.

    ``returned=False``: the server leaves the field out of what it returns, so
    an omitted field cannot be compared in this workspace (it becomes unsettled).
    """

    value: Any = None
    returned: bool = True

    def to_json(self) -> Any:
        return {"value": self.value} if self.returned else {"returned": False}


@dataclass(frozen=True)
class Calibration:
    workspace: str
    learned: Mapping[str, Mapping[tuple[str, ...], Learned]]  # kind -> pattern -> learned
    made_at: str = ""
    _by_node: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def overlay(self, kind: str) -> dict[int, Learned]:
        """Learned defaults by catalogue node (nodes are built once per process)."""
        found = self._by_node.get(kind)
        if found is None:
            from hmsconf.model.catalogue import node_at

            found = {}
            for pattern, learned in (self.learned.get(kind) or {}).items():
                node = node_at(kind, pattern)
                if node is not None and node.default is not None:
                    found[id(node)] = learned
            self._by_node[kind] = found
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "workspace": self.workspace,
            "made_at": self.made_at,
            "defaults": {
                kind: {".".join(p): learned.to_json() for p, learned in sorted(rows.items())}
                for kind, rows in sorted(self.learned.items())
            },
        }

    @classmethod
    def from_json(cls, data: Any, where: str) -> "Calibration":
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION or not isinstance(data.get("defaults"), dict):
            raise CalibrationError(f"{where} is not a calibration written by `hmsconf calibrate` (format_version {FORMAT_VERSION}); run it again")
        learned: dict[str, dict[tuple[str, ...], Learned]] = {}
        for kind, rows in data["defaults"].items():
            if not isinstance(rows, dict):
                raise CalibrationError(f"{where}: `defaults.{kind}` is not a mapping; run `hmsconf calibrate` again")
            out = learned.setdefault(str(kind), {})
            for dotted, entry in rows.items():
                if not isinstance(entry, dict) or not ("value" in entry or entry.get("returned") is False):
                    raise CalibrationError(f"{where}: `{kind}` default `{dotted}` is malformed; run `hmsconf calibrate` again")
                out[tuple(str(dotted).split("."))] = Learned(entry.get("value"), "value" in entry)
        return cls(str(data.get("workspace", "")), learned, str(data.get("made_at", "")))


def path_for(root: Path | str, workspace: str) -> Path:
    return Path(root) / FOLDER / f"{workspace}.json"


def load(root: Path | str, workspace: str) -> Calibration | None:
    """The project's calibration of ``workspace``, or None when it was never calibrated."""
    path = path_for(root, workspace)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CalibrationError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalibrationError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON ({exc.msg}); run `hmsconf calibrate` again") from None
    return Calibration.from_json(data, str(path))
