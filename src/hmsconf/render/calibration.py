"""`hmsconf calibrate`'s report as text: the defaults where the workspace differs from the catalogue.

A table, because the point of calibrating is to see every such default at once
(unsettled ones included: those are the guesses); the JSON form is
``calibrate.Calibrated.to_json``.
"""

from __future__ import annotations

import json
from typing import Any

_NOTES = {
    "differs": "learned",
    "not-returned": "learned: not returned, so not compared",
    "guards-access": "not learned: guards access, stays compared with the catalogue (§10.1.3)",
    "unknown-to-catalogue": "not learned: the catalogue has no default here",
}
_DESCRIBED = {
    "/templates": "template `{name}`: create or overwrite (templates cannot be deleted: always this one)",
    "/templates/{id}/recordings": "its recording config",
    "/rooms": "room `{name}` on it",
    "/rooms/{room_id}": "disable the room",
}


def _value(value: Any, returned: bool = True) -> str:
    return json.dumps(value) if returned else "(not returned)"


def text(result: Any) -> str:
    from hmsconf.model.calibration import CALIBRATION_NAME

    if result.dry_run:
        lines = [f"Dry run: nothing was sent. In workspace `{result.workspace}` calibrate would:"]
        for method, path, _ in result.requests:
            what = _DESCRIBED.get(path, "read it back") if method == "POST" else "read it back"
            lines.append(f"  {method:<4} {path:<28} {what.format(name=CALIBRATION_NAME)}")
        lines.append(f"and write {result.file}.")
        return "\n".join(lines) + "\n"
    lines = [f"Calibrated workspace `{result.workspace}`: {len(result.rows)} server defaults read; "
             f"{len(result.newly_settled)} of hmsconf's unsettled defaults are now settled for this workspace."]
    rows = result.differences
    if rows:
        table = [("kind", "field", "catalogue", "workspace", "")]
        for row in rows:
            data = row.to_json()
            catalogue = "(none)" if row.status == "unknown-to-catalogue" else _value(data["catalogue"]) + ("" if row.settled else " (unsettled)")
            table.append((row.kind, row.field, catalogue, _value(data["workspace"], data["returned"]), _NOTES[row.status]))
        widths = [max(len(r[i]) for r in table) for i in range(4)]
        lines.append(f"{len(rows)} default(s) differ from hmsconf's catalogue:")
        lines += ["  " + "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(r)).rstrip() for r in table]
    else:
        lines.append("No default differs from hmsconf's catalogue.")
    for row in result.resolved:
        lines.append(f"Resolved by the server, not a default: {row.kind.lower()} `{row.field}` "
                     f"{_value(row.catalogue)} became {_value(row.to_json()['workspace'])} (§10.1.1: compared only when declared).")
    lines.append(f"Wrote {result.file}: plan and apply use it for workspace `{result.workspace}` from now on (keep it in git).")
    return "\n".join(lines) + "\n"
