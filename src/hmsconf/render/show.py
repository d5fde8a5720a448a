"""Access models -> text, Markdown, DOT, JSON or a self-contained HTML page (a registry).

`hmsconf show` draws a template the way a reviewer asks about it: a permission
matrix (moderator powers first), a publish matrix, the subscribe graph and the
destinations. The same pictures, as changes, go into the plan and diff
Markdown (``plan_access_markdown``). Renderers only read values from
``hmsconf.plan.access``; the heavy libraries (rich for the terminal, igraph for the
graph layout of the page) are imported when a format needs them.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from hmsconf.model.defaults import MODERATOR_POWERS
from hmsconf.plan.access import (
    PERMISSIONS,
    AccessDelta,
    AccessReport,
    Destination,
    RoleAccess,
    RowChange,
    TemplateAccess,
    Track,
    Value,
    delta_of,
)

ShowRenderer = Callable[[AccessReport, bool], str]
FORMATS: dict[str, ShowRenderer] = {}

YES, NO = "✓", "·"
MAX_DELTA_EDGES = 100
DEFAULT_MARK, UNSETTLED_MARK = "*", "?"
LEGENDS = {
    DEFAULT_MARK: f"{DEFAULT_MARK} not in the file: the server's default as the reference documents it",
    UNSETTLED_MARK: f"{UNSETTLED_MARK} not in the file, and the reference gives no settled default (§9.8, §10.1): "
                    "the value shown is a guess, the server may fill another",
}
_KIND_LABEL = {"rtmp": "RTMP", "hls": "HLS", "recording": "recording", "transcription": "transcription",
               "browserRecording": "browser recording"}


def renderer(name: str) -> Callable[[ShowRenderer], ShowRenderer]:
    def register(fn: ShowRenderer) -> ShowRenderer:
        FORMATS[name] = fn
        return fn

    return register


# -- cell texts shared by every format --------------------------------------------------------


def mark_of(*values: Value) -> str:
    """'' when the file declares every value; else the mark of the least certain default."""
    if all(v.declared for v in values):
        return ""
    return UNSETTLED_MARK if any(not v.declared and not v.settled for v in values) else DEFAULT_MARK


def value_text(value: Value, unit: str = "") -> str:
    return f"{value.value}{unit}{mark_of(value)}"


def track_text(track: Track) -> str:
    if not track.allowed:
        return "—"
    s = track.settings
    bits = []
    if "width" in s:
        size = f"{s['width'].value}×{s['height'].value}"
        bits.append(size + mark_of(s["width"], s["height"]))
    if "frameRate" in s:
        bits.append(value_text(s["frameRate"], " fps"))
    bits.append(value_text(s["bitRate"], " kbps"))
    return " ".join(bits)


def allowed_text(role: RoleAccess) -> str:
    """publishParams.allowed; when the file omits it, the v1 example's list, marked (§3.3: not stated)."""
    names = [v for v in role.allowed.value if isinstance(v, str)] if isinstance(role.allowed.value, list) else []
    text = ", ".join(names) or "nothing"
    return text + mark_of(role.allowed)


def simulcast_text(role: RoleAccess) -> str:
    if not role.simulcast:
        return "—"
    return ", ".join(f"{layer.get('rid', '?')} ÷{layer.get('scaleResolutionDownBy', '?')}" for layer in role.simulcast)


def legend(report: AccessReport) -> list[str]:
    """The meaning of each mark the report uses."""
    used: set[str] = set()
    for t in report.templates:
        for r in t.roles:
            values = [r.max_peer_count, r.priority, r.allowed]
            values += [v for track in r.tracks.values() if track.allowed for v in track.settings.values()]
            used.update(mark_of(v) for v in values)
    return [LEGENDS[m] for m in (DEFAULT_MARK, UNSETTLED_MARK) if m in used]


def peer_text(role: RoleAccess) -> str:
    value = role.max_peer_count
    label = {0: "no limit", -1: "nobody"}.get(value.value, str(value.value)) if isinstance(value.value, int) else str(value.value)
    return label + mark_of(value)


def graph_notes(t: TemplateAccess) -> list[str]:
    roles = {r.name: r for r in t.roles}
    notes = []
    if t.unseen:
        names = [f"{n} (publishes nothing)" if not roles[n].publishes else n for n in t.unseen]
        notes.append("Nobody sees: " + ", ".join(names))
    if t.blind:
        notes.append("Sees nobody: " + ", ".join(t.blind))
    if t.unknown_roles:
        notes.append("Not a role of this template: " + ", ".join(t.unknown_roles))
    return notes


def destination_text(d: Destination) -> str:
    bits = []
    if d.hosts:
        bits.append("to " + ", ".join(d.hosts))
    elif d.kind == "rtmp":
        bits.append("no URL")
    bits += d.details
    if d.role:
        bits.append(f"recorder role `{d.role}`" if d.kind != "transcription" else f"transcribes what `{d.role}` hears")
    return "; ".join(bits)


def _heading(report: AccessReport) -> str:
    where = "the files" if report.source == "files" else "the live workspace"
    return f"workspace `{report.workspace}`, from {where}"


# -- text ------------------------------------------------------------------------------------


@renderer("text")
def render_text(report: AccessReport, color: bool = False) -> str:
    """Aligned tables (rich lays them out) and an adjacency list; ANSI colour only when asked."""
    import io

    from rich import box
    from rich.color import ColorSystem
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=io.StringIO(), width=10_000, color_system=None, highlight=False, emoji=False, markup=False)
    blocks: list[Any] = []

    def table(*headers: str) -> Table:
        out = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
        for index, header in enumerate(headers):
            out.add_column(header, justify="left" if index == 0 else "center", no_wrap=True)
        return out

    def mark(flag: bool, power: bool) -> Text:
        if not flag:
            return Text(NO, style="dim")
        return Text(YES, style="bold red" if power else "green")

    for t in report.templates:
        blocks += [Text(f"Template `{t.name}` ({_heading(report)})", style="bold"), "", "Permissions (moderator powers first)"]
        names = t.role_names
        perms = table("", *names)
        for flag in PERMISSIONS:
            label = f"{flag} (moderator)" if flag in MODERATOR_POWERS else flag
            perms.add_row(label, *(mark(r.permissions[flag], flag in MODERATOR_POWERS) for r in t.roles))
        perms.add_row("maxPeerCount", *(peer_text(r) for r in t.roles))
        perms.add_row("priority", *(value_text(r.priority) for r in t.roles))
        blocks += [perms, "", "Publish"]
        pub = table("role", "allowed", "audio", "video", "screen", "simulcast")
        for r in t.roles:
            pub.add_row(r.name, allowed_text(r), *(track_text(r.tracks[k]) for k in ("audio", "video", "screen")), simulcast_text(r))
        blocks += [pub, "", "Subscribe graph (A → B: A sees and hears B)"]
        width = max((len(n) for n in names), default=0)
        blocks += [f"  {r.name.ljust(width)}  → {', '.join(r.subscribes) or '(nobody)'}" for r in t.roles]
        blocks += [Text(f"  {note}", style="yellow") for note in graph_notes(t)]
        blocks += ["", "Destinations"]
        blocks += [f"  {_KIND_LABEL[d.kind]} `{d.name}`: {destination_text(d)}" for d in t.destinations] or ["  (none)"]
        blocks.append("")
    blocks += legend(report)
    if not report.templates:
        blocks.append(f"No templates ({_heading(report)}).")
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            block = Text(block)
        for line in console.render_lines(block, console.options, pad=False):
            lines.append("".join(
                seg.style.render(seg.text, color_system=ColorSystem.STANDARD) if color and seg.style else seg.text
                for seg in line).rstrip())
    return "\n".join(lines).rstrip("\n") + "\n"


# -- markdown --------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("*", "\\*").replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def mermaid_graph(roles: list[str], edges: list[tuple[str, str]], removed: Sequence[tuple[str, str]] = (),
                  unknown: Sequence[str] = (), edge_label: str = "") -> list[str]:
    """A ```mermaid flowchart; ``removed`` edges dashed and red, the others (added, in a delta) green."""
    ids: dict[str, str] = {}
    lines = ["```mermaid", "flowchart LR"]
    for name in [*roles, *unknown]:
        if name not in ids:
            ids[name] = f"r{len(ids)}"
            lines.append(f"  {ids[name]}[{_mermaid_label(name)}]")
    for a, b in [*edges, *removed]:
        for name in (a, b):
            if name not in ids:
                ids[name] = f"r{len(ids)}"
                lines.append(f"  {ids[name]}[{_mermaid_label(name)}]")
    for a, b in edges:
        lines.append(f"  {ids[a]} -->{edge_label} {ids[b]}")
    for a, b in removed:
        lines.append(f"  {ids[a]} -.->|removed| {ids[b]}")
    if unknown:
        lines.append("  classDef unknown stroke-dasharray: 4 4")
        lines.append("  class " + ",".join(ids[n] for n in unknown) + " unknown")
    return lines


def template_markdown(t: TemplateAccess, heading: str = "###") -> list[str]:
    out = [f"{heading} Template {_code(t.name)}", "", f"{heading}# Permissions", ""]
    out.append("| role | " + " | ".join(PERMISSIONS) + " | maxPeerCount | priority |")
    out.append("|---" * (len(PERMISSIONS) + 3) + "|")
    for r in t.roles:
        cells = [("**✓**" if flag in MODERATOR_POWERS else "✓") if r.permissions[flag] else NO for flag in PERMISSIONS]
        out.append(f"| {_code(r.name)} | " + " | ".join(cells) + f" | {_md(peer_text(r))} | {_md(value_text(r.priority))} |")
    out += ["", f"{heading}# Publish", "", "| role | allowed | audio | video | screen | simulcast |", "|---|---|---|---|---|---|"]
    for r in t.roles:
        cells = [allowed_text(r)] + [track_text(r.tracks[k]) for k in ("audio", "video", "screen")] + [simulcast_text(r)]
        out.append(f"| {_code(r.name)} | " + " | ".join(_md(c) for c in cells) + " |")
    out += ["", f"{heading}# Subscribe graph", "", "An arrow A → B: A sees and hears B.", ""]
    out += mermaid_graph(t.role_names, t.edges, unknown=t.unknown_roles)
    out += ["```", ""]
    out += [f"- {_md(note)}" for note in graph_notes(t)]
    out += ["", f"{heading}# Destinations", ""]
    out += [f"- **{_KIND_LABEL[d.kind]}** {_code(d.name)}: {_md(destination_text(d))}" for d in t.destinations] or ["(none)"]
    out.append("")
    return out


@renderer("markdown")
def render_markdown(report: AccessReport, color: bool = False) -> str:
    out = [f"## hmsconf show: {_heading(report)}", ""] + ([] if report.templates else ["No templates.", ""])
    for t in report.templates:
        out += template_markdown(t)
    out += [f"_{_md(line)}_  " for line in legend(report)]
    return "\n".join(out).rstrip("\n") + "\n"


# -- dot and json ----------------------------------------------------------------------------


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@renderer("dot")
def render_dot(report: AccessReport, color: bool = False) -> str:
    out = ["digraph hmsconf {", "  // A -> B: role A sees and hears role B (subscribeToRoles)",
           "  rankdir=LR;", "  node [shape=box, style=rounded, fontname=Helvetica];"]
    for index, t in enumerate(report.templates):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f"    label={_dot_id('template ' + t.name)};")
        unseen, blind = set(t.unseen), set(t.blind)
        for r in t.roles:
            attrs = [f"label={_dot_id(r.name)}"]
            if r.name in unseen:
                attrs.append('color="gray50"')
            if r.name in blind:
                attrs.append('style="rounded,dashed"')
            out.append(f"    {_dot_id(t.name + '/' + r.name)} [{', '.join(attrs)}];")
        for name in t.unknown_roles:
            out.append(f"    {_dot_id(t.name + '/' + name)} [label={_dot_id(name + ' (no such role)')}, style=dotted];")
        for a, b in t.edges:
            out.append(f"    {_dot_id(t.name + '/' + a)} -> {_dot_id(t.name + '/' + b)};")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


@renderer("json")
def render_json(report: AccessReport, color: bool = False) -> str:
    data = report.to_json()
    if report.plan is not None:
        data["plan"] = report.plan.to_json()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- the access delta of a plan change (plan and diff Markdown) -------------------------------


def _cell(value: Any, column: str = "") -> str:
    if value is None and column not in PERMISSIONS:
        return ""  # maxPeerCount or priority that the change does not touch: not in the plan
    if value is True:
        return YES
    if value is False or value is None:
        return NO
    return str(value)


def delta_cell(row: RowChange, column: str) -> tuple[str, bool]:
    """(cell text, whether the role gains this permission)."""
    if row.before is None:
        return _cell((row.after or {}).get(column), column), row.gained(column)
    if row.after is None:
        return _cell(row.before.get(column), column), False
    if not row.changed(column):
        return _cell(row.after.get(column), column), False
    return f"{_cell(row.before.get(column), column)} → {_cell(row.after.get(column), column)}", row.gained(column)


def _delta_markdown_cell(row: RowChange, column: str) -> str:
    text, gained = delta_cell(row, column)
    if not gained:
        return text
    return f"**{text}**" + (" :warning:" if column in MODERATOR_POWERS and row.before is not None else "")


def row_state(row: RowChange) -> str:
    return " (new)" if row.before is None else " (removed)" if row.after is None else ""


def delta_markdown(delta: AccessDelta) -> list[str]:
    out: list[str] = []
    if delta.rows:
        columns = delta.columns
        out += ["Permission matrix, rows that change (before → after; gained powers in bold):", ""]
        out.append("| role | " + " | ".join(columns) + " |")
        out.append("|---" * (len(columns) + 1) + "|")
        for row in delta.rows:
            out.append(f"| {_code(row.role)}{row_state(row)} | " + " | ".join(_delta_markdown_cell(row, c) for c in columns) + " |")
        out.append("")
    if delta.added_edges or delta.removed_edges:
        out += ["Subscribe graph changes (A → B: A sees and hears B; added solid, removed dashed):", ""]
        # a pull-request comment has a size cap: draw at most MAX_DELTA_EDGES, count the rest
        added = delta.added_edges[:MAX_DELTA_EDGES]
        removed = delta.removed_edges[: MAX_DELTA_EDGES - len(added)]
        roles = list(dict.fromkeys(n for edge in [*added, *removed] for n in edge))
        lines = mermaid_graph(roles, added, removed, edge_label="|added|")
        styles = []
        if added:
            styles.append("  linkStyle " + ",".join(str(i) for i in range(len(added))) + " stroke:#1a7f37,stroke-width:2px")
        if removed:
            numbers = ",".join(str(len(added) + i) for i in range(len(removed)))
            styles.append(f"  linkStyle {numbers} stroke:#cf222e,stroke-width:2px")
        out += [*lines, *styles, "```", ""]
        left = len(delta.added_edges) + len(delta.removed_edges) - len(added) - len(removed)
        if left:
            out += [f"_{left} more edges changed; `hmsconf show` draws the whole graph._", ""]
    return out


def plan_access_lines(change: Any) -> list[str]:
    """For one plan change: Markdown lines of the matrix rows and subscribe edges it moves."""
    delta = delta_of(change)
    return delta_markdown(delta) if delta else []


# -- html ------------------------------------------------------------------------------------


@renderer("html")
def render_html(report: AccessReport, color: bool = False) -> str:
    from hmsconf.render.page import page

    return page(report)
