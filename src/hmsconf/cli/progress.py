"""Progress on the terminal: rich's progress display on stderr, or nothing.

The use cases report through ``hmsconf.progress``; this is the one place that
shows it. Shown only when stderr is a terminal and ``--quiet`` is not given,
and never on stdout, so ``--format json`` output stays parseable. rich is
imported only then, so commands in pipes and CI pay nothing for it.

The display is redrawn when a stage moves (at most ``REDRAWS_PER_SECOND``),
never by rich's own refresh thread: validate and plan fork workers only in a
process without threads (hmsconf.config.parallel), so with that thread the
very runs a person watches on a terminal used one core.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from hmsconf.progress import NO_PROGRESS, Progress

REDRAWS_PER_SECOND = 12


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--quiet", "-q", is_flag=True, help="No progress display on stderr.")(f)


def wanted(quiet: bool, stream: Any = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress_display(quiet: bool) -> Iterator[Progress]:
    """A Progress for the use cases: live on a terminal's stderr, silent otherwise."""
    if not wanted(quiet):
        yield NO_PROGRESS
        return
    display = _RichProgress()
    try:
        yield display
    finally:
        display.close()


class _Stage:
    def __init__(self, owner: "_RichProgress", task: Any) -> None:
        self.owner, self.task = owner, task

    def advance(self, steps: int = 1, item: str | None = None) -> None:
        fields: dict[str, Any] = {"item": _short(item)} if item else {}
        self.owner.bar.update(self.task, advance=steps, **fields)
        self.owner.redraw()

    def grow(self, total: int) -> None:
        self.owner.bar.update(self.task, total=total)
        self.owner.redraw()

    def done(self) -> None:
        self.owner.bar.remove_task(self.task)
        self.owner.redraw(now=True)


class _RichProgress:
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(file=sys.stderr, highlight=False)
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[item]}"),
            console=self.console,
            auto_refresh=False,  # no refresh thread (see the module's docstring): redraw() instead
            transient=True,
            # stdout stays ours: rich must not capture it and send it to stderr
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.lock = threading.Lock()
        self._drawn = 0.0
        self.bar.start()

    def stage(self, name: str, total: int | None = None) -> _Stage:
        with self.lock:
            stage = _Stage(self, self.bar.add_task(name, total=total, item=""))
        self.redraw(now=True)
        return stage

    def redraw(self, now: bool = False) -> None:
        """Draw the display again, unless it was drawn less than a redraw's interval ago."""
        moment = time.monotonic()
        with self.lock:
            if not now and moment - self._drawn < 1 / REDRAWS_PER_SECOND:
                return
            self._drawn = moment
        self.bar.refresh()

    def note(self, line: str) -> None:
        self.console.print(line, markup=False, soft_wrap=True)

    def close(self) -> None:
        self.bar.stop()


def _short(item: str, width: int = 60) -> str:
    return item if len(item) <= width else "…" + item[-(width - 1):]
