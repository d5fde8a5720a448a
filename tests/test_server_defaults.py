"""Every server default, written by hand from the reference, against what the emulator answers over HTTP.

The planner, export and emulator tests cannot catch a wrong default on their own: they all fill
from the same code, so they agree by construction. This table does not import that code; each
value is copied from `reference/100ms-api.md` (section per row). A row marked UNSETTLED is one
§10.1 leaves open (the docs disagree, or no default is documented): the planner does not compare
it, the emulator may leave it out, but when it answers one it must be the value the reference's
responses show. ABSENT rows must not appear in a response at all.
"""

from __future__ import annotations

import pytest

SETTLED, UNSETTLED, ABSENT = "settled", "unsettled (§10.1)", "absent"

# (path in the answer, value, reference section, mark)
EMPTY_ROLE = [
    (("name",), "r", "§3.2 the map key", SETTLED),
    (("publishParams", "allowed"), {"audio", "video", "screen"}, "§3.3 v1 empty-role example (a set); §10.1.3 guards access", SETTLED),
    (("publishParams", "audio", "bitRate"), 32, "§3.3", SETTLED),
    (("publishParams", "audio", "codec"), "opus", "§3.3", SETTLED),
    (("publishParams", "video", "codec"), "vp8", "§3.3", SETTLED),
    (("publishParams", "video", "bitRate"), 256, "§3.3 v2 table; v1 response 250 (§9.8)", UNSETTLED),
    (("publishParams", "video", "frameRate"), 25, "§3.3 v2 table; v1 response 30 (§9.8)", UNSETTLED),
    (("publishParams", "video", "width"), 320, "§3.3 v2 table; v1 response 480 (§9.8)", UNSETTLED),
    (("publishParams", "video", "height"), 180, "§3.3 v2 table; v1 response 270 (§9.8)", UNSETTLED),
    (("publishParams", "screen", "codec"), "vp8", "§3.3", SETTLED),
    (("publishParams", "screen", "frameRate"), 10, "§3.3 (v1 agrees)", SETTLED),
    (("publishParams", "screen", "bitRate"), 1024, "§3.3 v2 table; no response shows it (§9.8)", UNSETTLED),
    (("publishParams", "screen", "width"), 1280, "§3.3 v2 table; v1 response 1920 (§9.8)", UNSETTLED),
    (("publishParams", "screen", "height"), 720, "§3.3 v2 table; v1 response 1080 (§9.8)", UNSETTLED),
    (("subscribeParams", "subscribeToRoles"), [], "§3.4 no default; v1 returned [\"guest\"] (§9.8)", UNSETTLED),
    (("subscribeParams", "maxSubsBitRate"), 3200, "§3.4 not stated; 3200 (ex)", SETTLED),
    (("subscribeParams", "subscribeDegradation"), None, "§3.4 only when set", ABSENT),
    # §3.5 wire behaviour: the flags sent plus the three default-true ones; an absent flag is false.
    (("permissions",), {"browserRecording": True, "rtmpStreaming": True, "hlsStreaming": True}, "§3.5", SETTLED),
    (("priority",), 1, "§3.2 not stated; 1 (ex)", SETTLED),
    (("maxPeerCount",), 0, "§3.2", SETTLED),
]

EMPTY_SETTINGS = [
    (("region",), "in", "§3.6 not stated; in (ex); §10.1.2 never filled by hmsconf", UNSETTLED),
    (("recording",), None, "§3.6 null (ex): 100ms storage", SETTLED),
    (("roomState", "messageInterval"), 5, "§3.6 5 (ex)", SETTLED),
    (("roomState", "sendPeerList"), False, "§3.6 false (ex)", SETTLED),
    (("roomState", "enabled"), False, "§3.6 false (ex)", SETTLED),
    (("roomState", "stopRoomStateOnJoin"), True, "§3.6 true (ex)", SETTLED),
    (("retry",), {}, "§3.6 {} (ex), §8", SETTLED),
]

# One destination of each type, as small as the API takes it (names are required, §10.3.15).
DESTINATIONS = {
    "rtmpDestinations": ({"name": "d"}, [
        (("name",), "d", "§3.7 not filled from the key (§10.3.15)", SETTLED),
        (("maxDuration",), None, "§3.7 4 h is behaviour (webhook docs), not a filled field", ABSENT),
        (("recordingEnabled",), None, "§3.7 no default", ABSENT),
    ]),
    "hlsDestinations": ({"name": "d", "recording": {"hlsVod": True}}, [
        (("name",), "d", "§3.7", SETTLED),
        (("numPlaylistSegments",), 5, "§3.7", SETTLED),
        (("recording", "enableZipUpload"), False, "§3.7 HlsRecording", SETTLED),
        (("playlistType",), None, "§3.7 no default", ABSENT),
        (("maxDuration",), None, "§3.7 4 h is behaviour (webhook docs), not a filled field", ABSENT),
    ]),
    "transcriptions": ({"name": "d", "role": "r", "modes": ["recorded"], "summary": {"enabled": True}}, [
        (("name",), "d", "§3.7", SETTLED),
        (("summary", "temperature"), 0.5, "§3.7 default 0.5", SETTLED),
        (("outputModes",), None, "§3.7 no default (the dashboard's are not the API's)", ABSENT),
    ]),
    "browserRecordings": ({"name": "d", "role": "r"}, [
        (("name",), "d", "§3.7", SETTLED),
        (("autoStart",), None, "§3.7 no default", ABSENT),
    ]),
}

# §3.8 recording config, read back with GET (the POST response drops false booleans, §2.1).
RECORDING = [
    (("compositeRecording", "browserComposite", "autoStart"), False, "§3.8", SETTLED),
    (("compositeRecording", "customComposite", "enabled"), False, "§3.8", SETTLED),
    (("trackRecording", "enabled"), False, "§3.8", SETTLED),
    (("streamRecording", "enabled"), False, "§3.8", SETTLED),
]

NEW_ROOM = [
    (("enabled",), True, "§6.1", SETTLED),
    (("large_room",), False, "§6.1 default false", SETTLED),
    (("recording_info",), {"enabled": False}, "§10.1.4", SETTLED),
    (("recording_source_template",), True, "§6.3, §10.1.4", SETTLED),
    (("enabled_source_template",), True, "§10.1.5", SETTLED),
    (("max_duration_seconds",), None, "§6.1 no default", ABSENT),
    (("webhook",), None, "§6.5 only when set", ABSENT),
]


def _at(data, path):
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


_MISSING = object()


def _check(answer: dict, rows: list) -> list[str]:
    wrong = []
    for path, value, section, mark in rows:
        got = _at(answer, path)
        if isinstance(value, set) and isinstance(got, list):
            got = set(got)
        dotted = ".".join(path)
        if mark == ABSENT:
            if got is not _MISSING:
                wrong.append(f"{dotted}: {got!r}, but {section}: it should be absent")
        elif mark == UNSETTLED:
            if got is not _MISSING and got != value:
                wrong.append(f"{dotted}: {got!r}, but the reference's responses show {value!r} ({section})")
        elif got is _MISSING or got != value:
            wrong.append(f"{dotted}: {'absent' if got is _MISSING else repr(got)}, the reference says {value!r} ({section})")
    return wrong


def test_an_empty_role_gets_the_documented_defaults(http):
    created = http.post("/templates", json={"name": "t", "roles": {"r": {}}}).json()
    tid = created["id"]
    assert _check(created["roles"]["r"], EMPTY_ROLE) == []
    assert _check(http.get(f"/templates/{tid}/roles/r").json(), EMPTY_ROLE) == []
    # a role posted on its own (T6) is filled the same way
    assert _check(http.post(f"/templates/{tid}/roles/r", json={}).json(), EMPTY_ROLE) == []


def test_empty_settings_get_the_documented_defaults(http):
    created = http.post("/templates", json={"name": "t", "settings": {}}).json()
    assert _check(created["settings"], EMPTY_SETTINGS) == []
    assert _check(http.post(f"/templates/{created['id']}/settings", json={}).json(), EMPTY_SETTINGS) == []
    assert _check(http.get(f"/templates/{created['id']}/settings").json(), EMPTY_SETTINGS) == []


def test_a_template_without_destinations_answers_an_empty_map(http):
    assert http.post("/templates", json={"name": "t"}).json()["destinations"] == {}  # §3.1, §8


@pytest.mark.parametrize("kind", sorted(DESTINATIONS))
def test_each_destination_type_gets_the_documented_defaults(http, kind):
    body, rows = DESTINATIONS[kind]
    tid = http.post("/templates", json={"name": "t", "roles": {"r": {}}}).json()["id"]
    answered = http.post(f"/templates/{tid}/destinations", json={kind: {"d": body}})
    assert answered.status_code == 200, answered.text
    assert _check(answered.json()[kind]["d"], rows) == []
    assert _check(http.get(f"/templates/{tid}/destinations").json()[kind]["d"], rows) == []


def test_a_recording_config_gets_the_documented_false_flags(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"r": {}}}).json()["id"]
    posted = http.post(f"/templates/{tid}/recordings", json=[{"name": "c", "role": "r"}]).json()
    assert "false" not in __import__("json").dumps(posted)  # §2.1: the POST response leaves out false booleans
    assert _check(http.get(f"/templates/{tid}/recordings").json()[0], RECORDING) == []


def test_a_new_room_gets_the_documented_fields(http):
    http.post("/templates", json={"name": "t"})
    created = http.post("/rooms", json={"name": "r"}).json()
    assert _check(created, NEW_ROOM) == []
    assert _check(http.get(f"/rooms/{created['id']}").json(), NEW_ROOM) == []
    # §10.1.1: the create response shows a region (the docs show the resolved one); never a value outside §6.1
    assert created["region"] in ("in", "us", "eu", "auto")


def test_the_table_catches_a_wrong_value():
    """The checker itself: a wrong, a missing and an unexpected value are each reported."""
    rows = [(("a",), 1, "§x", SETTLED), (("b",), 2, "§x", UNSETTLED), (("c",), None, "§x", ABSENT), (("d",), 4, "§x", SETTLED)]
    assert len(_check({"a": 2, "b": 3, "c": 0}, rows)) == 4
    assert _check({"a": 1, "d": 4}, rows) == []
