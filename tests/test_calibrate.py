"""`hmsconf calibrate` (DESIGN 10, issue 14) against the emulator over HTTP: it reports no difference
where the emulator fills what the catalogue says, and learns a server that fills differently, so that
a plan right after apply is clean where without the calibration it would propose the same change forever."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsconf.cli import cli
from hmsconf.emulator.store import Store
from hmsconf.model.calibration import CALIBRATION_NAME
from hmsconf.plan.apply import Applier
from hmsconf.usecases import plan as planning
from tests.cli import run as run_hmsconf
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import write_project

TEMPLATE = """
    kind: Template
    name: talk
    roles:
      host: {publishParams: {audio: {bitRate: 64}}}
      guest: {}
"""


class OtherServer(Store):
    """A workspace whose server fills three defaults its own way, each a different case for the catalogue:
    an omitted audio bitRate becomes 40 (the catalogue's settled 32, §3.4, is wrong here), an omitted video
    width 480 (unsettled in the catalogue, §9.8 — the v1 example's value), and an omitted screen frameRate
    is stored but never returned (the catalogue's settled 10 cannot be compared here)."""

    @staticmethod
    def _filled(body: dict) -> dict:
        stored = Store._filled(body)
        for name, role in stored["roles"].items():
            sent = ((body.get("roles") or {}).get(name) or {}).get("publishParams") or {}
            pub = role["publishParams"]
            if (sent.get("audio") or {}).get("bitRate") is None:
                pub["audio"]["bitRate"] = 40
            if (sent.get("video") or {}).get("width") is None:
                pub["video"]["width"] = 480
            if (sent.get("screen") or {}).get("frameRate") is None:
                pub["screen"].pop("frameRate", None)
        return stored


@pytest.fixture()
def other_server(faulty_emulator):
    return faulty_emulator(0, store=OtherServer)


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)
    return write_project(tmp_path / "p", {
        "hmsconf.yaml": "default_workspace: staging\nworkspaces:\n  staging: {file: .hmsconf/unused.db}\n",
        "templates/talk.yaml": TEMPLATE,
        "rooms/hall.yaml": "kind: Room\nname: hall\ntemplate: talk\n",
    })


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_against_the_emulator_calibrate_reports_no_difference_and_saves_the_file(project, emulator):
    result = invoke("calibrate", str(project), "-w", "staging", "--api-url", emulator.url, "-q")
    assert result.exit_code == 0, result.output
    assert "No default differs from hmsconf's catalogue." in result.output
    # §10.1.1: a resolved value, not a difference and not learned
    assert 'room `region` "auto" became "us"' in result.output
    saved = json.loads((project / "calibration" / "staging.json").read_text())
    assert saved["workspace"] == "staging" and saved["format_version"] == 1
    assert saved["defaults"]["Template"]["roles.*.publishParams.video.width"] == {"value": 320}  # unsettled, now learned
    assert "region" not in saved["defaults"]["Room"]
    assert not any("permissions" in key for key in saved["defaults"]["Template"])  # guards access: never learned
    # the probe is in the workspace, and plan neither lists nor touches it
    assert {t["name"] for t in emulator.store.list_templates(100, None)["data"]} == {CALIBRATION_NAME}
    planned = planning.plan_workspace(str(project), "staging", emulator.url)
    assert {(c.name, c.action) for c in planned.plan.changes} == {("talk", "create"), ("hall", "create")}
    # running it again writes the same template and room (create is an upsert; templates cannot be deleted)
    again = invoke("calibrate", str(project), "-w", "staging", "--api-url", emulator.url, "-q", "--format", "json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["differences"] == [] and [r["field"] for r in report["resolved"]] == ["region"]
    assert emulator.store.counts()["templates"] == 1


def test_dry_run_sends_nothing_and_says_what_it_would_write(project, emulator):
    result = invoke("calibrate", str(project), "-w", "staging", "--api-url", emulator.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was sent." in result.output
    assert f"template `{CALIBRATION_NAME}`: create or overwrite" in result.output
    assert "disable the room" in result.output
    assert emulator.store.counts()["templates"] == 0 and emulator.store.counts()["rooms"] == 0
    assert not (project / "calibration").exists()


def test_calibrate_learns_a_server_that_fills_differently_so_apply_then_plan_is_clean(project, other_server, monkeypatch):
    url = other_server.url
    # Without calibration the guessed default makes a plan that never settles.
    assert invoke("apply", str(project), "-w", "staging", "--api-url", url, "--auto-approve", "-q").exit_code == 0
    again = planning.plan_workspace(str(project), "staging", url).plan
    assert [(f.dotted, f.old, f.new) for c in again.changes if c.is_change for f in c.fields] == [
        ("roles.guest.publishParams.audio.bitRate", 40, 32)]

    result = invoke("calibrate", str(project), "-w", "staging", "--api-url", url, "-q")
    assert result.exit_code == 0, result.output
    table = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("  Template")}
    assert set(table) == {"roles.*.publishParams.audio.bitRate", "roles.*.publishParams.video.width",
                          "roles.*.publishParams.screen.frameRate"}
    assert table["roles.*.publishParams.audio.bitRate"].split()[2:5] == ["32", "40", "learned"]
    assert table["roles.*.publishParams.video.width"].split()[2:6] == ["320", "(unsettled)", "480", "learned"]
    assert "(not returned)" in table["roles.*.publishParams.screen.frameRate"]
    assert "3 default(s) differ from hmsconf's catalogue" in result.output

    # From now on normalisation uses the calibration for this workspace: the same files plan clean,
    # and the plan says whose defaults it compared with.
    calibrated = planning.plan_workspace(str(project), "staging", url).plan
    assert not calibrated.has_changes
    assert any("calibration/staging.json" in w for w in calibrated.warnings)
    # so does a targeted plan: the template does not change, so no live room is counted for it
    from hmsconf.api.client import ApiClient
    from hmsconf.plan.selection import Selection

    counted, list_rooms = [], ApiClient.list_rooms

    async def counting(self, *args, **kwargs):
        counted.append(kwargs.get("template_id"))
        return await list_rooms(self, *args, **kwargs)

    monkeypatch.setattr(ApiClient, "list_rooms", counting)
    targeted = planning.plan_workspace(str(project), "staging", url, selection=Selection.parse(["Template/talk"])).plan
    assert not targeted.has_changes and [t for t in counted if t is not None] == []
    monkeypatch.setattr(ApiClient, "list_rooms", list_rooms)
    # A learned value is a settled default: a live role that strays from it is a change.
    import httpx

    from hmsconf.api.auth import management_token

    tid = next(t["id"] for t in other_server.store.list_templates(100, None)["data"] if t["name"] == "talk")
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {management_token(ACCESS_KEY, SECRET)}"}) as http:
        answer = http.post(f"/templates/{tid}/roles/guest",
                           json={"name": "guest", "publishParams": {"audio": {"bitRate": 40}, "video": {"width": 640}}})
        assert answer.status_code == 200, answer.text
    drift = planning.plan_workspace(str(project), "staging", url).plan
    assert [(f.dotted, f.old, f.new) for c in drift.changes if c.is_change for f in c.fields] == [
        ("roles.guest.publishParams.video.width", 640, 480)]

    # apply reads back through the same calibration: a new template stored as learned is consistent
    (project / "templates" / "more.yaml").write_text("kind: Template\nname: more\nroles:\n  viewer: {}\n")
    applied = invoke("apply", str(project), "-w", "staging", "--api-url", url, "--auto-approve", "-q", "--allow-destroy")
    assert applied.exit_code == 0, applied.output
    assert "template `more`: POST /templates" in applied.output and "Inconsistent result" not in applied.output


def test_files_may_not_declare_the_calibration_template(tmp_path):
    root = write_project(tmp_path / "p", {
        "hmsconf.yaml": "default_workspace: local\n",
        "templates/t.yaml": f"kind: Template\nname: {CALIBRATION_NAME}\nroles:\n  a: {{}}\n",
    })
    result = invoke("validate", str(root), "--format", "json")
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["rule"], d["severity"]) for d in found] == [("RESERVED-NAME", "error")]


def test_a_broken_calibration_file_is_one_clear_line(tmp_path):
    root = write_project(tmp_path / "p", {"hmsconf.yaml": "default_workspace: local\n",
                                          "templates/t.yaml": "kind: Template\nname: t\nroles:\n  a: {}\n",
                                          "calibration/local.json": "{not json"})
    done = run_hmsconf(["plan", str(root)])
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "calibration/local.json:1:2: invalid JSON" in done.stderr
    assert "Traceback" not in done.stderr
    (root / "calibration" / "local.json").write_text('{"format_version": 7}')
    done = run_hmsconf(["plan", str(root)])
    assert done.returncode == 1 and "is not a calibration written by `hmsconf calibrate`" in done.stderr


# Defaults a server may fill its own way, with values the API accepts (§3.4, §3.6), and one a file may declare.
DECLARED = {("publishParams", "audio", "bitRate"): 64, ("publishParams", "video", "bitRate"): 500,
            ("publishParams", "video", "frameRate"): 15, ("publishParams", "video", "width"): 640,
            ("publishParams", "screen", "frameRate"): 15, ("subscribeParams", "maxSubsBitRate"): 1000, ("priority",): 5}
FILLABLE = {
    ("publishParams", "audio", "bitRate"): st.integers(16, 128),
    ("publishParams", "video", "bitRate"): st.integers(30, 2000),
    ("publishParams", "video", "frameRate"): st.integers(1, 30),
    ("publishParams", "video", "width"): st.integers(50, 1920),
    ("publishParams", "screen", "frameRate"): st.integers(1, 30),
    ("subscribeParams", "maxSubsBitRate"): st.integers(0, 10000),
    ("priority",): st.integers(1, 5),
}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fills=st.fixed_dictionaries({}, optional=FILLABLE), declared=st.sampled_from(sorted(FILLABLE)))
def test_any_server_fills_once_calibrated_apply_then_plan_is_clean(tmp_path_factory, monkeypatch, fills, declared):
    """Property: whatever a server fills for the defaults a file omits, after calibrate apply reads back
    nothing inconsistent and the next plan is empty."""
    from tests.conftest import start_emulator

    class RandomServer(Store):
        @staticmethod
        def _filled(body: dict) -> dict:
            stored = Store._filled(body)
            for name, role in stored["roles"].items():
                sent = (body.get("roles") or {}).get(name) or {}
                for path, value in fills.items():
                    if _get(sent, path) is None:
                        _put(role, path, value)
            return stored

    root = tmp_path_factory.mktemp("p")
    host = {}
    node = host
    for key in declared[:-1]:
        node = node.setdefault(key, {})
    node[declared[-1]] = DECLARED[declared]
    write_project(root, {"hmsconf.yaml": "default_workspace: staging\nworkspaces:\n  staging: {file: unused.db}\n",
                         "templates/t.yaml": "kind: Template\nname: t\nroles:\n  guest: {}\n  host: " + json.dumps(host) + "\n"})
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    running, server, thread = start_emulator(RandomServer(root / "server.db"))
    try:
        from hmsconf.usecases.calibrate import calibrate_workspace

        calibrate_workspace(str(root), "staging", running.url)
        planned = planning.plan_workspace(str(root), "staging", running.url)

        async def go():
            async with running.client() as client:
                return await Applier(client, planned.plan, planned.desired, planned.live,
                                     calibration=planning.calibration_of(planned.project, "staging")).run()

        outcome = asyncio.run(go())
        assert outcome.ok and not outcome.inconsistent, [i.to_json() for i in outcome.inconsistent]
        again = planning.plan_workspace(str(root), "staging", running.url).plan
        assert not again.has_changes, [f.dotted for c in again.changes if c.is_change for f in c.fields]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _put(data: dict, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value
