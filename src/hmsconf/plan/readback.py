"""Read back what was written: the object a write returns, compared with what was sent.

hmsconf's defaults come from the docs, not from a live account (reference §10):
if the server stores a field differently (a default it fills otherwise, a value
it clamps or resolves), the next plan proposes the same change again, forever.
So after every write apply compares the API's answer with the body it sent,
both in canonical form (``normalize``, with the workspace's calibration): what
the catalogue says the server fills or resolves is not an inconsistency,
write-only secrets are never compared and never shown. Each field left over is
an ``Inconsistency``: the field, the value sent (or hmsconf's default, when the
file leaves it out), the value stored, and the line to put in the file so the
next plan is clean. Apply returns them; only the CLI prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hmsconf.diagnostics import dotted
from hmsconf.model.sensitive import SHOWN, shown
from hmsconf.plan import normalize
from hmsconf.plan.fields import ABSENT, diff

_MISSING = object()


@dataclass(frozen=True)
class Inconsistency:
    kind: str  # Template | Room
    name: str
    path: tuple  # in the document, e.g. ("roles", "guest", "publishParams", "audio", "bitRate")
    sent: Any  # canonical; None: not stored by hmsconf's reckoning
    stored: Any  # canonical; None: the server did not keep it
    declared: bool  # the file says this field (else ``sent`` is hmsconf's default)
    sensitive: bool = False
    file: str | None = None
    line: int | None = None

    @property
    def field(self) -> str:
        return dotted(self.path)

    @property
    def suggestion(self) -> str:
        """What to put in the file so the next plan is clean (never a secret)."""
        if self.sensitive:
            return f"check `{self.field}` in the file: the server stored a different (sensitive) value"
        if self.stored is ABSENT:
            return f"remove `{self.field}` from the file: the server does not keep it"
        return f"{self.field}: {_yaml(self.stored)}"

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "name": self.name, "field": self.field,
            "sent": SHOWN if self.sensitive else shown(self.sent),
            "stored": SHOWN if self.sensitive else shown(self.stored),
            "declared": self.declared, "sensitive": self.sensitive,
            "add_to_file": self.suggestion, "file": self.file, "line": self.line,
        }


def _yaml(value: Any) -> str:
    """A value as a YAML flow scalar/collection (JSON is YAML)."""
    return json.dumps(shown(value), ensure_ascii=False)


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _found(kind: str, name: str, want: dict, have: dict, declared_body: dict, calibration: Any,
           skip_false: bool = False) -> list[Inconsistency]:
    have = normalize.compare(kind, want, have, calibration)
    out = []
    for change in diff(have, want):
        if skip_false and change.new is False and change.old is ABSENT:
            continue  # §2.1: the recordings POST response leaves out false booleans
        declared = _get(declared_body, change.path) is not _MISSING
        out.append(Inconsistency(kind, name, change.path, change.new, change.old, declared, change.sensitive))
    return out


def template(name: str, sent: dict, returned: Any, parts: tuple[str, ...], calibration: Any = None) -> list[Inconsistency]:
    """A whole-template write (create or T4): the managed ``parts`` the answer holds."""
    if not isinstance(returned, dict):
        return []
    # recordings are written through their own endpoint; a part the answer leaves out says nothing
    parts = tuple(p for p in parts if p != "recordings" and p in returned)
    want = normalize.template(sent, None, parts, calibration)
    have = normalize.template(returned, None, parts, calibration)
    return _found("Template", name, want, have, sent, calibration)


def role(name: str, role_name: str, sent: dict, returned: Any, calibration: Any = None) -> list[Inconsistency]:
    if not isinstance(returned, dict):
        return []
    want = {"roles": {role_name: normalize.role(sent, role_name, calibration)}}
    have = {"roles": {role_name: normalize.role(returned, role_name, calibration)}}
    return _found("Template", name, want, have, {"roles": {role_name: sent}}, calibration)


_PARTS = {"settings": normalize.settings, "destinations": normalize.destinations, "plugins": normalize.plugins}


def part(name: str, which: str, sent: dict, returned: Any, calibration: Any = None) -> list[Inconsistency]:
    """A settings, destinations or plugins write."""
    if not isinstance(returned, dict) or which not in _PARTS:
        return []
    canonical = _PARTS[which]
    want, have = {which: canonical(sent, calibration)}, {which: canonical(returned, calibration)}
    return _found("Template", name, want, have, {which: sent}, calibration)


def recordings(name: str, sent: list, returned: Any, calibration: Any = None) -> list[Inconsistency]:
    if not isinstance(returned, list):
        return []
    want = {"recordings": [normalize.recording(r, calibration) for r in sent if isinstance(r, dict)]}
    have = {"recordings": [normalize.recording(r, calibration) for r in returned if isinstance(r, dict)]}
    return _found("Template", name, want, have, {"recordings": sent}, calibration, skip_false=True)


def room(name: str, desired: dict, returned: Any, calibration: Any = None) -> list[Inconsistency]:
    """A room write: every field the room document manages, as the answer shows it.

    ``template`` is left out (the answer names it by id and name; plan compares it)
    and so is ``enabled`` (written through its own request, after this one).
    """
    if not isinstance(returned, dict):
        return []
    fields = tuple(f for f in normalize.managed_room_fields(desired) if f not in ("template", "enabled"))
    want = normalize.room(desired, None, fields, calibration)
    have = normalize.room(returned, None, fields, calibration)
    return _found("Room", name, want, have, desired, calibration)


def room_enabled(name: str, enabled: bool, returned: Any) -> list[Inconsistency]:
    stored = returned.get("enabled") if isinstance(returned, dict) else None
    if stored is None or stored == enabled:
        return []
    return [Inconsistency("Room", name, ("enabled",), enabled, stored, True)]
