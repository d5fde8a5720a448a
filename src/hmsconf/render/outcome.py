"""What a write did, as text or JSON: apply's result and export's.

A plan says what would change; these say what happened, request by request.
Lines go to stdout or stderr (failures and what was not run are on stderr, so
a pipe keeps only what was applied); the renderer decides which, the CLI only
writes them in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmsconf.render.readback import text as readback_text

if TYPE_CHECKING:
    from hmsconf.plan.apply import ApplyResult
    from hmsconf.plan.export import ExportResult


@dataclass(frozen=True)
class Line:
    text: str  # with its newline
    to_stderr: bool = False


def apply_text(result: ApplyResult, *, listed_live: bool, failures_listed: bool) -> list[Line]:
    """``listed_live``: each applied request was already shown on the terminal as it completed;
    ``failures_listed``: so were the failures. A plan without changes adds nothing to the plan's text."""
    outcome = result.outcome
    if not result.plan.has_changes:
        return []
    lines = [Line(f"  applied  {done}\n") for done in ([] if listed_live else outcome.done)]
    lines += [Line(f"  FAILED   {request}: {problem}\n", True) for request, problem in ([] if failures_listed else outcome.failed)]
    lines += [Line(f"  not run  {request}\n", True) for request in outcome.skipped]
    if readback := readback_text(outcome.inconsistent):
        lines.append(Line(readback))
    if not outcome.ok:
        lines.append(Line(f"Error: {stopped_sentence(result)}\n", True))
    else:
        lines.append(Line(f"Apply complete: {len(outcome.done)} request(s) sent.\n"))
    return lines


def apply_json(result: ApplyResult) -> list[Line]:
    """One parseable document on stdout, failures included; the exit code says whether it failed."""
    lines = [Line(json.dumps(result.to_json(), indent=2) + "\n")]
    if not result.ok:
        lines.append(Line(f"Error: {stopped_sentence(result)}\n", True))
    return lines


def stopped_sentence(result: ApplyResult) -> str:
    outcome = result.outcome
    return (f"apply stopped after the first failure: {len(outcome.done)} request(s) applied, "
            f"{len(outcome.failed) + len(outcome.skipped)} not. Run `hmsconf apply` again to converge.")


def export_text(result: ExportResult) -> list[Line]:
    lines = [Line(f"Wrote {len(result.written)} file(s) to {result.out} "
                  f"({result.templates} templates, {result.rooms} rooms).\n")]
    if result.placeholders:
        lines.append(Line("Secrets were replaced by placeholders; set these environment variables before `plan`:\n"))
        lines += [Line(f"  {var}\n") for var in result.placeholders]
    return lines
