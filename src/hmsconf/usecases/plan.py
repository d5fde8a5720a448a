"""The use cases under the CLI: plan a workspace, apply a plan.

Each runs the pipeline end to end (load -> check -> resolve -> read live ->
plan -> apply) and returns values; printing and exit codes stay in the CLI.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hmsconf.api.connection import connection_for, open_client, preload
from hmsconf.api.live import LiveWorkspace, read_lists, read_live, read_recordings
from hmsconf.config.check import checked
from hmsconf.config.project import Project, open_project
from hmsconf.config.resolve import DesiredWorkspace
from hmsconf.diagnostics import Diagnostic, has_errors
from hmsconf.errors import HmsconfError
from hmsconf.plan import room_codes
from hmsconf.plan.changes import Plan, make_plan, plan_template
from hmsconf.plan.selection import check as check_selection
from hmsconf.plan.selection import read_selected

if TYPE_CHECKING:
    from hmsconf.config.prechecked import Prechecked
    from hmsconf.model.calibration import Calibration
    from hmsconf.plan.filewise import Compare, Settled


@dataclass
class Planned:
    project: Project
    workspace: str
    desired: DesiredWorkspace
    live: LiveWorkspace
    plan: Plan
    diagnostics: list[Diagnostic] = field(default_factory=list)
    selection: Any = None  # hmsconf.plan.selection.Selection of a targeted plan, checked against the files


@dataclass(frozen=True)
class Checked:
    """A project loaded and checked for one workspace, with no errors (what ``prepare`` returns)."""

    project: Project
    workspace: str
    desired: DesiredWorkspace
    diagnostics: list[Diagnostic]  # warnings and notices


def prepare(path: str | None, workspace: str | None) -> Checked:
    """Load and check the project for one workspace; raise if it has errors."""
    project = open_project(path)
    name = project.pick_workspace(workspace)
    desired, diagnostics = checked(project, name)
    return Checked(project, name, desired, diagnostics)


def recordings_managed(desired: DesiredWorkspace) -> list[str]:
    return [name for name, item in desired.templates.items() if "recordings" in item.data]


async def plan_with(client: Any, project: Project, name: str, desired: DesiredWorkspace,
                    refresh_secrets: bool = False, salt: str | None = None, progress: Any = None,
                    selection: Any = None) -> tuple[LiveWorkspace, Plan]:
    if selection is not None:
        live = await read_selected(client, selection, desired, refresh_secrets, progress, calibration_of(project, name))
    else:
        live = await read_live(client, recordings_managed(desired), progress)
        await room_codes.read_states(client, live, desired)
    return live, _plan(project, name, desired, live, refresh_secrets, salt, selection)


def _plan(project: Project, name: str, desired: DesiredWorkspace, live: LiveWorkspace,
          refresh_secrets: bool, salt: str | None, selection: Any, settled: Settled | None = None) -> Plan:
    if selection is None:
        return _make_plan(project, name, desired, live, refresh_secrets, salt, settled)
    from hmsconf.plan import selection as selecting

    scoped, notes = selecting.scope(selection, desired, live)
    return selecting.finish(_make_plan(project, name, scoped, live, refresh_secrets, salt), selection, notes)


def _make_plan(project: Project, name: str, desired: DesiredWorkspace, live: LiveWorkspace,
               refresh_secrets: bool, salt: str | None, settled: Settled | None = None) -> Plan:
    from hmsconf.plan.changes import desired_part

    entry = given if isinstance(given := project.workspaces.get(name), dict) else {}
    calibration = settled.calibration if settled is not None else calibration_of(project, name)
    protect = given if isinstance(given := project.config.get("protect"), dict) else None
    plan, errors = make_plan(
        desired,
        live,
        protect=protect,
        workspace_webhook=entry.get("webhook") if isinstance(entry.get("webhook"), dict) else None,
        refresh_secrets=refresh_secrets,
        salt=salt,
        calibration=calibration,
        template_change=settled.template_change if settled is not None else plan_template,
        fingerprint_part=settled.fingerprint_part if settled is not None else desired_part,
    )
    if calibration is not None:  # say which defaults the plan compared with
        made = f", made {calibration.made_at}" if calibration.made_at else ""
        plan.warnings.append(f"defaults compared as `hmsconf calibrate` learned them for workspace `{name}` (calibration/{name}.json{made})")
    if errors:
        raise HmsconfError("cannot plan:\n  " + "\n  ".join(errors))
    room_codes.add_to_plan(plan, desired, live, protect)
    plan.project = str(project.root)
    return plan


def calibration_of(project: Project, name: str) -> Any:
    """The workspace's learned defaults (``calibration/NAME.json``), if `hmsconf calibrate` wrote them."""
    from hmsconf.model.calibration import load

    return load(project.root, name)


def plan_workspace(path: str | None, workspace: str | None, api_url: str | None,
                   refresh_secrets: bool = False, salt: str | None = None, progress: Any = None,
                   selection: Any = None, pacing: Any = None, keep_unchanged: bool = True) -> Planned:
    """prepare + plan_with, with the live workspace read while the files load.

    Reading the lists needs nothing from the files, only the workspace's
    connection (hmsconf.yaml); so a thread of its own reads them while this
    one parses and checks the documents, and the plan waits only for what
    follows from the files (the recordings reads). Problems keep their order:
    configuration errors first, then connection and API errors. ``selection``
    (hmsconf.plan.selection) limits the plan to some objects; ``pacing``
    (hmsconf.api.pacing) overrides the workspace's parallelism and rate.
    ``keep_unchanged=False`` (``hmsconf plan``): templates that match the
    live workspace are compared as their files load and only their skeletons
    kept (hmsconf.plan.filewise), so ``Planned.desired`` holds whole documents
    only for what changes; apply, which plans again on a fresh read, keeps all.
    """
    from hmsconf.config.project import load_documents
    from hmsconf.plan import filewise_forked
    from hmsconf.plan.filewise import load_and_compare

    project = open_project(path, documents=False)
    name = project.pick_workspace(workspace)
    connection, reader, deferred, forked = None, None, None, None
    if not has_errors(project.diagnostics):
        try:
            connection = _connection(project, name, api_url, pacing)
        except HmsconfError as exc:
            deferred = exc
    settled = None
    try:
        if not keep_unchanged and selection is None and not has_errors(project.diagnostics):
            # forked before the reader's thread starts: a process with threads must not fork
            forked = filewise_forked.start(project, name, *_comparing(project, name, refresh_secrets))
        if connection is not None:
            reader = _LiveReader(connection, progress, selection, refresh_secrets,
                                 calibration_of(project, name) if selection is not None else None)
        reading = progress.stage("reading files", len(project.files.files)) if progress and project.files else None
        if forked is not None:
            settled = forked.finish(reader or filewise_forked.NoLists(), reading)
        elif keep_unchanged or selection is not None or reader is None:
            load_documents(project, reading)
        else:
            settled = load_and_compare(project, name, reader, *_comparing(project, name, refresh_secrets), reading)
        if reading is not None:
            reading.done()
        desired, diagnostics = checked(project, name, prechecked=settled.prechecked if settled is not None else None)
        if deferred is not None or reader is None:  # (no reader: hmsconf.yaml had errors, checked raised)
            raise deferred or HmsconfError("internal: the live workspace was not read")
        if selection is not None:
            selection = check_selection(selection, desired)
        live = reader.finish(recordings_managed(desired), desired)
    finally:
        if forked is not None:
            forked.close()
        if reader is not None:
            reader.cancel()
    plan = _plan(project, name, desired, live, refresh_secrets, salt, selection, settled)
    return Planned(project, name, desired, live, plan, diagnostics, selection)


def _comparing(project: Project, name: str, refresh_secrets: bool) -> tuple[Compare, Calibration | None]:
    """hmsconf.plan.filewise's ``compare`` (plan_template against the live lists) and the calibration it uses."""
    calibration = calibration_of(project, name)

    def compare(item: Any, live: LiveWorkspace) -> tuple[Any, str | None]:
        # the salt only seasons a change's fingerprint: Settled.template_change seasons it again with the plan's
        return plan_template(item, live.templates.get(item.name), live, "", refresh_secrets, calibration)

    return compare, calibration


class _LiveReader:
    """The live workspace read on a thread with its own event loop, started early.

    The lists first (``lists``: the file-by-file pass compares with them as
    soon as they are in), then, once the files say which, the recordings and
    the room-code states (``finish``).
    """

    def __init__(self, connection: Any, progress: Any = None, selection: Any = None, refresh_secrets: bool = False,
                 calibration: Any = None) -> None:
        import concurrent.futures
        import threading

        preload(connection)  # nothing is imported on the reader's thread (see preload's why)
        self._connection = connection
        self._progress = progress
        self._selection, self._refresh_secrets, self._calibration = selection, refresh_secrets, calibration
        self._lists: concurrent.futures.Future[LiveWorkspace] = concurrent.futures.Future()
        self._recordings: concurrent.futures.Future[list[str]] = concurrent.futures.Future()
        self._desired: concurrent.futures.Future[DesiredWorkspace] = concurrent.futures.Future()  # for the room-code reads
        self._result: concurrent.futures.Future[LiveWorkspace] = concurrent.futures.Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._thread = threading.Thread(target=self._main, name="hmsconf-live-reader", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self._result.set_result(asyncio.run(self._read()))
        except BaseException as exc:  # handed to the main thread, which decides what to say
            self._result.set_exception(exc)
            if not self._lists.done():
                self._lists.set_exception(exc)

    async def _read(self) -> LiveWorkspace:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        async with open_client(self._connection) as client:
            if self._selection is not None:
                return await read_selected(client, self._selection, asyncio.wrap_future(self._desired),
                                           self._refresh_secrets, self._progress, self._calibration)
            live = await read_lists(client, self._progress)
            self._lists.set_result(live)
            names: list[str] = await asyncio.wrap_future(self._recordings)
            await read_recordings(client, live, names, self._progress)
            await room_codes.read_states(client, live, await asyncio.wrap_future(self._desired))
            return live

    def lists(self, wait: bool = False) -> LiveWorkspace | None:
        """The template and room lists once read (waiting for them if ``wait``);
        None while they are on their way, or when reading them failed (``finish`` raises why)."""
        if not (wait or self._lists.done()):
            return None
        try:
            return self._lists.result()
        except BaseException:  # said by finish, after the files' own problems
            return None

    def lists_done(self) -> bool:
        """Are the lists read, or has reading them failed?"""
        return self._lists.done()

    def finish(self, recordings_for: list[str], desired: DesiredWorkspace) -> LiveWorkspace:
        self._desired.set_result(desired)
        self._recordings.set_result(recordings_for)
        return self._result.result()

    def cancel(self) -> None:
        """Stop a read the caller no longer needs (the files had errors)."""
        if not self._result.done():
            self._recordings.cancel()
            self._desired.cancel()
            loop, task = self._loop, self._task
            if loop is not None and task is not None:
                try:
                    loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:  # the loop closed meanwhile
                    pass
        self._thread.join(timeout=10)


def _connection(project: Project, name: str, api_url: str | None, pacing: Any = None) -> Any:
    import dataclasses

    connection = connection_for(project, name, api_url)
    given = {k: v for k, v in dataclasses.asdict(pacing).items() if v is not None} if pacing is not None else {}
    return dataclasses.replace(connection, **given) if given else connection


def open_client_for(project: Project, name: str, api_url: str | None, pacing: Any = None) -> Any:
    return open_client(_connection(project, name, api_url, pacing))


def run(coro: Any) -> Any:
    return asyncio.run(coro)
