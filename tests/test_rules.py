"""One valid and one invalid document for every rule id; never a crash on any input."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsconf.config.rules import RULES, check_document, check_project_config

T = "Template"
R = "Room"
P = "RolePreset"


def tpl(**parts):
    return {"name": "t", "roles": {"host": {}, "guest": {}}, **parts}


def role(**fields):
    return tpl(roles={"host": {}, "guest": fields})


LAYER = lambda rid, scale: {"rid": rid, "scaleResolutionDownBy": scale, "maxFramerate": 30}  # noqa: E731
HLS = lambda *layers, **extra: {"destinations": {"hlsDestinations": {"h": {"name": "h", "layers": list(layers), **extra}}}}  # noqa: E731
L720, L480 = {"width": 1280, "height": 720, "videoBitrate": 1800}, {"width": 854, "height": 480, "videoBitrate": 900}
TRANS = lambda **extra: {"destinations": {"transcriptions": {"c": {"name": "c", "role": "host", **extra}}}}  # noqa: E731
UPLOAD = {"recording": {"upload": {"type": "s3", "location": "b", "prefix": "rec/", "credentials": {"key": "${env:K}", "secretKey": "${env:S}"}}}}
ROOM_UPLOAD = lambda **creds: {"name": "r", "recording_info": {"upload_info": {"type": "s3", "location": "b", "credentials": {"key": "k", **creds}}}}  # noqa: E731
RECORDED = lambda role: {**tpl(**TRANS(modes=["recorded"]), recordings=[{"name": "rec", "role": role}])}  # noqa: E731

# rule id -> (kind, valid document, invalid document)
CASES = {
    "UNKNOWN-KEY": (T, role(priority=2), role(prority=2)),
    "SCHEMA-TYPE": (T, role(maxPeerCount=3), role(maxPeerCount="3")),
    "SCHEMA-RANGE": (T, role(publishParams={"video": {"width": 1920}}), role(publishParams={"video": {"width": 4000}})),
    "SCHEMA-ENUM": (T, role(publishParams={"allowed": ["audio"]}), role(publishParams={"allowed": ["smell"]})),
    "SCHEMA-REQUIRED": (T, tpl(recordings=[{"name": "r", "role": "host"}]), tpl(recordings=[{"name": "r"}])),
    "ROLE-PRIORITY": (T, role(priority=5), role(priority=6)),
    "ROLE-MAX-PEER-COUNT": (T, role(maxPeerCount=-1), role(maxPeerCount=-2)),
    "TEMPLATE-NAME-CHARSET": (T, {"name": "My webinar: v2.1_a-b"}, {"name": "webinar/v2"}),
    "ROLE-NAME-MISMATCH": (T, tpl(roles={"host": {"name": "host"}}), tpl(roles={"host": {"name": "hots"}})),
    "DEST-NAME-MISMATCH": (T, HLS(), {"name": "t", "destinations": {"hlsDestinations": {"h": {"name": "x"}}}}),
    "SIMULCAST-LAYERS": (
        T,
        role(publishParams={"simulcast": {"video": {"layers": [LAYER("f", 1.0), LAYER("h", 2.0), LAYER("q", 4.0)]}}}),
        role(publishParams={"simulcast": {"video": {"layers": [LAYER("f", 1.0), LAYER("f", 0.5)]}}}),
    ),
    "HLS-LAYER-SIZE": (T, tpl(**HLS(L720)), tpl(**HLS({"width": 1281, "height": 720}))),
    "HLS-LAYER-ORDER": (T, tpl(**HLS(L720, L480)), tpl(**HLS(L480, L720))),
    # §10.3.14: the resolution drops while the video bitrate rises
    "HLS-LAYER-ORDER/bitrate": (T, tpl(**HLS(L720, {**L480, "videoBitrate": 1800})), tpl(**HLS(L720, {**L480, "videoBitrate": 2000}))),
    "HLS-RECORDING-LAYERS-SUBSET": (T, tpl(**HLS(L720, L480, recording={"layers": [L480]})), tpl(**HLS(L720, recording={"layers": [L480]}))),
    "ZIP-UPLOAD-NEEDS-STORAGE": (T, tpl(settings=UPLOAD, **HLS(recording={"enableZipUpload": True})), tpl(**HLS(recording={"enableZipUpload": True}))),
    "ROOMSTATE-INTERVAL": (T, tpl(settings={"roomState": {"messageInterval": 15}}), tpl(settings={"roomState": {"messageInterval": 12}})),
    "RTMP-URLS": (
        T,
        tpl(destinations={"rtmpDestinations": {"y": {"name": "y", "rtmpUrls": ["rtmps://a/b"]}}}),
        tpl(destinations={"rtmpDestinations": {"y": {"name": "y", "rtmpUrls": ["http://a/b"]}}}),
    ),
    "RECORDINGS-ONE-CONFIG": (T, tpl(recordings=[{"name": "a", "role": "host"}]), tpl(recordings=[{"name": "a", "role": "host"}, {"name": "b", "role": "host"}])),
    "RECORDINGS-ROLE-EXISTS": (T, tpl(recordings=[{"name": "a", "role": "host"}]), tpl(recordings=[{"name": "a", "role": "bot"}])),
    "ROLE-REF-SUBSCRIBE": (T, role(subscribeParams={"subscribeToRoles": ["host"]}), role(subscribeParams={"subscribeToRoles": ["hots"]})),
    "ROLE-REF-TRANSCRIPTION": (T, tpl(**TRANS(modes=["recorded"])), {**tpl(**TRANS(modes=["recorded"])), "roles": {"guest": {}}}),
    "ROLE-REF-PLUGIN": (T, tpl(plugins={"whiteboard": {"permissions": {"admin": ["host"]}}}), tpl(plugins={"whiteboard": {"permissions": {"admin": ["teacher"]}}})),
    "TRANSCRIPTION-TRANSLATION-MODE": (T, tpl(**TRANS(modes=["caption"], translation={"enabled": True})), tpl(**TRANS(modes=["live"], translation={"enabled": True}))),
    "TRANSCRIPTION-RECORDED-ONLY": (T, tpl(**TRANS(modes=["recorded"], outputModes=["txt"])), tpl(**TRANS(modes=["caption"], outputModes=["txt"]))),
    "DEPRECATED-BROWSER-RECORDINGS": (T, tpl(destinations={}), tpl(destinations={"browserRecordings": {"b": {"name": "b", "role": "host"}}})),
    "DEPRECATED-RECORDING-ENABLED": (T, tpl(settings=UPLOAD), tpl(settings={"recording": {"enabled": True}})),
    "DEPRECATED-SUMMARY-ENABLE": (T, tpl(**TRANS(modes=["recorded"], summary={"enabled": True})), tpl(**TRANS(modes=["recorded"], summary={"enable": True}))),
    "NO-EFFECT-PLAYLIST-SEGMENTS": (T, tpl(**HLS(playlistType="live", numPlaylistSegments=6)), tpl(**HLS(playlistType="event", numPlaylistSegments=6))),
    # §10.2.13: pollRead: true beside pollWrite is what the dashboard sends; only false misleads
    "NO-EFFECT-POLL-READ": (T, role(permissions={"pollWrite": True, "pollRead": True}), role(permissions={"pollWrite": True, "pollRead": False})),
    "ROOM-NAME-CHARSET": (R, {"name": "town-hall_1:a.b"}, {"name": "town hall"}),
    "ROOM-SIZE": (R, {"name": "r", "size": 5000, "large_room": True}, {"name": "r", "size": 5000}),
    "ROOM-DURATION": (R, {"name": "r", "max_duration_seconds": 120}, {"name": "r", "max_duration_seconds": 60}),
    "ROOM-REGION": (R, {"name": "r", "region": "eu"}, {"name": "r", "region": "mars"}),
    "ROOM-TEMPLATE-REF": (R, {"name": "r", "template": "t"}, {"name": "r", "template": "t", "template_id": "a" * 24}),
    # --- issue 14 ---
    "DEST-NAME-REQUIRED": (T, tpl(**HLS(L720)), tpl(destinations={"rtmpDestinations": {"yt": {"rtmpUrls": ["rtmps://a/b"]}}})),
    "DEST-NAME-REQUIRED/transcription": (T, tpl(**TRANS(modes=["caption"])), tpl(destinations={"transcriptions": {"c": {"role": "host"}}})),
    "DEST-NAME-REQUIRED/browser": (T, tpl(destinations={"browserRecordings": {"b": {"name": "b", "role": "host"}}}),
                                   tpl(destinations={"browserRecordings": {"b": {"role": "host"}}})),
    "UPLOAD-REQUIRED": (T, tpl(settings=UPLOAD), tpl(settings={"recording": {"upload": {"type": "s3", "location": "b", "credentials": {"key": "k", "secretKey": "s"}}}})),
    "UPLOAD-REQUIRED/credentials": (T, tpl(settings=UPLOAD), tpl(settings={"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/"}}})),
    "UPLOAD-REQUIRED/secretKey": (T, tpl(settings=UPLOAD), tpl(settings={"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": "k"}}}})),
    "UPLOAD-REQUIRED/room": (R, ROOM_UPLOAD(secret="s"), ROOM_UPLOAD()),
    "CREDENTIALS-KEY-NAME": (T, tpl(settings=UPLOAD), tpl(settings={"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": "k", "secret": "s"}}}})),
    "CREDENTIALS-KEY-NAME/room": (R, ROOM_UPLOAD(secret="s"), ROOM_UPLOAD(secretKey="s")),
    "TRANSCRIPTION-NO-RECORDING": (T, RECORDED("host"), RECORDED("guest")),
    "TRANSCRIPTION-NO-RECORDING/none": (T, {**tpl(**TRANS(modes=["caption"])), "recordings": []}, {**tpl(**TRANS(modes=["recorded"])), "recordings": []}),
    "PLUGINS-IN-DESTINATIONS": (T, tpl(plugins={"whiteboard": {}}), tpl(destinations={"plugins": {"whiteboard": {}}})),
    "DEPRECATED-SIMULCAST-LAYERS": (T, role(publishParams={"simulcast": {"video": {"layers": [LAYER("f", 1.0)]}}}), role(publishParams={"videoSimulcastLayers": {}})),
    "DEPRECATED-SIMULCAST-LAYERS/settings": (T, tpl(settings={"region": "eu"}), tpl(settings={"screenSimulcastLayers": {}})),
    "DEPRECATED-SETTINGS-DEGRADATION": (T, role(subscribeParams={"subscribeDegradation": {"packetLossThreshold": 25}}), tpl(settings={"subscribeDegradation": {}})),
    "ROOM-PASTED-RECORDING-INFO": (R, {"name": "r", "recording_source_template": True},
                                   {"name": "r", "recording_source_template": True, "recording_info": {"enabled": False}}),
    "ROOM-CODES": (R, {"name": "r", "room_codes": {"disabled": ["guest"]}}, {"name": "r", "room_codes": "yes"}),
    "ROOM-UPLOAD": (R, {"name": "r", "recording_info": {"upload_info": {"type": "s3", "location": "b"}}},
                    {"name": "r", "recording_info": {"upload_info": {"type": "s3"}}}),
}
RTMP = lambda **extra: {"destinations": {"rtmpDestinations": {"y": {"name": "y", **extra}}}}  # noqa: E731
# issue 15: mistakes caught where they are cheap (file-only: the emulator does not answer with them)
FILE_CASES = {
    "WEBHOOK-URL": (R, {"name": "r", "webhook": {"url": "http://localhost:9000/hook"}},
                    {"name": "r", "webhook": {"url": "http://hooks.example.com/hook"}}),
    "RTMP-URL-FORMAT": (T, tpl(**RTMP(rtmpUrls=["rtmp://a.rtmp.youtube.com/live2/k"])), tpl(**RTMP(rtmpUrls=["rtmp://a.rtmp.youtube.com"]))),
    "RTMP-MAX-DURATION": (T, tpl(**RTMP(maxDuration=43200)), tpl(**RTMP(maxDuration=43201))),
    # `hmsconf calibrate`'s probe (README): the API takes the name, files may not declare it
    "RESERVED-NAME": (R, {"name": "hmsconf-calibrations"}, {"name": "HMSCONF-Calibration"}),
}
CASES.update(FILE_CASES)
CASES.update({
    "ROLE-LIST-DUPLICATE": (T, role(subscribeParams={"subscribeToRoles": ["host", "guest"]}),
                            role(subscribeParams={"subscribeToRoles": ["host", "guest", "host"]})),
    "UPLOAD-LOCATION-EMPTY": (T, tpl(settings={"recording": {"upload": {"type": "s3", "location": "b"}}}),
                              tpl(settings={"recording": {"upload": {"type": "s3", "location": " "}}})),
})
CONFIG_CASES = {
    "CONFIG-WORKSPACE": ({"default_workspace": "dev", "workspaces": {"dev": {"file": "x.db"}}},
                         {"default_workspace": "prod", "workspaces": {"dev": {"file": "x.db", "management_token": "t"}}}),
}
API_ONLY = {"ROOM-TEMPLATE-KEY": ({"name": "r", "template_id": "a" * 24}, {"name": "r", "template": "t"})}
# Checked across a workspace's documents, or over the secret places: a project that breaks each
_TEMPLATE = "kind: Template\nname: {name}\nroles: {{host: {{}}}}\n"
WORKSPACE_CASES = {
    "TEMPLATE-DEFAULT-TWICE": {"a.yaml": _TEMPLATE.format(name="a") + "default: true\n",
                               "b.yaml": _TEMPLATE.format(name="b") + "default: true\n"},
    "ROOM-TEMPLATE-UNDECLARED": {"t.yaml": _TEMPLATE.format(name="t"), "r.yaml": "kind: Room\nname: r\ntemplate: other\n"},
    "SECRET-LITERAL": {"r.yaml": "kind: Room\nname: r\nwebhook: {url: 'https://h.example.com/x', headers: {X-Key: literal}}\n"},
}


def test_every_rule_has_cases():
    assert set(RULES) == {c.split("/")[0] for c in CASES} | set(CONFIG_CASES) | set(API_ONLY) | set(WORKSPACE_CASES)


@pytest.mark.parametrize("rule_id", sorted(WORKSPACE_CASES))
def test_workspace_rules_flag_their_project(rule_id, tmp_path):
    from hmsconf.config.check import checked
    from hmsconf.config.project import open_project
    from tests.helpers import write_project

    project = open_project(str(write_project(tmp_path, WORKSPACE_CASES[rule_id])))
    _, found = checked(project, project.default_workspace, {}, refuse_errors=False)
    flagged = [d for d in found if d.rule == rule_id]
    assert flagged and all(d.severity == RULES[rule_id].severity for d in flagged), found


@pytest.mark.parametrize("case", sorted(CASES))
def test_valid_document_passes_and_invalid_one_is_flagged(case):
    rule_id = case.split("/")[0]  # "RULE/variant": a second pair of documents for the same rule
    kind, good, bad = CASES[case]
    assert rule_id not in {d.rule for d in check_document(kind, copy.deepcopy(good))}
    flagged = [d for d in check_document(kind, copy.deepcopy(bad)) if d.rule == rule_id]
    assert flagged, check_document(kind, bad)
    assert all(d.severity == RULES[rule_id].severity and d.message for d in flagged)


@pytest.mark.parametrize("rule_id", sorted(CONFIG_CASES))
def test_project_config_rules(rule_id):
    good, bad = CONFIG_CASES[rule_id]
    assert not check_project_config(good)
    assert rule_id in {d.rule for d in check_project_config(bad)}


def test_api_only_rule():
    good, bad = API_ONLY["ROOM-TEMPLATE-KEY"]
    assert not check_document("Room", good, api=True)
    (d,) = check_document("Room", bad, api=True)
    assert d.api_message == "Invalid body param: template. Use template_id"
    assert not check_document("Room", bad)  # in files, `template` is our name reference


def test_documented_room_messages():
    messages = {d.api_message for d in check_document("Room", {"name": "r", "size": 30000, "max_duration_seconds": 50000, "region": "x"}, api=True)}
    assert messages >= {"Invalid body param: room size greater than 20000",
                        "Invalid body param: max_duration_seconds greater than 43200 seconds", "Error: region not supported"}


def test_messages_speak_the_users_terms():
    (d,) = check_document(T, role(publishParams={"video": {"width": 4000}}))
    assert d.message == "role `guest`: publishParams.video.width 4000 is above the maximum 1920"
    assert d.path == ("roles", "guest", "publishParams", "video", "width")


@pytest.mark.parametrize("typo,fix", [("subscribeToRole", "subscribeToRoles"), ("maxpeercount", "maxPeerCount"), ("publishparams", "publishParams")])
def test_typos_get_suggestions(typo, fix):
    body = role(**({typo: 1} if typo != "subscribeToRole" else {"subscribeParams": {typo: []}}))
    (d,) = [d for d in check_document(T, body) if d.rule == "UNKNOWN-KEY"]
    assert f"did you mean `{fix}`?" in d.message


def test_api_response_validates_as_it_is():
    response = {
        "id": "6400a1b2c3d4e5f601234567", "_id": "6400a1b2c3d4e5f601234567", "name": "webinar",
        "customerId": "c", "customer": "c", "createdAt": "2026-01-01T00:00:22.23Z", "updatedAt": "0001-01-01T00:00:00Z",
        "roles": {"host": {"name": "host", "publishParams": {"allowed": ["audio", "video"], "simulcast": {"video": {"layers": []}, "screen": {}}},
                           "subscribeParams": {"subscribeToRoles": ["host"], "maxSubsBitRate": 3200},
                           "permissions": {"browserRecording": True, "rtmpStreaming": True, "hlsStreaming": True}, "priority": 1}},
        "settings": {"region": "in", "recording": None, "roomState": {"messageInterval": 5, "sendPeerList": False, "enabled": False, "stopRoomStateOnJoin": True}, "retry": {}},
        "destinations": {"hlsDestinations": {"h": {"name": "h", "role": "__internal_recorder", "layers": [L720]}}},
    }
    assert not [d for d in check_document(T, response) if d.is_error]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([T, R, P]), JSON)
def test_any_value_gives_diagnostics_not_a_crash(kind, value):
    for d in check_document(kind, value):
        assert d.rule in RULES or d.rule == "INTERNAL"
        assert d.rule != "INTERNAL", d.message


KEYS = ["roles", "guest", "publishParams", "video", "width", "permissions", "mute", "settings", "destinations",
        "hlsDestinations", "layers", "recordings", "role", "plugins", "subscribeParams", "subscribeToRoles", "name"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4), JSON), max_size=4))
def test_mutated_valid_templates_never_crash(mutations):
    from tests.factories import template

    body = template(roles=3)
    for path, value in mutations:
        node = body
        for key in path[:-1]:
            nxt = node.get(key) if isinstance(node, dict) else None
            if not isinstance(nxt, dict):
                nxt = {}
                if isinstance(node, dict):
                    node[key] = nxt
            node = nxt
        if isinstance(node, dict):
            node[path[-1]] = value
    assert all(d.rule != "INTERNAL" for d in check_document(T, body))


def test_rules_page_is_current():
    from pathlib import Path

    from hmsconf.config.rules import rules_markdown

    page = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert page.read_text() == rules_markdown(), "regenerate docs/rules.md from hmsconf.config.rules.rules_markdown()"


def test_a_rule_id_is_registered_once():
    from hmsconf.config.rules import rule
    from hmsconf.diagnostics import Severity

    with pytest.raises(ValueError, match="SCHEMA-TYPE"):
        rule("SCHEMA-TYPE", Severity.ERROR, "again")


def test_a_rule_makes_its_own_diagnostics():
    found = RULES["ROOM-SIZE"]("size 3000 is above 2500", ("size",), api_message="room size greater than 2500")
    assert (found.rule, found.severity.value, found.path, found.api_message) == ("ROOM-SIZE", "error", ("size",), "room size greater than 2500")
    assert RULES["ROLE-LIST-DUPLICATE"]("twice").severity.value == "warning"


def test_every_rule_id_a_check_reports_is_registered():
    """Ids of the rules module's diagnostics come from RULES (SECRET-LITERAL and INTERNAL are documented elsewhere)."""
    seen = {d.rule for kind, good, bad in CASES.values() for body in (good, bad) for d in check_document(kind, copy.deepcopy(body))}
    assert seen and seen <= set(RULES), seen - set(RULES)


def test_dig_reads_through_mappings_only():
    from hmsconf.config.rules import dig

    body = {"a": {"b": [1], "c": "text"}}
    assert dig(body, "a", "b") == [1]
    assert dig(body, "a", "c", "d") is None  # a string is not a mapping
    assert dig(body, "a", "x", "y") is None
    assert dig(["a"], "a") is None
    assert dig(body) is body


@pytest.mark.parametrize("rule_id", sorted(FILE_CASES))
def test_file_only_rules_do_not_change_what_the_emulator_accepts(rule_id):
    kind, _, bad = FILE_CASES[rule_id]
    assert rule_id not in {d.rule for d in check_document(kind, copy.deepcopy(bad), api=True)}


def test_more_malformed_values():
    bad_hooks = ["hooks.example.com/x", "ftp://hooks.example.com", "https://", "http://10.0.0.1/x"]
    for url in bad_hooks:
        assert "WEBHOOK-URL" in {d.rule for d in check_document(R, {"name": "r", "webhook": {"url": url}})}, url
    for url in ["rtmp://", "rtmps://host:99999/app/key", "rtmp://host name/app/key"]:
        assert "RTMP-URL-FORMAT" in {d.rule for d in check_document(T, tpl(**RTMP(rtmpUrls=[url])))}, url
    found = check_document(T, role(publishParams={"allowed": ["audio", "video", "audio"]}))
    assert [d.path for d in found if d.rule == "ROLE-LIST-DUPLICATE"] == [("roles", "guest", "publishParams", "allowed", 2)]
    # a webhook URL can carry a token (reference §10.4): never echoed
    (d,) = check_document(R, {"name": "r", "webhook": {"url": "hooks.example.com/x?token=s3cr3t"}})
    assert "s3cr3t" not in d.message


def test_a_role_silent_on_stream_powers_gets_a_risk_note(tmp_path):
    from hmsconf.api.live import LiveWorkspace
    from hmsconf.plan.changes import make_plan
    from tests.helpers import desired_from

    template = """
        kind: Template
        name: t
        roles:
          guest: {permissions: {pollRead: true}}
          viewer: {permissions: {browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}
          host: {permissions: {browserRecording: true, rtmpStreaming: false}}
    """
    desired, _ = desired_from(tmp_path, {"templates/t.yaml": template})
    plan, _ = make_plan(desired, LiveWorkspace())
    notes = [r for r in [r.text for r in plan.changes[0].risks] if "can start" in r]
    assert notes == [
        "role `guest` can start `browserRecording`, `rtmpStreaming`, `hlsStreaming`: the file does not say, "
        "and these default to true; write `false` to deny",
        "role `host` can start `hlsStreaming`: the file does not say, and these default to true; write `false` to deny",
    ]
