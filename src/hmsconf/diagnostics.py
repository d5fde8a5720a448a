"""Diagnostics as values: what is wrong, where, and how sure we are.

Rules produce diagnostics that know only the *path* inside a document (a tuple
of keys and indexes); the loader knows where each path sits in a file. Keeping
the two apart lets the emulator run the very same rules on JSON request bodies,
which have no file at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Union

PathPart = Union[str, int]
Path = tuple[PathPart, ...]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    # Worth knowing, not a problem: `validate` without the secrets a plan needs.
    NOTICE = "notice"


@dataclass(frozen=True)
class Location:
    """Where something was written: a file, a line and a column (1-based).

    ``file`` is None in a position the loader packed: the document's own file.
    """

    file: str | None
    line: int | None
    column: int | None


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    rule: str
    message: str
    path: Path = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None
    # The 400 message the 100ms API documents for this mistake, when it
    # documents one; the emulator answers with it (reference §6.2).
    api_message: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def at(self, file: str | None, line: int | None, column: int | None) -> "Diagnostic":
        return replace(self, file=file, line=line, column=column)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file or "", self.line or 0, self.column or 0, self.rule, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "file": self.file or "",
            "line": self.line or 0,
            "column": self.column or 0,
            "path": dotted(self.path),
        }


def error(rule: str, message: str, path: Path = (), api_message: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, rule, message, tuple(path), api_message=api_message)


def warning(rule: str, message: str, path: Path = ()) -> Diagnostic:
    return Diagnostic(Severity.WARNING, rule, message, tuple(path))


def notice(rule: str, message: str, path: Path = ()) -> Diagnostic:
    return Diagnostic(Severity.NOTICE, rule, message, tuple(path))


def dotted(path: Iterable[PathPart]) -> str:
    """``("roles", "guest", "allowed", 0)`` -> ``roles.guest.allowed[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(key: str, allowed: list[str], cutoff: float = 0.7) -> str:
    """``; did you mean `x`?`` naming the closest of ``allowed`` (case first), or nothing."""
    from difflib import get_close_matches

    by_lower = {a.lower(): a for a in allowed}
    guess = by_lower.get(key.lower()) or next(iter(get_close_matches(key, allowed, 1, cutoff)), None)
    return f"; did you mean `{guess}`?" if guess else ""


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def strictened(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``--strict``: every warning becomes an error (notices stay notices)."""
    return [replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d for d in diagnostics]
