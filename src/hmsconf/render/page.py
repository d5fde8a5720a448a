"""The `show --format html` page: one self-contained file a reviewer opens anywhere.

No network at all: the CSS and the subscribe graphs (SVG) are inline, so the
page works as a CI artifact, offline, on a phone. The graph is laid out by
igraph's layered (Sugiyama) layout: layers, crossing reduction and routes for
long edges come from the library, not from hand-placed coordinates.
"""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

from hmsconf.errors import HmsconfError
from hmsconf.model.defaults import MODERATOR_POWERS
from hmsconf.plan.access import PERMISSIONS, AccessReport, TemplateAccess, delta_of
from hmsconf.render import show

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;--yes:#1a7f37;--power:#cf222e;--edge:#59636e}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:var(--fg);background:#fff}
header{padding:12px 16px;border-bottom:1px solid var(--line);background:var(--head)}
header h1{font-size:18px;margin:0}
header p{margin:2px 0 0;color:var(--muted);font-size:13px}
main{padding:8px 16px 32px;max-width:1600px}
h2{font-size:17px;margin:24px 0 8px}
h3{font-size:15px;margin:16px 0 6px;color:var(--muted)}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
.scroll{overflow:auto;max-height:70vh;border:1px solid var(--line);border-radius:6px;max-width:100%}
table{border-collapse:separate;border-spacing:0;font-size:13px}
th,td{padding:4px 7px;border-bottom:1px solid var(--line);text-align:center;white-space:nowrap;background:#fff}
thead th{position:sticky;top:0;background:var(--head);z-index:2}
tbody th,thead th:first-child{position:sticky;left:0;text-align:left;background:var(--head);z-index:1}
thead th:first-child{z-index:3}
th.power{color:var(--power)}
td.yes{color:var(--yes);font-weight:600}
td.yes.power{color:var(--power)}
td.no{color:#afb8c1}
td.gained{font-weight:700;color:var(--yes)}
td.gained.power{color:var(--power);background:#fff1f0}
td.default,span.default{color:var(--muted);font-style:italic}
.notes{margin:6px 0;padding-left:20px;font-size:14px}
.legend{color:var(--muted);font-size:13px}
svg.graph{max-width:100%;height:auto;display:block}
svg.graph .node rect{fill:#fff;stroke:#1f2328;stroke-width:1.2}
svg.graph .node.unseen rect{fill:#f6f8fa;stroke-dasharray:5 3}
svg.graph .node.blind text{font-style:italic}
svg.graph .node.unknown rect{stroke:#cf222e;stroke-dasharray:2 3}
svg.graph text{font:13px system-ui,"Liberation Sans",sans-serif;fill:var(--fg)}
svg.graph path.edge{fill:none;stroke:var(--edge);stroke-width:1.4}
svg.graph path.added{stroke:var(--yes);stroke-width:2}
svg.graph path.removed{stroke:var(--power);stroke-width:2;stroke-dasharray:6 4}
ul.dest{padding-left:20px}
.change{border:1px solid var(--line);border-radius:6px;padding:4px 12px;margin:8px 0}
pre{overflow:auto;font-size:12px;background:var(--head);padding:8px;border-radius:6px}
@media (max-width:600px){main{padding:4px 8px 24px}th,td{padding:3px 6px}}
"""

NODE_H, CHAR_W, PAD_X, GAP_X, GAP_Y, MARGIN = 30, 7.6, 12, 36, 70, 16


def _node_width(label: str) -> float:
    return max(60.0, len(label) * CHAR_W + 2 * PAD_X)


def graph_svg(names: list[str], edges: list[tuple[str, str]], classes: dict[str, list[str]] | None = None,
              edge_classes: dict[tuple[str, str], str] | None = None, title: str = "") -> str:
    """Nodes and directed edges laid out by igraph's Sugiyama layout, as inline SVG.

    A pair of roles that see each other is one line with two arrowheads; a role
    that sees its own peers gets a loop.
    """
    try:
        import igraph
    except ImportError:  # a dependency, but a broken environment must still get one clear sentence
        raise HmsconfError("the HTML page lays out its graph with igraph, which is not installed: pip install 'igraph<0.12'") from None

    classes = classes or {}
    edge_classes = edge_classes or {}
    index = {name: i for i, name in enumerate(names)}
    pairs = [(a, b) for a, b in edges if a != b]
    both = {(a, b) for a, b in pairs if (b, a) in pairs}
    drawn = [(a, b) for a, b in pairs if (a, b) not in both or a < b]
    loops = [a for a, b in edges if a == b]
    graph = igraph.Graph(n=len(names), edges=[(index[a], index[b]) for a, b in drawn], directed=True)
    layout, extended = graph.layout_sugiyama(hgap=1, vgap=1, return_extended_graph=True)
    all_coords = [tuple(c) for c in layout.coords]
    coords = all_coords[: len(names)]
    routes = _routes(extended, len(names))
    unit_x = max((_node_width(n) for n in names), default=60) + GAP_X
    unit_y = NODE_H + GAP_Y

    def place(point: Sequence[float]) -> tuple[float, float]:
        return MARGIN + point[0] * unit_x + unit_x / 2, MARGIN + point[1] * unit_y + NODE_H / 2

    centres = {name: place(coords[i]) for name, i in index.items()}
    width = MARGIN * 2 + (max((c[0] for c in all_coords), default=0) + 1) * unit_x + 40
    height = MARGIN * 2 + (max((c[1] for c in all_coords), default=0)) * unit_y + NODE_H + 10

    def clip(centre: tuple[float, float], towards: tuple[float, float], name: str) -> tuple[float, float]:
        """Where the segment from a node's centre towards a point leaves its box."""
        (cx, cy), (tx, ty) = centre, towards
        dx, dy = tx - cx, ty - cy
        hw, hh = _node_width(name) / 2 + 2, NODE_H / 2 + 2
        if dx == 0 and dy == 0:
            return cx, cy
        scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
        return cx + dx * scale, cy + dy * scale

    parts = [f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>']
    for a, b in drawn:
        u, v = index[a], index[b]
        dummies = routes[(u, v)] if (u, v) in routes else routes.get((v, u), [])[::-1]
        points = [centres[a], *(place(all_coords[d]) for d in dummies), centres[b]]
        points[0] = clip(centres[a], points[1], a)
        points[-1] = clip(centres[b], points[-2], b)
        path = _smooth(points)
        css = " ".join(["edge", edge_classes.get((a, b), "")]).strip()
        start = ' marker-start="url(#arrow)"' if (a, b) in both else ""
        parts.append(f'<path class="{css}" d="{path}"{start} marker-end="url(#arrow)" '
                     f'data-from="{escape(a)}" data-to="{escape(b)}"/>')
    for name in loops:
        x, y = centres[name]
        right = x + _node_width(name) / 2
        css = " ".join(["edge", edge_classes.get((name, name), "")]).strip()
        parts.append(f'<path class="{css}" d="M{right:.1f},{y - 8:.1f} C{right + 34:.1f},{y - 30:.1f} '
                     f'{right + 34:.1f},{y + 30:.1f} {right + 2:.1f},{y + 8:.1f}" marker-end="url(#arrow)" '
                     f'data-from="{escape(name)}" data-to="{escape(name)}"/>')
    for name in names:
        x, y = centres[name]
        w = _node_width(name)
        css = " ".join(["node", *classes.get(name, [])])
        parts.append(f'<g class="{css}" data-role="{escape(name)}"><rect x="{x - w / 2:.1f}" y="{y - NODE_H / 2:.1f}" '
                     f'width="{w:.1f}" height="{NODE_H}" rx="6"/><text x="{x:.1f}" y="{y + 4.5:.1f}" '
                     f'text-anchor="middle">{escape(name)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _routes(extended: Any, originals: int) -> dict[tuple[int, int], list[int]]:
    """(source, target) -> the dummy vertices the layout put on that edge, in order.

    The layered layout splits an edge spanning several layers with dummy
    vertices (one in, one out); following them from each real vertex gives the
    bend points. An edge the layout reversed to break a cycle comes back as
    (target, source): the caller reads it backwards.
    """
    following = {a: b for a, b in extended.get_edgelist() if a >= originals}
    out = {}
    for a, b in extended.get_edgelist():
        if a < originals:
            dummies = []
            while b >= originals:
                dummies.append(b)
                b = following[b]
            out[(a, b)] = dummies
    return out


def _smooth(points: list[tuple[float, float]]) -> str:
    """A path through the layout's route, its corners rounded (quadratic curves via midpoints)."""
    path = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x, y), (nx, ny) in zip(points[1:-1], points[2:]):
        path += f" Q{x:.1f},{y:.1f} {(x + nx) / 2:.1f},{(y + ny) / 2:.1f}"
    return path + f" L{points[-1][0]:.1f},{points[-1][1]:.1f}"


def _permission_table(t: TemplateAccess) -> str:
    head = "".join(f'<th scope="col" class="{"power" if p in MODERATOR_POWERS else ""}">{escape(p)}</th>' for p in PERMISSIONS)
    rows = []
    for r in t.roles:
        cells = []
        for p in PERMISSIONS:
            value = r.permissions[p]
            css = ("yes" if value else "no") + (" power" if p in MODERATOR_POWERS else "")
            cells.append(f'<td class="{css}" data-role="{escape(r.name)}" data-permission="{p}" '
                         f'data-value="{str(value).lower()}">{show.YES if value else show.NO}</td>')
        peers, priority = show.peer_text(r), show.value_text(r.priority)
        cells.append(_maybe_default(peers, r.max_peer_count.declared))
        cells.append(_maybe_default(priority, r.priority.declared))
        rows.append(f'<tr><th scope="row"><code>{escape(r.name)}</code></th>{"".join(cells)}</tr>')
    return (f'<div class="scroll"><table class="permissions"><thead><tr><th scope="col">role</th>{head}'
            f'<th scope="col">maxPeerCount</th><th scope="col">priority</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _maybe_default(text: str, declared: bool) -> str:
    return f'<td class="default">{escape(text)}</td>' if not declared else f"<td>{escape(text)}</td>"


def _publish_table(t: TemplateAccess) -> str:
    rows = []
    for r in t.roles:
        cells = [_maybe_default(show.allowed_text(r), r.allowed.declared)]
        for kind in ("audio", "video", "screen"):
            text = show.track_text(r.tracks[kind])
            css = "no" if text == "—" else ("" if text[-1] not in (show.DEFAULT_MARK, show.UNSETTLED_MARK) else "default")
            cells.append(f'<td class="{css}" data-track="{kind}">{escape(text)}</td>')
        cells.append(f"<td>{escape(show.simulcast_text(r))}</td>")
        rows.append(f'<tr><th scope="row"><code>{escape(r.name)}</code></th>{"".join(cells)}</tr>')
    return ('<div class="scroll"><table class="publish"><thead><tr><th scope="col">role</th><th scope="col">allowed</th><th scope="col">audio</th>'
            '<th scope="col">video</th><th scope="col">screen</th><th scope="col">simulcast</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _template_section(t: TemplateAccess) -> str:
    classes: dict[str, list[str]] = {}
    for name in t.unseen:
        classes.setdefault(name, []).append("unseen")
    for name in t.blind:
        classes.setdefault(name, []).append("blind")
    for name in t.unknown_roles:
        classes.setdefault(name, []).append("unknown")
    svg = graph_svg([*t.role_names, *t.unknown_roles], t.edges, classes, title=f"subscribe graph of {t.name}")
    notes = "".join(f"<li>{escape(n)}</li>" for n in show.graph_notes(t))
    dests = "".join(f"<li><b>{escape(show._KIND_LABEL[d.kind])}</b> <code>{escape(d.name)}</code>: "
                    f"{_inline_code(show.destination_text(d))}</li>" for d in t.destinations) or "<li>none</li>"
    return (f'<section class="template" data-template="{escape(t.name)}"><h2>Template <code>{escape(t.name)}</code></h2>'
            f"<h3>Permissions (moderator powers first, in red)</h3>{_permission_table(t)}"
            f"<h3>Publish</h3>{_publish_table(t)}"
            f"<h3>Subscribe graph</h3><p class=\"legend\">An arrow A → B: A sees and hears B. Dashed box: nobody sees it; "
            f"italic: sees nobody.</p>{svg}<ul class=\"notes\">{notes}</ul>"
            f'<h3>Destinations</h3><ul class="dest">{dests}</ul></section>')


def _inline_code(text: str) -> str:
    """Escaped text with the plan's `name` spans as <code>."""
    import re

    return re.sub(r"`([^`]*)`", r"<code>\1</code>", escape(text))


def _delta_td(row: Any, column: str) -> str:
    text, gained = show.delta_cell(row, column)
    css = ' class="gained power"' if gained and column in MODERATOR_POWERS else ' class="gained"' if gained else ""
    return f"<td{css}>{escape(text)}</td>"


def _plan_section(plan: Any) -> str:
    from hmsconf.render.plan import FORMATS as PLAN_FORMATS

    blocks = []
    for change in plan.changes:
        if not change.is_change:
            continue
        delta = delta_of(change)
        body = "".join(f"<li>{_inline_code(risk.text)}</li>" for risk in change.risks)
        body = f"<ul>{body}</ul>" if body else ""
        if delta.rows:
            columns = delta.columns
            head = "".join(f"<th>{escape(c)}</th>" for c in columns)
            rows = "".join(
                f"<tr><th><code>{escape(row.role)}</code>{escape(show.row_state(row))}</th>"
                + "".join(_delta_td(row, c) for c in columns) + "</tr>"
                for row in delta.rows)
            body += f'<div class="scroll"><table class="delta"><thead><tr><th>role</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
        if delta.added_edges or delta.removed_edges:
            names = list(dict.fromkeys(n for e in [*delta.added_edges, *delta.removed_edges] for n in e))
            styles = {e: "added" for e in delta.added_edges} | {e: "removed" for e in delta.removed_edges}
            body += graph_svg(names, [*delta.added_edges, *delta.removed_edges], edge_classes=styles,
                              title=f"subscribe changes of {change.name}")
            body += '<p class="legend">Green: edges added; red dashed: edges removed.</p>'
        blocks.append(f'<div class="change"><h3>{escape(change.kind)} <code>{escape(change.name)}</code>: '
                      f"{escape(change.action)}</h3>{body}</div>")
    text = PLAN_FORMATS["text"](plan, False)
    return (f'<section class="plan"><h2>Plan for workspace <code>{escape(plan.workspace)}</code></h2>'
            f"<p>{escape(plan.summary())}</p>{''.join(blocks)}<details><summary>The whole plan as text</summary>"
            f"<pre>{escape(text)}</pre></details></section>")


def page(report: AccessReport) -> str:
    where = "the files" if report.source == "files" else "the live workspace"
    sections = [_template_section(t) for t in report.templates] or ["<p>No templates.</p>"]
    if report.plan is not None:
        sections.insert(0, _plan_section(report.plan))
    legend = "".join(f'<p class="legend">{_inline_code(line)}</p>' for line in show.legend(report))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
            f"<title>hmsconf show: {escape(report.workspace)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>Who can do what, who sees whom</h1><p>hmsconf show: workspace <code>{escape(report.workspace)}</code>, "
            f"from {where}</p></header><main>{''.join(sections)}{legend}</main></body></html>\n")
