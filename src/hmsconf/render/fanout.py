"""Several workspaces' plans (`plan --all-workspaces`) in one output: a section each.

Each section is the workspace's plan in the chosen format, or the error that
stopped it, with its exit status. In Markdown each section starts with the
workspace's own sticky-comment marker (``<!-- hmsconf:plan:WORKSPACE -->``) and
heading and fits one pull-request comment by itself, so a workflow can post
or update one comment per workspace by splitting at the markers.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from hmsconf.render.diagnostics import render_text as diagnostics_text
from hmsconf.render.plan import FORMATS as PLAN_FORMATS
from hmsconf.render.plan import markdown_marker

SectionsRenderer = Callable[[list, dict, bool], str]
FORMATS: dict[str, SectionsRenderer] = {}


def _renderer(name: str) -> Callable[[SectionsRenderer], SectionsRenderer]:
    def register(fn: SectionsRenderer) -> SectionsRenderer:
        FORMATS[name] = fn
        return fn

    return register


def _failure(section: Any) -> str:
    shown = diagnostics_text(section.diagnostics, False) if section.diagnostics else ""
    return f"{shown}Error: {section.error}\n"


def _text_like(fmt: str) -> SectionsRenderer:
    def render(sections: list, codes: dict, color: bool = False) -> str:
        out = []
        for section in sections:
            out.append(f"=== workspace `{section.workspace}` (exit {codes[section.workspace]}) ===\n")
            out.append(PLAN_FORMATS[fmt](section.planned.plan, color) if section.planned else _failure(section))
            out.append("\n")
        return "".join(out)

    return render


FORMATS["text"] = _text_like("text")
FORMATS["github"] = _text_like("github")


@_renderer("json")
def render_json(sections: list, codes: dict, color: bool = False) -> str:
    return json.dumps({
        "format_version": 1,
        "workspaces": [{
            "workspace": s.workspace,
            "exit_code": codes[s.workspace],
            "plan": s.planned.plan.to_json() if s.planned else None,
            "error": s.error,
            "diagnostics": [d.to_json() for d in s.diagnostics],
        } for s in sections],
    }, indent=2) + "\n"


@_renderer("markdown")
def render_markdown(sections: list, codes: dict, color: bool = False) -> str:
    parts = []
    for section in sections:
        if section.planned:
            parts.append(PLAN_FORMATS["markdown"](section.planned.plan, False))
        else:
            parts.append("\n".join([markdown_marker(section.workspace), f"### hmsconf plan: workspace `{section.workspace}`", "",
                                    f"**The plan failed (exit {codes[section.workspace]}).**", "", "```", _failure(section).rstrip(), "```", ""]))
    return "\n".join(parts)
