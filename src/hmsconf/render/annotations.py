"""A plan or diff as GitHub annotations on the lines of the changed keys.

The plan value knows where each document starts (its ``kind:`` line), which is
where a reviewer does not look. The resolved documents still carry every key's
position, so this renderer takes them beside the plan and puts each risk on
the key that causes it and each changed field on its own key; GitHub then shows
them in the pull request's diff, next to the edit.
"""

from __future__ import annotations

from typing import Any, Sequence

from hmsconf.config.loader import locate
from hmsconf.config.resolve import DesiredWorkspace
from hmsconf.diagnostics import Location
from hmsconf.plan.changes import Change, Plan
from hmsconf.plan.fields import FieldChange
from hmsconf.plan.risks import Risk
from hmsconf.render.diagnostics import GITHUB_ANNOTATIONS_PER_SEVERITY, annotation
from hmsconf.render.plan import field_line, render_text

def _position(change: Change, data: Any, path: Sequence[Any]) -> Location:
    document = Location(change.file, change.line, None)
    return locate(data, tuple(path), document) if data is not None else document


def _cause(risk: Risk, fields: Sequence[FieldChange]) -> FieldChange | None:
    """The changed field a risk speaks of: the one whose path names most of what the risk is about
    (its subject and details, or the dotted keys among them)."""
    named = {risk.subject, *(part for d in risk.detail if isinstance(d, str) for part in (d, *d.split(".")))}
    best, score = None, 0
    for f in fields:
        hits = sum(1 for part in f.path if isinstance(part, str) and part in named)
        if hits > score or (hits == score and hits and best is not None and len(f.path) > len(best.path)):
            best, score = f, hits
    return best if best is not None else (fields[0] if fields else None)


def render_github(plan: Plan, desired: DesiredWorkspace | None, title: str = "hmsconf plan") -> str:
    """Risks as warnings and changed fields as notices, each on its key's line; then the text plan."""
    documents = {(item.kind, item.name): item.data for item in desired.objects()} if desired else {}
    shown = {"warning": 0, "notice": 0}
    lines, hidden = [], 0

    def add(level: str, message: str, where: Location, heading: str) -> None:
        nonlocal hidden
        if shown[level] >= GITHUB_ANNOTATIONS_PER_SEVERITY:
            hidden += 1
            return
        shown[level] += 1
        lines.append(annotation(level, message, file=where.file, line=where.line, column=where.column, title=heading))

    for change in plan.changes:
        if not change.is_change:
            continue
        data = documents.get((change.kind, change.name))
        heading = f"{title}: {change.kind} {change.name}"
        for risk in change.risks:
            cause = _cause(risk, change.fields)
            add("warning", risk.text, _position(change, data, cause.path if cause else ()), heading)
        if change.action == "create":
            add("notice", f"{change.kind.lower()} `{change.name}` is created", _position(change, data, ()), heading)
            continue
        for f in change.fields:
            symbol, text = field_line(f)
            add("notice", f"{change.kind.lower()} `{change.name}`: {text}", _position(change, data, f.path), heading)
    if hidden:
        lines.append(annotation("notice", f"{hidden} more annotation(s) not shown (GitHub shows "
                                f"{GITHUB_ANNOTATIONS_PER_SEVERITY} per severity per step); the plan follows in the log",
                                title="hmsconf"))
    lines.append(render_text(plan, False))
    return "\n".join(lines)
