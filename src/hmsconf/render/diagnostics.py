"""Diagnostics -> text, JSON or GitHub workflow commands (a small registry of formats)."""

from __future__ import annotations

import json
from typing import Callable, Sequence, TypeVar

from hmsconf.diagnostics import Diagnostic

DiagnosticRenderer = Callable[[Sequence[Diagnostic], bool], str]
FORMATS: dict[str, DiagnosticRenderer] = {}

# GitHub shows at most 10 error and 10 warning annotations per step; more are dropped silently.
GITHUB_ANNOTATIONS_PER_SEVERITY = 10

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m"


_R = TypeVar("_R", bound=DiagnosticRenderer)


def renderer(name: str) -> Callable[[_R], _R]:
    def register(fn: _R) -> _R:
        FORMATS[name] = fn
        return fn

    return register


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.is_error for d in diagnostics)
    notices = sum(d.severity.value == "notice" for d in diagnostics)
    warnings = len(diagnostics) - errors - notices
    if not diagnostics:
        return "No problems found."
    tail = f", {notices} notice{'s' * (notices != 1)}" if notices else ""
    if errors == warnings == 0:
        return f"No problems found{tail}."
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{tail}."


@renderer("text")
def render_text(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """Compiler style: ``templates/webinar.yaml:12:9: error[ROLE-PRIORITY]: ...``."""
    lines = []
    for d in diagnostics:
        where = f"{d.file}:{d.line}:{d.column}"
        label = f"{d.severity.value}[{d.rule}]"
        if color:
            tint = _RED if d.is_error else _YELLOW
            where = f"{_BOLD}{where}{_RESET}"
            label = f"{tint}{_BOLD}{label}{_RESET}"
        lines.append(f"{where}: {label}: {d.message}")
    tail = summary(diagnostics)
    lines.append(f"{_DIM}{tail}{_RESET}" if color else tail)
    return "\n".join(lines) + "\n"


@renderer("json")
def render_json(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    document = {
        "format_version": 1,
        "valid": not any(d.is_error for d in diagnostics),
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    return json.dumps(document, indent=2) + "\n"


def escape_data(text: str) -> str:
    """Workflow-command message escaping."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Workflow-command property escaping: also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None,
               column: int | None = None, title: str | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={line}")
    if column:
        props.append(f"col={column}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


@renderer("github")
def render_github(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """Annotations on the changed lines, capped as GitHub caps them; the rest as plain lines."""
    lines, shown, hidden = [], {"error": 0, "warning": 0, "notice": 0}, []
    for d in diagnostics:
        level = d.severity.value
        if shown[level] < GITHUB_ANNOTATIONS_PER_SEVERITY:
            shown[level] += 1
            lines.append(annotation(level, d.message, file=d.file, line=d.line, column=d.column, title=d.rule))
        else:
            hidden.append(d)
    if hidden:
        lines.append(
            annotation(
                "notice",
                f"{len(hidden)} more finding(s) are not annotated (GitHub shows "
                f"{GITHUB_ANNOTATIONS_PER_SEVERITY} per severity per step); they follow in the log",
                title="hmsconf",
            )
        )
        lines.extend(f"{d.file}:{d.line}:{d.column}: {d.severity.value}[{d.rule}]: {d.message}" for d in hidden)
    lines.append(summary(diagnostics))
    return "\n".join(lines) + "\n"


# The CI report formats (SARIF, JUnit XML) register themselves in FORMATS too.
from hmsconf.render import reports as _reports  # noqa: E402,F401  (import for its registrations)
