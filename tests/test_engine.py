"""The use cases: plan_workspace reads the live workspace while the files load,
and still reports problems in the order a user needs them."""

from __future__ import annotations

import threading

import pytest

from hmsconf.errors import ApiError, HmsconfError, InvalidConfiguration
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET, start_emulator
from tests.helpers import write_project

TEMPLATES = {
    "templates/with-recordings.yaml": """
        kind: Template
        name: with-recordings
        roles: {host: {}}
        recordings: [{name: r, role: host, trackRecording: {enabled: true}}]
    """,
    "templates/plain.yaml": """
        kind: Template
        name: plain
        roles: {host: {}}
    """,
    "rooms/one.yaml": """
        kind: Room
        name: one
        template: plain
    """,
}


@pytest.fixture()
def credentials(monkeypatch):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "hmsconf-live-reader"]


def test_plan_then_apply_then_no_changes_reading_only_managed_recordings(tmp_path, credentials):
    from hmsconf.emulator.store import Store

    log = tmp_path / "access.log"
    running, server, thread = start_emulator(Store(tmp_path / "state.db"), latency_ms=20, access_log=str(log))
    try:
        project = write_project(tmp_path / "p", TEMPLATES)
        first = planning.plan_workspace(str(project), None, running.url)
        assert sorted((c.kind, c.name, c.action) for c in first.plan.changes) == [
            ("Room", "one", "create"), ("Template", "plain", "create"), ("Template", "with-recordings", "create")]

        async def apply():
            from hmsconf.plan.apply import Applier

            async with planning.open_client_for(first.project, first.workspace, running.url) as client:
                return await Applier(client, first.plan, first.desired, first.live).run()

        assert planning.run(apply()).ok
        log.write_text("")
        again = planning.plan_workspace(str(project), None, running.url)
        assert again.plan.changes == []
        assert again.live.templates["with-recordings"].recordings[0]["name"] == "r"
        assert again.live.templates["plain"].recordings is None  # not managed, so not read
        recording_reads = [line for line in log.read_text().splitlines() if line.split()[1].endswith("/recordings")]
        assert len(recording_reads) == 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()
    assert not reader_threads()


def test_configuration_errors_come_before_connection_errors(tmp_path, credentials):
    files = dict(TEMPLATES)
    files["templates/plain.yaml"] = "kind: Template\nname: plain\nroles: {host: {maxpeercount: 3}}\n"
    project = write_project(tmp_path / "p", files)
    # nothing listens on port 9: the read fails, but the files' errors are what the user sees
    with pytest.raises(InvalidConfiguration) as caught:
        planning.plan_workspace(str(project), None, "http://127.0.0.1:9/v2")
    assert any("maxPeerCount" in d.message for d in caught.value.diagnostics)
    assert not reader_threads()


def test_missing_credentials_are_reported_after_the_files_are_checked(tmp_path, monkeypatch):
    for name in ("HMS_ACCESS_KEY", "HMS_SECRET", "HMS_MANAGEMENT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    project = write_project(tmp_path / "p", {**TEMPLATES, "hmsconf.yaml": "workspaces:\n  prod: {api_url: https://api.100ms.live/v2}\n"})
    with pytest.raises(HmsconfError, match="has no credentials"):
        planning.plan_workspace(str(project), "prod", None)
    (project / "templates" / "broken.yaml").write_text("kind: Template\nname: [\n")
    with pytest.raises(InvalidConfiguration):
        planning.plan_workspace(str(project), "prod", None)


def test_an_api_error_of_the_background_read_reaches_the_caller(tmp_path, monkeypatch, emulator):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", "not-the-secret-0123456789abcdef0123456789")
    project = write_project(tmp_path / "p", TEMPLATES)
    with pytest.raises(ApiError) as caught:
        planning.plan_workspace(str(project), None, emulator.url)
    assert caught.value.status == 401
    assert not reader_threads()
