"""Plan -> text, JSON, Markdown or GitHub annotations (a small registry of formats).

Renderers only read the Plan value; they never compute anything about the
workspace, so a saved plan renders exactly as it did when it was made.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from hmsconf.model.defaults import PERMISSION_DEFAULTS
from hmsconf.model.sensitive import Sensitive
from hmsconf.plan.changes import Action, ApiRequest, Change, Plan, role_delta_text
from hmsconf.plan.fields import FieldChange
from hmsconf.render.diagnostics import annotation
from hmsconf.render.markdown import truncate_markdown
from hmsconf.render.show import plan_access_lines

PlanRenderer = Callable[[Plan, bool], str]
FORMATS: dict[str, PlanRenderer] = {}

_COLOR = {"create": "\x1b[32m", "update": "\x1b[33m", "disable": "\x1b[31m", "enable": "\x1b[32m", "unmanaged": "\x1b[2m"}
_RESET, _BOLD, _RED = "\x1b[0m", "\x1b[1m", "\x1b[31m"
# GitHub rejects comments over 65,536 characters.
MARKDOWN_COMMENT_LIMIT = 65_000


def renderer(name: str) -> Callable[[PlanRenderer], PlanRenderer]:
    def register(fn: PlanRenderer) -> PlanRenderer:
        FORMATS[name] = fn
        return fn

    return register


def value_text(value: Any, sensitive: bool = False) -> str:
    if isinstance(value, Sensitive):
        return value.shown
    if sensitive and isinstance(value, str):
        return value  # a saved plan holds the shown text of the mark
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def field_line(f: FieldChange) -> tuple[str, str]:
    """(symbol, text) for one field change."""
    if f.old is None:
        return "+", f"{f.dotted}: {value_text(f.new, f.sensitive)}"
    if f.new is None:
        return "-", f"{f.dotted}: {value_text(f.old, f.sensitive)}"
    delta = role_delta_text(f)
    if delta is not None:
        return "~", f"{f.dotted}: {delta}"
    old, new = value_text(f.old, f.sensitive), value_text(f.new, f.sensitive)
    if f.sensitive and old == new:
        # never the values: a write-only secret sent again, or a secret that changed
        return "~", f"{f.dotted}: {new} ({'sent again' if f.old == f.new else 'changed'})"
    return "~", f"{f.dotted}: {old} -> {new}"


def granted(perms: Mapping[str, bool]) -> str:
    names = [flag for flag in PERMISSION_DEFAULTS if perms.get(flag)]
    return ", ".join(names) if names else "(none)"


def _title(change: Change) -> str:
    return f"{change.kind.lower()} `{change.name}`"


def _visible_fields(change: Change) -> list[FieldChange]:
    """Whole roles added or removed are told by ``role_changes`` and the
    permission table, not by dumping every default they carry."""
    return [f for f in change.fields if not (f.path[:1] == ("roles",) and len(f.path) <= 2)]


@renderer("text")
def render_text(plan: Plan, color: bool = False) -> str:
    def paint(action: str, text: str) -> str:
        return f"{_COLOR[action]}{text}{_RESET}" if color else text

    out: list[str] = [partial_note(plan), ""] if plan.targets is not None else []
    changes = [c for c in plan.changes if c.is_change]
    if changes:
        if plan.base is not None:
            out.append(f"Changes from `{plan.base}` (base) → the working tree (head), workspace `{plan.workspace}`:")
        else:
            out.append(f"hmsconf will make these changes in workspace `{plan.workspace}`:")
        out.append("")
    for change in changes:
        where = f"  ({change.file}:{change.line})" if change.file else ""
        out.append(paint(change.action, f"  {Action(change.action).symbol} {_title(change)}: {change.action}") + where)
        for role, kind in change.role_changes.items():
            if change.action != "create" or kind != "added":
                out.append(f"      role `{role}` {kind}")
        if change.action == "create" and change.role_changes:
            out.append(f"      roles: {', '.join(change.role_changes)}")
        for f in _visible_fields(change):
            symbol, text = field_line(f)
            out.append(f"      {symbol} {text}")
        for risk in change.risks:
            out.append(("      " + (f"{_RED}!{_RESET}" if color else "!")) + f" {risk.text}")
        if change.effective_permissions:
            out.append("      effective permissions:")
            width = max(len(r) for r in change.effective_permissions)
            for role, perms in change.effective_permissions.items():
                out.append(f"        {role.ljust(width)}  {granted(perms)}")
        if change.unmanaged_parts and change.kind == "Template":
            out.append(f"      not managed here (left as they are): {', '.join(change.unmanaged_parts)}")
        if requests := plan.requests_of(change):
            out.append(f"      requests: {'; '.join(str(r) for r in requests)}")
        if change.protected:
            out.append("      protected in hmsconf.yaml: apply will refuse")
        out.append("")
    unmanaged = [c for c in plan.changes if c.action == "unmanaged"]
    if unmanaged:
        out.append("In no file at head but at the base (apply leaves them alone; templates cannot be deleted through the API):"
                   if plan.base is not None else
                   "In the workspace but in no file (left alone; templates cannot be deleted through the API):")
        for change in unmanaged:
            out.append(paint("unmanaged", f"  ? {_title(change)}"))
        out.append("")
    for warning in plan.warnings:
        out.append(f"Warning: {warning}")
    for step in plan.manual_steps:
        out.append(f"Manual step: {step}")
    if plan.warnings or plan.manual_steps:
        out.append("")
    summary = plan.summary()
    out.append(f"{_BOLD}{summary}{_RESET}" if color else summary)
    return "\n".join(out) + "\n"


@renderer("json")
def render_json(plan: Plan, color: bool = False) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=False) + "\n"


def partial_note(plan: Plan) -> str:
    """What a targeted plan covers, said before anything else."""
    return (f"Partial plan: only {', '.join(plan.targets or [])} (--target); "
            "nothing else in the workspace was read or compared.")


def markdown_marker(workspace: str, kind: str = "plan") -> str:
    """A hidden first line, so a workflow can find and update its own comment."""
    return f"<!-- hmsconf:{kind}:{workspace} -->"


def _markdown_change(change: Change, requests: tuple[ApiRequest, ...]) -> str:
    lines = [f"<details><summary><b>{Action(change.action).symbol} {change.kind} <code>{change.name}</code></b>: {change.action}"
             + (f" ({len(change.risks)} risk{'s' * (len(change.risks) != 1)})" if change.risks else "")
             + "</summary>", ""]
    if change.file:
        lines.append(f"Source: `{change.file}:{change.line}`")
        lines.append("")
    if change.risks:
        lines.extend(f"- :warning: {risk.text}" for risk in change.risks)
        lines.append("")
    if change.role_changes:
        lines.extend(f"- role `{role}` {kind}" for role, kind in change.role_changes.items())
        lines.append("")
    fields = _visible_fields(change)
    if fields:
        lines.append("```diff")
        for f in fields:
            symbol, text = field_line(f)
            lines.append(f"{'!' if symbol == '~' else symbol} {text}")
        lines.append("```")
        lines.append("")
    if change.effective_permissions:
        flags = list(PERMISSION_DEFAULTS)
        lines.append("| role | " + " | ".join(flags) + " |")
        lines.append("|---" * (len(flags) + 1) + "|")
        for role, perms in change.effective_permissions.items():
            lines.append(f"| `{role}` | " + " | ".join("✓" if perms.get(f) else "" for f in flags) + " |")
        lines.append("")
    lines.extend(plan_access_lines(change))
    if change.unmanaged_parts and change.kind == "Template":
        lines.append(f"Not managed here: {', '.join(change.unmanaged_parts)}")
        lines.append("")
    if requests:
        lines.append("Requests: " + "; ".join(f"`{r}`" for r in requests))
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def render_markdown_limited(plan: Plan, limit: int = MARKDOWN_COMMENT_LIMIT, heading: str | None = None,
                            marker_kind: str = "plan") -> str:
    changes = [c for c in plan.changes if c.is_change]
    where = f"`{plan.base}` → head, workspace `{plan.workspace}`" if plan.base is not None else f"workspace `{plan.workspace}`"
    head = [markdown_marker(plan.workspace, marker_kind), f"### {heading or 'hmsconf plan'}: {where}", ""]
    if plan.targets is not None:
        head += [f"> {partial_note(plan)}", ""]
    head += [f"**{plan.summary()}**", ""]
    risky = [f"- :warning: **{c.kind} `{c.name}`**: {r.text}" for c in changes for r in c.risks]
    if risky:
        head += ["**Risks**", "", *risky, ""]
    for step in plan.manual_steps:
        head.append(f"- :hand: Manual step: {step}")
    for warning in plan.warnings:
        head.append(f"- :warning: {warning}")
    unmanaged = [c for c in plan.changes if c.action == "unmanaged"]
    tail = []
    if unmanaged:
        names = ", ".join(f"{c.kind.lower()} `{c.name}`" for c in unmanaged)
        where = "At the base but in no file at head (left alone)" if plan.base is not None else "In the workspace but in no file (left alone)"
        tail = ["", "", f"{where}: {names}"]  # a blank line after </details>, or GitHub shows raw HTML
    text = "\n".join(head)
    if len(text) > limit:
        return truncate_markdown(text, limit)
    body: list[str] = []
    for index, change in enumerate(changes):
        block = _markdown_change(change, plan.requests_of(change))
        remaining = len(changes) - index
        note = f"\n\n_{remaining} more change{'s' * (remaining != 1)}; see the job log._\n"
        if len(text) + sum(len(b) + 2 for b in body) + len(block) + len(note) + 2 > limit:
            body.append(note.strip())
            return text + "\n" + "\n\n".join(body) + "\n"
        body.append(block)
    out = text + "\n" + "\n\n".join(body) + "\n".join(tail) + "\n"
    return out if len(out) <= limit else truncate_markdown(out, limit)


@renderer("markdown")
def render_markdown(plan: Plan, color: bool = False) -> str:
    return render_markdown_limited(plan)


@renderer("github")
def render_github(plan: Plan, color: bool = False) -> str:
    """Risks as warnings on the document that causes them; then the text plan."""
    lines = []
    shown = 0
    for change in plan.changes:
        for risk in change.risks:
            if shown >= 10:
                break
            shown += 1
            lines.append(annotation("warning", risk.text, file=change.file, line=change.line, title=f"hmsconf plan: {change.kind} {change.name}"))
    lines.append(render_text(plan, False))
    return "\n".join(lines)
