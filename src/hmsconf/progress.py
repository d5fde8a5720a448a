"""How long work tells how far it got, without printing.

The use cases (reading the live workspace, apply's writes, export, validate,
fmt) report progress through this protocol; only the CLI decides whether and
how to show it (a progress display on a terminal's stderr, nothing when stderr
is not a terminal or with ``--quiet``). Keeping it a protocol keeps the
layering: nothing below the CLI prints.
"""

from __future__ import annotations

from typing import Protocol


class Stage(Protocol):
    """One stage of work (reading files, writing requests); several may run at once."""

    def advance(self, steps: int = 1, item: str | None = None) -> None:
        """``steps`` more are done; ``item`` names what is being worked on."""

    def grow(self, total: int) -> None:
        """The stage turns out to have ``total`` steps (pages or reads found on the way)."""

    def done(self) -> None:
        """The stage is over."""


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> Stage:
        """A new stage of ``total`` steps (None: not known yet)."""

    def note(self, line: str) -> None:
        """A result worth keeping on screen (one write applied, one failed)."""


class _NoStage:
    def advance(self, steps: int = 1, item: str | None = None) -> None:
        pass

    def grow(self, total: int) -> None:
        pass

    def done(self) -> None:
        pass


class NoProgress:
    """Progress nobody watches: every call does nothing."""

    def stage(self, name: str, total: int | None = None) -> Stage:
        return _NoStage()

    def note(self, line: str) -> None:
        pass


NO_PROGRESS: Progress = NoProgress()
