"""Per-file work spread over every core, results in input order.

Why it exists: validating a large project is parsing and checking files that
do not depend on each other, and one Python process uses one core. Forked
workers inherit everything already loaded (no start-up, no copying of inputs);
only results travel back, pickled. Output is identical to a serial run: results
come back in input order, and a worker's exception is raised here.

Forking is only safe in a process without other threads (a forked child gets
copies of locks another thread may hold), so this runs serially when other
threads exist, where ``fork`` does not exist or is unsafe (Windows, macOS), on
one core, for few items, or with ``HMSCONF_JOBS=1``. ``HMSCONF_JOBS=N`` sets
the number of processes.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV = "HMSCONF_JOBS"
# Below this many items a fork costs more than it saves (a worker starts in ~5 ms).
MIN_ITEMS = 16
_CHUNKS_PER_WORKER = 4  # smaller chunks even out files of different sizes

# (function, items) of the running map: set before forking, inherited by the workers
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def jobs() -> int:
    """How many processes a map may use."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


def forked_map(fn: Callable[[T], R], items: Sequence[T], *, min_items: int = MIN_ITEMS,
               done: Callable[[int], None] | None = None) -> list[R]:
    """``[fn(item) for item in items]``, computed by forked workers when that pays off.

    ``fn`` must be a module-level function and its results picklable.
    ``done(n)`` hears, in order, that the first ``n`` results are in (for a progress display).
    """
    if not would_fork(len(items), min_items=min_items):
        return _serial(fn, items, done)
    workers = min(jobs(), len(items))
    import multiprocessing

    global _JOB
    chunks = min(len(items), workers * _CHUNKS_PER_WORKER)
    bounds = [len(items) * i // chunks for i in range(chunks + 1)]
    _JOB = (fn, items)
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(workers)
        except OSError:  # no more processes (EAGAIN, ENOMEM): the work is done here
            return _serial(fn, items, done)
        parts = []
        with pool:
            spans = list(zip(bounds, bounds[1:]))
            for (_, end), part in zip(spans, pool.imap(_run, spans)):
                parts.append(part)
                if done is not None:
                    done(end)
    finally:
        _JOB = None
    return [result for part in parts for result in part]


def _serial(fn: Callable[[T], R], items: Sequence[T], done: Callable[[int], None] | None) -> list[R]:
    results = []
    for item in items:
        results.append(fn(item))
        if done is not None:
            done(len(results))
    return results


def would_fork(items: int, *, min_items: int = MIN_ITEMS) -> bool:
    """Would ``forked_map`` over this many items use other processes?"""
    return min(jobs(), items) >= 2 and items >= min_items and _can_fork()


def _can_fork() -> bool:
    # macOS: system frameworks may not survive a fork (why Python spawns there by default)
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _JOB is not None
    fn, items = _JOB
    return [fn(item) for item in items[bounds[0] : bounds[1]]]
