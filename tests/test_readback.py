"""Apply reads back what it wrote (DESIGN 10, issue 14): a field the server stores differently from
what was sent is reported with the value sent, the value stored and the line that makes the next plan
clean. The "server" is the emulator over real HTTP with a store that stores two things its own way."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hmsconf.cli import cli
from hmsconf.emulator.store import Store
from hmsconf.plan.apply import Applier
from hmsconf.plan.changes import requests_for
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import write_project

ROOT = Path(__file__).resolve().parents[1]
STORAGE_SECRET = "S3CR3T-readback-value-0123456789"


class OwnWayStore(Store):
    """A server that clamps a declared audio bitRate of 48 to 64, fills an omitted one with 40
    (hmsconf's catalogue says 32, §3.4), rounds `roomState.messageInterval` 10 up to 15, and puts a
    room that asks for `eu` in `in`."""

    @staticmethod
    def _filled(body: dict) -> dict:
        declared = {name: ((role or {}).get("publishParams") or {}).get("audio", {}).get("bitRate")
                    for name, role in (body.get("roles") or {}).items()}
        stored = Store._filled(body)
        for name, role in stored["roles"].items():
            audio = role["publishParams"]["audio"]
            audio["bitRate"] = {48: 64, None: 40}.get(declared.get(name), audio["bitRate"])
        state = stored["settings"].get("roomState") or {}
        if state.get("messageInterval") == 10:
            state["messageInterval"] = 15
        return stored

    def create_room(self, body: dict) -> dict:
        """A workspace without the `eu` region: rooms asking for it land in `in`."""
        return super().create_room({**body, "region": "in"} if body.get("region") == "eu" else body)


@pytest.fixture()
def own_way(faulty_emulator):
    return faulty_emulator(0, store=OwnWayStore)


TEMPLATE = f"""
    kind: Template
    name: talk
    roles:
      host:
        publishParams: {{audio: {{bitRate: 48}}}}
      guest: {{}}
    settings:
      roomState: {{messageInterval: 10}}
      recording:
        upload:
          type: s3
          location: bucket
          prefix: rec/
          credentials: {{key: AKIAEXAMPLE, secretKey: {STORAGE_SECRET}}}
"""


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)
    return write_project(tmp_path / "p", {"hmsconf.yaml": "default_workspace: local\n", "templates/talk.yaml": TEMPLATE})


def apply_cli(root: Path, url: str, *extra: str):
    return CliRunner().invoke(cli, ["apply", str(root), "--api-url", url, "--auto-approve", "-q", *extra])


def test_apply_reports_what_the_server_stored_differently_and_the_lines_make_the_next_plan_clean(project, own_way):
    result = apply_cli(project, own_way.url)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Inconsistent result: the server stored 3 field(s) differently" in out
    assert "template `talk` roles.host.publishParams.audio.bitRate: sent 48, stored 64" in out
    assert "add to the file: roles.host.publishParams.audio.bitRate: 64" in out
    assert "roles.guest.publishParams.audio.bitRate: sent 32 (not in the file: hmsconf's default), stored 40" in out
    assert "add to the file: roles.guest.publishParams.audio.bitRate: 40" in out
    assert "add to the file: settings.roomState.messageInterval: 15" in out
    assert "templates/talk.yaml:1:" in out
    assert STORAGE_SECRET not in out  # sent and read back, never compared or shown

    # plan right after apply shows exactly those fields; the suggested lines settle it
    again = planning.plan_workspace(str(project), None, own_way.url).plan
    fields = sorted(f.dotted for c in again.changes if c.is_change for f in c.fields)
    assert fields == ["roles.guest.publishParams.audio.bitRate", "roles.host.publishParams.audio.bitRate",
                      "settings.roomState.messageInterval"]
    text = (project / "templates/talk.yaml").read_text()
    text = text.replace("bitRate: 48", "bitRate: 64").replace("guest: {}", "guest: {publishParams: {audio: {bitRate: 40}}}")
    (project / "templates/talk.yaml").write_text(text.replace("messageInterval: 10", "messageInterval: 15"))
    assert not planning.plan_workspace(str(project), None, own_way.url).plan.has_changes


def test_apply_json_lists_the_inconsistent_fields_without_secrets(project, own_way):
    result = apply_cli(project, own_way.url, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    found = {i["field"]: i for i in report["inconsistent"]}
    assert found["roles.host.publishParams.audio.bitRate"] == {
        "kind": "Template", "name": "talk", "field": "roles.host.publishParams.audio.bitRate", "sent": 48, "stored": 64,
        "declared": True, "sensitive": False, "add_to_file": "roles.host.publishParams.audio.bitRate: 64",
        "file": str(project / "templates" / "talk.yaml"), "line": 1,  # as the plan's `source` names it
    }
    assert found["roles.guest.publishParams.audio.bitRate"]["declared"] is False
    assert set(found) == {"roles.host.publishParams.audio.bitRate", "roles.guest.publishParams.audio.bitRate",
                          "settings.roomState.messageInterval"}
    assert STORAGE_SECRET not in result.output


def test_a_later_part_write_is_read_back_too(project, own_way):
    """After the create, a settings-only change goes through the settings endpoint and is read back there."""
    assert apply_cli(project, own_way.url).exit_code == 0
    text = (project / "templates/talk.yaml").read_text().replace("bitRate: 48", "bitRate: 64")
    text = text.replace("guest: {}", "guest: {publishParams: {audio: {bitRate: 40}}}")
    (project / "templates/talk.yaml").write_text(text)
    planned = planning.plan_workspace(str(project), None, own_way.url)
    [change] = [c for c in planned.plan.changes if c.is_change]
    assert [r.part for r in requests_for(change)] == ["settings"]  # only messageInterval differs (10 -> 15 stored)

    async def go():
        async with own_way.client() as client:
            return await Applier(client, planned.plan, planned.desired, planned.live).run()

    outcome = asyncio.run(go())
    assert outcome.ok
    assert [(i.field, i.sent, i.stored) for i in outcome.inconsistent] == [("settings.roomState.messageInterval", 10, 15)]


@pytest.mark.parametrize("example", ["webinar", "classroom", "telehealth"])
def test_the_emulator_stores_what_was_sent_for_every_example(example, tmp_path, emulator, monkeypatch):
    """No false reports: the emulator fills what the catalogue says, so nothing is inconsistent."""
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)
    root = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, root, ignore=shutil.ignore_patterns(".hmsconf"))
    for name in ("CLINIC_S3_KEY_ID", "CLINIC_S3_SECRET", "CLINIC_WEBHOOK_AUTH", "TOWN_HALL_WEBHOOK_TOKEN"):
        monkeypatch.setenv(name, "value-of-" + name.lower())
    planned = planning.plan_workspace(str(root), None, emulator.url)

    async def go():
        async with emulator.client() as client:
            return await Applier(client, planned.plan, planned.desired, planned.live).run()

    outcome = asyncio.run(go())
    assert outcome.ok, outcome.failed
    assert outcome.done
    assert outcome.inconsistent == []


def test_rooms_are_read_back_and_a_resolved_region_is_not_an_inconsistency(project, own_way):
    (project / "rooms").mkdir()
    (project / "rooms" / "r.yaml").write_text(
        "kind: Room\nname: europe\ntemplate: talk\nregion: eu\n---\n"
        "kind: Room\nname: anywhere\ntemplate: talk\nregion: auto\n---\n"  # §10.1.1: resolved to `us`
        "kind: Room\nname: unsaid\ntemplate: talk\n")
    result = apply_cli(project, own_way.url, "--format", "json")
    assert result.exit_code == 0, result.output
    rooms = [(i["name"], i["field"], i["sent"], i["stored"], i["add_to_file"])
             for i in json.loads(result.stdout)["inconsistent"] if i["kind"] == "Room"]
    assert rooms == [("europe", "region", "eu", "in", 'region: "in"')]
