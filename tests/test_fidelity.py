"""Issue 14: real shapes accepted, invalid bodies rejected, and the emulator closer to the documented
responses. Each expectation is written from the reference (section numbers beside it)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from hmsconf.config.rules import check_document
from tests import cli
from tests.helpers import write_project
from tests.test_workflow import server  # noqa: F401  (the emulator fixture)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
L720, L480 = {"width": 1280, "height": 720, "videoBitrate": 1800}, {"width": 854, "height": 480, "videoBitrate": 900}


def _hmsconf(*args: str) -> subprocess.CompletedProcess:
    return cli.run(args, timeout=60, env={**os.environ, "NO_COLOR": "1"})


# --- real shapes (§10.2) -----------------------------------------------------------------------


def test_the_docs_get_example_passes_validate_strict():
    done = _hmsconf("validate", "--strict", str(FIXTURES / "docs-get-template.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("place", ["recordings", "browserRecordings", "transcriptions", "hlsDestinations"])
def test_internal_recorder_is_valid_wherever_a_recorder_role_goes(place):
    # §10.2.11: the dashboard's hidden recorder role
    body: dict = {"name": "t", "roles": {"host": {}}}
    if place == "recordings":
        body["recordings"] = [{"name": "r", "role": "__internal_recorder"}]
    elif place == "hlsDestinations":
        body["destinations"] = {"hlsDestinations": {"h": {"name": "h", "role": "__internal_recorder", "layers": [L720]}}}
    else:
        body["destinations"] = {place: {"x": {"name": "x", "role": "__internal_recorder"}}}
        body["recordings"] = [{"name": "r", "role": "__internal_recorder"}]
        if place == "transcriptions":
            body["destinations"][place]["x"]["modes"] = ["recorded"]
    assert check_document("Template", body) == [d for d in check_document("Template", body) if d.rule == "DEPRECATED-BROWSER-RECORDINGS"]


def test_internal_recorder_is_still_not_a_role_to_subscribe_to():
    found = check_document("Template", {"name": "t", "roles": {"host": {"subscribeParams": {"subscribeToRoles": ["__internal_recorder"]}}}})
    assert [d.rule for d in found] == ["ROLE-REF-SUBSCRIBE"]


def test_a_room_pasted_from_a_response_is_a_warning_not_an_error():
    # §10.2.12: responses carry `template` (the name) and `template_id` together
    pasted = {"name": "r", "template": "webinar", "template_id": "6400a1b2c3d4e5f601234569", "id": "6400a1b2c3d4e5f60123456a",
              "customer_id": "c", "app_id": "a", "recording_source_template": True, "enabled_source_template": True}
    (d,) = check_document("Room", pasted)
    assert (d.rule, d.is_error) == ("ROOM-TEMPLATE-REF", False) and "workspace-specific and ignored" in d.message
    # §10.1.4: the response's recording_info echo would pin the room if sent back
    found = check_document("Room", {**pasted, "recording_info": {"enabled": False}})
    assert sorted((d.rule, d.is_error) for d in found) == [("ROOM-PASTED-RECORDING-INFO", False), ("ROOM-TEMPLATE-REF", False)]


def test_legacy_keys_warn_with_their_replacement():
    # §10.2.9
    body = {"name": "t", "roles": {"host": {"publishParams": {"videoSimulcastLayers": {}, "screenSimulcastLayers": {}}}},
            "settings": {"subscribeDegradation": {}, "videoSimulcastLayers": {}, "screenSimulcastLayers": {}}}
    found = {d.path: d for d in check_document("Template", body)}
    assert not [d for d in found.values() if d.is_error] and len(found) == 5
    assert "publishParams.simulcast.video" in found["roles", "host", "publishParams", "videoSimulcastLayers"].message
    assert "publishParams.simulcast.screen" in found["settings", "screenSimulcastLayers"].message
    assert found["settings", "subscribeDegradation"].rule == "DEPRECATED-SETTINGS-DEGRADATION"
    assert "subscribeParams.subscribeDegradation" in found["settings", "subscribeDegradation"].message


def test_fmt_moves_plugins_out_of_destinations(tmp_path):
    # §10.2.8: the docs' create response nests plugins inside destinations
    path = tmp_path / "t.yaml"
    path.write_text("kind: Template\nname: t\ndestinations:\n  plugins:\n    # who draws\n    whiteboard:\n      permissions: {admin: [host]}\n  rtmpDestinations: {}\n")
    done = _hmsconf("fmt", str(path))
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    moved = yaml.safe_load(text)
    assert moved["plugins"] == {"whiteboard": {"permissions": {"admin": ["host"]}}} and "plugins" not in moved["destinations"]
    assert "# who draws" in text
    assert check_document("Template", {k: v for k, v in moved.items() if k != "kind"}) == []
    assert _hmsconf("fmt", "--check", str(path)).returncode == 0


# --- invalid bodies the emulator rejects with the same rules (§10.3) ----------------------------------


def test_emulator_rejects_a_destination_without_name(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"host": {}}}).json()["id"]
    answer = http.post(f"/templates/{tid}/destinations", json={"rtmpDestinations": {"yt": {"rtmpUrls": ["rtmps://a/b"]}}})
    assert answer.status_code == 400 and "needs `name: yt`" in answer.json()["details"][0]
    named = http.post(f"/templates/{tid}/destinations", json={"rtmpDestinations": {"yt": {"name": "yt"}}})
    assert named.status_code == 200 and named.json()["rtmpDestinations"]["yt"]["name"] == "yt"


def test_emulator_rejects_hls_layers_whose_bitrate_rises(http):
    layers = [L720, {**L480, "videoBitrate": 2000}]
    answer = http.post("/templates", json={"name": "t", "destinations": {"hlsDestinations": {"h": {"name": "h", "layers": layers}}}})
    assert answer.status_code == 400


@pytest.mark.parametrize("settings,status", [
    ({"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": "k", "secretKey": "canary-1"}}}}, 200),
    ({"recording": {"upload": {"type": "s3", "location": "b", "credentials": {"key": "k", "secretKey": "canary-1"}}}}, 400),
    ({"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": "k", "secret": "canary-1"}}}}, 400),
])
def test_emulator_storage_prefix_and_secret_key_name(http, settings, status):
    tid = http.post("/templates", json={"name": "t"}).json()["id"]
    answer = http.post(f"/templates/{tid}/settings", json=settings)
    assert answer.status_code == status, answer.text
    if status == 400:
        assert "canary-1" not in answer.text  # never echo the secret


def test_emulator_room_takes_secret_not_secret_key(http):
    http.post("/templates", json={"name": "t"})
    upload = {"type": "s3", "location": "b", "credentials": {"key": "k", "secretKey": "canary"}}
    answer = http.post("/rooms", json={"name": "r", "recording_info": {"upload_info": upload}})
    assert answer.status_code == 400 and "canary" not in answer.text
    upload["credentials"] = {"key": "k", "secret": "canary"}
    assert http.post("/rooms", json={"name": "r", "recording_info": {"upload_info": upload}}).status_code == 200


def test_emulator_accepts_translation_without_caption(http):
    # §10.3.17: accepted, no effect (a warning in validate)
    trans = {"c": {"name": "c", "role": "host", "modes": ["live"], "translation": {"enabled": True}}}
    answer = http.post("/templates", json={"name": "t", "roles": {"host": {}}, "destinations": {"transcriptions": trans}})
    assert answer.status_code == 200, answer.text
    (d,) = check_document("Template", {"name": "t", "roles": {"host": {}}, "destinations": {"transcriptions": trans}})
    assert (d.rule, d.is_error) == ("TRANSCRIPTION-TRANSLATION-MODE", False)


@pytest.mark.parametrize("body", [{"name": "t", "settings": {}}, {"name": "t", "roles": {}}, {}])
def test_whole_template_update_needs_roles_and_settings(http, body):
    # §2.1, §10.3.16
    tid = http.post("/templates", json={"name": "t", "roles": {"host": {}}}).json()["id"]
    answer = http.post(f"/templates/{tid}", json=body)
    assert answer.status_code == 400 and "required" in answer.json()["details"][0]
    assert http.post(f"/templates/{tid}", json={"roles": {"host": {}}, "settings": {}}).status_code == 200


def test_emulator_rejects_room_codes_in_a_room_body(http):
    http.post("/templates", json={"name": "t"})
    assert http.post("/rooms", json={"name": "r", "room_codes": True}).status_code == 400


# --- documented responses (§10.1, §6) --------------------------------------------------------------


def test_new_rooms_carry_recording_info_disabled_and_enabled_source_template(http):
    http.post("/templates", json={"name": "t"})
    room = http.post("/rooms", json={"name": "r"}).json()
    # §10.1.4 and §10.1.5
    assert room["recording_info"] == {"enabled": False} and room["recording_source_template"] is True
    assert room["enabled_source_template"] is True
    assert http.get(f"/rooms/{room['id']}").json()["recording_info"] == {"enabled": False}
    pinned = http.post(f"/rooms/{room['id']}", json={"recording_info": {"enabled": False}}).json()
    assert pinned["recording_source_template"] is False  # §6.3: sending it pins the room


def test_room_without_template_id_gets_the_default_template(http):
    http.post("/templates", json={"name": "first"})
    chosen = http.post("/templates", json={"name": "chosen", "default": True}).json()
    assert chosen["default"] is True
    assert http.post("/rooms", json={"name": "r"}).json()["template_id"] == chosen["id"]
    other = http.post("/templates", json={"name": "other", "default": True}).json()
    assert http.get(f"/templates/{chosen['id']}").json()["default"] is False  # one default per workspace
    assert http.post("/rooms", json={"name": "r2"}).json()["template_id"] == other["id"]


def test_room_list_after_and_before_are_inclusive(http):
    http.post("/templates", json={"name": "t"})
    room = http.post("/rooms", json={"name": "r"}).json()
    stamp = room["created_at"]  # microseconds; the filter is the documented milliseconds, rounded down
    millis = stamp[:23] + "Z"
    names = lambda **q: [r["name"] for r in http.get("/rooms", params=q).json()["data"]]  # noqa: E731
    assert names(after=millis) == ["r"]
    assert names(before=stamp) == ["r"] and names(after=stamp) == ["r"]
    assert http.get("/rooms", params={"after": "yesterday"}).status_code == 400


def test_room_codes_follow_section_7(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"host": {}, "guest": {}}}).json()["id"]
    room = http.post("/rooms", json={"name": "r", "template_id": tid}).json()
    assert http.get(f"/room-codes/room/{room['id']}").json()["data"] == []  # §7: no codes until created
    created = http.post(f"/room-codes/room/{room['id']}", json={}).json()["data"]
    assert sorted(c["role"] for c in created) == ["guest", "host"]
    code = next(c["code"] for c in created if c["role"] == "guest")
    extra = http.post(f"/room-codes/room/{room['id']}/role/guest", json={}).json()
    assert extra["role"] == "guest" and extra["enabled"] is True
    page = http.get(f"/room-codes/room/{room['id']}", params={"limit": 10}).json()
    assert len(page["data"]) == 3 and page["last"] == page["data"][-1]["code"]
    after = http.get(f"/room-codes/room/{room['id']}", params={"start": page["data"][0]["code"]}).json()["data"]
    assert [c["code"] for c in after] == [c["code"] for c in page["data"][1:]]
    assert http.post("/room-codes/code", json={"code": code, "enabled": False}).json()["enabled"] is False
    assert http.post("/room-codes/code", json={"code": code}).status_code == 400
    assert http.post("/room-codes/code", json={"code": code, "enabled": True, "role": "x"}).status_code == 400
    http.delete(f"/templates/{tid}/roles/guest")
    assert http.post("/room-codes/code", json={"code": code, "enabled": True}).status_code == 403  # role gone
    http.post(f"/rooms/{room['id']}", json={"enabled": False})
    assert http.post(f"/room-codes/room/{room['id']}", json={}).status_code == 403
    assert http.post("/room-codes/code", json={"code": code, "enabled": False}).status_code == 403
    missing = http.post("/room-codes/code", json={"code": "abc-defg-hij", "enabled": False})
    assert missing.status_code == 404 and "abc-defg-hij" not in missing.text


# --- the default template (§10.2.10) ----------------------------------------------------------


def test_the_default_flag_is_managed_when_declared_and_once_per_workspace(tmp_path, server):
    from tests.test_workflow import run

    project = write_project(tmp_path / "p", {
        "templates/a.yaml": "kind: Template\nname: a\nroles: {host: {}}\ndefault: true\n",
        "templates/b.yaml": "kind: Template\nname: b\nroles: {host: {}}\n",
    })
    first = run(["plan", str(project), "--format", "json"], server)
    assert first.returncode == 0, first.stderr
    (a,) = [c for c in json.loads(first.stdout)["changes"] if c["name"] == "a"]
    assert "becomes the workspace default template: rooms created without a template_id use it" in [r["text"] for r in a["risks"]]
    assert run(["apply", str(project), "--auto-approve"], server).returncode == 0
    again = run(["plan", str(project), "--detailed-exitcode"], server)
    assert again.returncode == 0, again.stdout  # b says nothing about `default`: not compared
    (project / "templates" / "b.yaml").write_text("kind: Template\nname: b\nroles: {host: {}}\ndefault: true\n")
    twice = run(["validate", str(project)])
    assert twice.returncode == 1 and "TEMPLATE-DEFAULT-TWICE" in twice.stdout
    (project / "templates" / "a.yaml").write_text("kind: Template\nname: a\nroles: {host: {}}\ndefault: false\n")
    moved = run(["plan", str(project), "--format", "json"], server)
    assert moved.returncode == 0, moved.stderr
    fields = {c["name"]: [(f["path"], f["old"], f["new"]) for f in c["fields"]] for c in json.loads(moved.stdout)["changes"]}
    assert fields == {"a": [("default", True, False)], "b": [("default", False, True)]}
