"""Apply's read-back report as text: fields the server stored differently from what was sent.

Kept apart from the plan renderers: it describes what a write did, not what a
plan proposes, and it says what to put in the file so the next plan is clean.
Secrets are never shown (``readback.Inconsistency`` masks them).
"""

from __future__ import annotations

from typing import Any


def text(inconsistent: list[Any]) -> str:
    if not inconsistent:
        return ""
    lines = [
        f"Inconsistent result: the server stored {len(inconsistent)} field(s) differently from what was sent.",
        "The next plan shows them as changes until the file says what the server stores:",
    ]
    for item in inconsistent:
        data = item.to_json()
        where = f"{item.file}:{item.line}: " if item.file else ""
        sent = data["sent"] if item.declared else f"{data['sent']} (not in the file: hmsconf's default)"
        lines.append(f"  {where}{item.kind.lower()} `{item.name}` {item.field}: sent {_value(sent, item.declared)}, stored {_value(data['stored'])}")
        lines.append(f"      add to the file: {item.suggestion}")
    if any(not item.declared for item in inconsistent):
        lines.append("  (hmsconf's defaults differ from this workspace's: `hmsconf calibrate` learns them once for every file)")
    return "\n".join(lines) + "\n"


def _value(value: Any, literal: bool = True) -> str:
    import json

    if value is None:
        return "nothing"
    return json.dumps(value, ensure_ascii=False) if literal or not isinstance(value, str) else value
