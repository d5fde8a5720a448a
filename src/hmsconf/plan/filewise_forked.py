"""plan's file-by-file pass on every core: forked workers load, check and compare a share of the files each.

Why it exists: loading, checking and comparing the templates is almost all
of a plan's time, and one Python process uses one core; validate already
spreads its pass over forked workers (hmsconf.config.prechecked), plan did
not, because it reads the live workspace on a thread and a process must
not fork once it has threads.

So the workers are forked first, before the live reader's thread starts
(``start``), each with a contiguous share of the files (split by size, so
the shares take about as long). Each runs hmsconf.plan.filewise's pass over
its share exactly as one process would. The live lists reach them once read:
the parent pickles them once into an anonymous in-memory file the workers
inherited (``memfd``: never on disk, gone with the processes, so live data
that may hold secrets leaves no file behind) and tells each worker its size,
a message of a few bytes that never blocks (a big one could: the worker reads
its pipe only between two files). What comes back per document is what the pass settled: the
skeleton or whole document, its prechecked findings, and its early answer
(unchanged, or the change). Shares come back in file order, so the documents,
the diagnostics and the plan are the same as one process makes
(``tests/test_filewise.py`` compares them).

Falls back to one process (``start`` returns None) where ``fork`` is unsafe
or not worth it (hmsconf.config.parallel.would_fork; ``HMSCONF_JOBS=1`` forces
it) and where there is no ``memfd`` (Linux has it; macOS never forks anyway).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, replace
from typing import Any, Protocol

from hmsconf.api.live import LiveWorkspace
from hmsconf.config.parallel import jobs, would_fork
from hmsconf.config.project import Project
from hmsconf.diagnostics import Diagnostic
from hmsconf.model.calibration import Calibration
from hmsconf.plan.filewise import Compare, LiveLists, Planned, Settled, file_size, load_and_compare

# One document as a worker settled it: the document (skeleton or whole), its prechecked
# findings by workspace, its share of the desired fingerprint (unchanged), its early answer (changed).
Record = tuple[Any, "dict[str, list[Diagnostic]] | None", "bytes | None", "Planned | None"]


class ListsSource(LiveLists, Protocol):
    """The parent's live reader, as the pass needs it: filewise's, and whether the reading is over."""

    def lists_done(self) -> bool:
        """Are the lists read, or has reading them failed?"""


class NoLists:
    """The lists source when no reader could start (hmsconf.yaml's connection was wrong): nothing comes."""

    def lists(self, wait: bool = False) -> LiveWorkspace | None:
        return None

    def lists_done(self) -> bool:
        return True


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process
    conn: Any  # the parent's end of its pipe


class ForkedPass:
    """The workers of one pass, forked and loading; ``finish`` takes what they settled."""

    def __init__(self, project: Project, calibration: Calibration | None, workers: list[_Worker], channel: int) -> None:
        self._project, self._calibration, self._workers = project, calibration, workers
        self._channel: int | None = channel  # the memfd the live lists go through

    def finish(self, reader: ListsSource, progress: Any = None) -> Settled:
        """Hand the workers the live lists once read, follow their progress, and merge their shares in order."""
        from multiprocessing.connection import wait

        results: dict[int, tuple[list[Diagnostic], list[Record]]] = {}
        pending: dict[Any, int] = {worker.conn: index for index, worker in enumerate(self._workers)}
        sent = False
        try:
            while pending:
                if not sent and reader.lists_done():
                    assert self._channel is not None  # open until close()
                    size = _park(self._channel, reader.lists())
                    for conn in pending:
                        _tell(conn, size)
                    sent = True
                ready: list[Any] = wait(list(pending), timeout=None if sent else 0.01)
                for conn in ready:
                    index = pending[conn]
                    try:
                        kind, body = conn.recv()
                    except EOFError:
                        code = self._workers[index].process.exitcode
                        raise RuntimeError(f"internal: a planning worker stopped (exit code {code})") from None
                    if kind == "file":
                        if progress is not None:
                            progress.advance(1, body)
                    elif kind == "done":
                        results[index] = body
                        del pending[conn]
                    else:  # "failed": the worker's traceback, raised here as any internal error is
                        raise RuntimeError(f"internal: a planning worker failed:\n{body}")
        finally:
            self.close()
        return self._merge([results[index] for index in range(len(self._workers))])

    def _merge(self, shares: list[tuple[list[Diagnostic], list[Record]]]) -> Settled:
        project = self._project
        settled = Settled(self._calibration)
        project.documents_loaded = True
        for diagnostics, records in shares:
            project.diagnostics.extend(diagnostics)
            for doc, found, unchanged, changed in records:
                project.documents.append(doc)
                if found is not None:
                    settled.prechecked.by_document[id(doc)] = found
                if unchanged is not None:
                    settled.unchanged[id(doc)] = unchanged
                if changed is not None:
                    settled.changed[id(doc)] = changed
        return settled

    def close(self) -> None:
        """Stop the workers (after ``finish``, a no-op; on an error or Ctrl-C, they are killed)."""
        for worker in self._workers:
            worker.conn.close()
            if worker.process.is_alive():
                worker.process.terminate()
            worker.process.join()
        if self._channel is not None:
            os.close(self._channel)
            self._channel = None


def start(project: Project, workspace: str, compare: Compare, calibration: Calibration | None) -> ForkedPass | None:
    """Fork the workers (call before any thread starts); None when the pass should run in this process."""
    files = list(project.files.files) if project.files is not None and not project.documents_loaded else []
    if not would_fork(len(files)) or not hasattr(os, "memfd_create"):
        return None
    import multiprocessing

    context = multiprocessing.get_context("fork")
    try:
        channel = os.memfd_create("hmsconf-live-lists", os.MFD_CLOEXEC)  # before the fork: every worker has it
    except OSError:  # a sandbox that forbids it: one process does the pass
        return None
    workers: list[_Worker] = []
    forked = ForkedPass(project, calibration, workers, channel)
    for share in _shares(files, min(jobs(), len(files))):
        parent_end, worker_end = context.Pipe()
        process = context.Process(target=_work, args=(project, workspace, compare, calibration, share, worker_end, channel),
                                  name="hmsconf-plan-worker", daemon=True)
        try:
            process.start()
        except OSError:  # no more processes (EAGAIN, ENOMEM): stop those started, one process does the pass
            parent_end.close()
            forked.close()
            return None
        finally:
            worker_end.close()
        workers.append(_Worker(process, parent_end))
    return forked


def _shares(files: list[Any], count: int) -> list[list[Any]]:
    """``count`` contiguous runs of ``files`` of about equal bytes, in order."""
    sizes = [file_size(path) for path in files]
    total = sum(sizes) or 1
    shares: list[list[Any]] = [[] for _ in range(count)]
    done = 0
    for path, size in zip(files, sizes):
        shares[min(count - 1, done * count // total)].append(path)
        done += size
    return [share for share in shares if share]


# ----------------------------------------------------------------- in a worker


class _ListsFromParent:
    """filewise's ``LiveLists`` in a worker: the lists the parent parked, read when it says they are in."""

    def __init__(self, conn: Any, channel: int) -> None:
        self._conn, self._channel = conn, channel
        self._live: LiveWorkspace | None = None
        self._received = False

    def lists(self, wait: bool = False) -> LiveWorkspace | None:
        if not self._received and (wait or self._conn.poll()):
            self._live, self._received = _unpark(self._channel, self._conn.recv()), True
        return self._live


class _Ticks:
    """filewise's progress in a worker: each file's name, sent to the parent's progress display."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def advance(self, count: int = 1, text: str = "") -> None:
        self._conn.send(("file", text))


def _work(project: Project, workspace: str, compare: Compare, calibration: Calibration | None,
          files: list[Any], conn: Any, channel: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    try:
        assert project.files is not None  # start() only forks for a project with files
        share = replace(project, files=replace(project.files, files=files), documents=[], diagnostics=[],
                        documents_loaded=False)
        lists = _ListsFromParent(conn, channel)
        settled = load_and_compare(share, workspace, lists, compare, calibration, _Ticks(conn))
        lists.lists(wait=True)  # the parent's message read, so it never waits on this pipe
        records = [(doc, settled.prechecked.by_document.get(id(doc)), settled.unchanged.get(id(doc)),
                    settled.changed.get(id(doc))) for doc in share.documents]
        conn.send(("done", (share.diagnostics, records)))
    except (EOFError, BrokenPipeError):  # the parent stopped first (an error, Ctrl-C): nobody to tell
        pass
    except BaseException:  # handed to the parent, which says it as an internal error
        import traceback

        try:
            conn.send(("failed", traceback.format_exc()))
        except OSError:
            pass


# ------------------------------------------------- the live lists, parked once for every worker


def _park(channel: int, live: LiveWorkspace | None) -> int:
    """The lists (None: reading them failed) pickled into the memfd; their size."""
    data = pickle.dumps(live, protocol=pickle.HIGHEST_PROTOCOL)
    view, done = memoryview(data), 0
    while done < len(data):
        done += os.pwrite(channel, view[done:], done)
    return len(data)


def _tell(conn: Any, size: int) -> None:
    try:
        conn.send(size)
    except (BrokenPipeError, OSError):  # the worker is done already (or gone: finish says so)
        pass


def _unpark(channel: int, size: int) -> LiveWorkspace | None:
    # pickle: the bytes are this process's parent's, in memory only it and its workers share, never a user's input
    chunks, done = [], 0
    while done < size:
        chunk = os.pread(channel, size - done, done)
        if not chunk:
            raise EOFError("internal: the live lists were cut short")
        chunks.append(chunk)
        done += len(chunk)
    live: LiveWorkspace | None = pickle.loads(b"".join(chunks))
    return live
