"""Golden plans: one workspace change that makes every kind of risk sentence the planner writes
and every action (create, update, disable, enable, unmanaged), planned by the installed command
against a real local workspace and rendered in every format (text, json, markdown, github).

The goldens are in tests/golden/; what varies from run to run (live ids, salted fingerprints,
the salt, the time, the temporary folder) is replaced by a fixed word before comparing.
``HMSCONF_UPDATE_GOLDEN=1`` rewrites them: read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from hmsconf.plan.risks import RiskCode
from tests import cli
from tests.helpers import write_project

GOLDEN = Path(__file__).parent / "golden"
FORMATS = {"text": "txt", "json": "json", "markdown": "md", "github": "github.txt"}

UPLOAD = "upload: {{type: s3, location: {bucket}, prefix: rec/, credentials: {{key: '${{env:S3_KEY}}', secretKey: '${{env:S3_SECRET}}'}}}}"

BEFORE = {
    "hmsconf.yaml": "vars: {}\n",
    "templates/webinar.yaml": f"""
        kind: Template
        name: webinar
        roles:
          host: {{permissions: {{endRoom: true, browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}}
          guest:
            permissions: {{endRoom: false, browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}
            publishParams: {{allowed: [audio]}}
            maxPeerCount: 10
          viewer: {{maxPeerCount: 5, permissions: {{browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}}
          stage: {{}}
        settings:
          region: eu
          recording: {{{UPLOAD.format(bucket="bucket-a")}}}
        destinations:
          rtmpDestinations:
            youtube: {{name: youtube, rtmpUrls: ["rtmps://a.rtmp.youtube.com/live2/${{env:STREAM_KEY}}"], recordingEnabled: true}}
            twitch: {{name: twitch, rtmpUrls: ["rtmps://live.twitch.tv/app/${{env:STREAM_KEY}}"]}}
          hlsDestinations:
            hls: {{name: hls, recording: {{hlsVod: true}}}}
        recordings:
          - {{name: main, role: host, trackRecording: {{enabled: true}}, streamRecording: {{enabled: true}}}}
    """,
    "templates/archive.yaml": f"""
        kind: Template
        name: archive
        roles: {{host: {{permissions: {{browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}}}}
        settings:
          recording: {{{UPLOAD.format(bucket="bucket-b")}}}
        recordings: [{{name: spare, role: host, trackRecording: {{enabled: true}}}}]
    """,
    "templates/legacy.yaml": "kind: Template\nname: legacy\nroles: {host: {}}\n",
    "rooms/rooms.yaml": """
        kind: Room
        name: moved
        template: webinar
        ---
        kind: Room
        name: hooked
        template: webinar
        webhook: {url: "https://hooks.example.com/a"}
        ---
        kind: Room
        name: unhooked
        template: webinar
        webhook: {url: "https://hooks.example.com/b"}
        ---
        kind: Room
        name: newly-hooked
        template: archive
        ---
        kind: Room
        name: closing
        template: archive
        ---
        kind: Room
        name: reopened
        template: archive
        enabled: false
        ---
        kind: Room
        name: pinned
        template: archive
        ---
        kind: Room
        name: bigger
        template: archive
        size: 10
        ---
        kind: Room
        name: coded
        template: archive
        room_codes: false
    """,
}

AFTER = {
    "hmsconf.yaml": (
        "workspaces:\n  local:\n    file: .hmsconf/local-workspace.db\n"
        "    webhook: {url: 'https://hooks.example.com/all', headers: {X-Auth: '${env:HOOK_AUTH}'}}\n"
        "protect: {rooms: [bigger]}\n"
    ),
    "templates/webinar.yaml": f"""
        kind: Template
        name: webinar
        roles:
          host: {{permissions: {{endRoom: true, browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}}
          guest:
            permissions: {{endRoom: true, removeOthers: true, browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}
            publishParams: {{allowed: [audio, video, screen]}}
            maxPeerCount: 20
          viewer: {{maxPeerCount: 0, permissions: {{browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}}
          moderator: {{permissions: {{mute: true}}}}
        settings:
          region: eu
          recording: {{{UPLOAD.format(bucket="bucket-c")}}}
        destinations:
          rtmpDestinations:
            youtube: {{name: youtube, rtmpUrls: ["rtmps://a.rtmp.youtube.com/live2/${{env:STREAM_KEY}}"], recordingEnabled: false}}
          hlsDestinations:
            hls: {{name: hls}}
        recordings:
          - {{name: main, role: host, trackRecording: {{enabled: false}}, streamRecording: {{enabled: false}}}}
    """,
    "templates/archive.yaml": """
        kind: Template
        name: archive
        roles: {host: {permissions: {browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}
        settings: {region: in}
        recordings: []
    """,
    "templates/brand-new.yaml": (
        "kind: Template\nname: brand-new\ndefault: true\n"
        "roles: {host: {permissions: {browserRecording: false, rtmpStreaming: false, hlsStreaming: false}}}\n"
    ),
    "rooms/rooms.yaml": """
        kind: Room
        name: moved
        template: archive
        ---
        kind: Room
        name: hooked
        template: webinar
        webhook: {url: "https://hooks.example.com/a2"}
        ---
        kind: Room
        name: unhooked
        template: webinar
        webhook: null
        ---
        kind: Room
        name: newly-hooked
        template: archive
        webhook: {url: "https://hooks.example.com/c", headers: {X-Token: "${env:HOOK_AUTH}"}}
        ---
        kind: Room
        name: closing
        template: archive
        enabled: false
        ---
        kind: Room
        name: reopened
        template: archive
        enabled: true
        ---
        kind: Room
        name: pinned
        template: archive
        recording_info:
          upload_info: {type: s3, location: room-bucket, credentials: {key: "${env:S3_KEY}", secret: "${env:S3_SECRET}"}}
        ---
        kind: Room
        name: bigger
        template: archive
        size: 50
        ---
        kind: Room
        name: coded
        template: archive
        room_codes: true
        ---
        kind: Room
        name: fresh
        template: brand-new
    """,
}

ENV = {"S3_KEY": "key-id", "S3_SECRET": "s3-secret-3f9a", "STREAM_KEY": "stream-key-77c1", "HOOK_AUTH": "hook-auth-12ab"}

# Every kind of risk sentence the planner writes (plan.py, room_codes.py), each met at least once.
RISKS = [
    r"^role `guest` gains `endRoom`, `removeOthers`$",
    r"^new role `moderator` has `mute`$",
    r"^role `guest` can now publish video$",
    r"^role `guest` can now publish screen$",
    r"^role `viewer` maxPeerCount becomes unlimited \(was 5\)$",
    r"^role `guest` maxPeerCount raised from 10 to 20$",
    r"^role `stage` is removed: peers can no longer join with it$",
    r"^becomes the workspace default template: rooms created without a template_id use it$",
    r"^role `moderator` can start `browserRecording`, `rtmpStreaming`, `hlsStreaming`: the file does not say",
    r"^RTMP destination `twitch` is removed$",
    r"^RTMP destination `youtube` stops recording$",
    r"^HLS destination `hls` stops recording$",
    r"^recording config `spare` is removed$",
    r"^recording config `main`: track recording is switched off$",
    r"^recording config `main`: stream recording is switched off$",
    r"^recordings are uploaded to a different bucket$",
    r"^recordings go back to 100ms storage instead of your own bucket$",
    r"^storage credentials are sent again \(write-only, not comparable\)$",
    r"^\d+ live rooms? uses? this template$",
    r"^room `moved` moves from template `webinar` to `archive`$",
    r"^room `hooked` webhook URL changes: https://hooks.example.com/a -> https://hooks.example.com/a2$",
    r"^room `unhooked` stops sending its own webhooks \(the workspace webhook applies\)$",
    r"^room `newly-hooked` sends its events to https://hooks.example.com/c instead of the workspace webhook$",
    r"^room `closing` is disabled: nobody can join it once its current session ends$",
    r"^room `pinned` pins its own recording settings and stops following the template's",
    r"^room `pinned`: storage credentials are sent \(write-only, not comparable\)$",
    r"^room `bigger` size raised from 10 to 50$",
    r"^room `coded`: role\(s\) `host` get a room code \(anyone with it can join\)$",
]

# Every risk code (hmsconf.plan.risks) is met here but this one, which only `hmsconf diff` writes
# (tests/test_review.py). A new code: give it a line in RISKS and a cause in AFTER.
NOT_IN_A_PLAN = {RiskCode.PROJECT_ROOMS_USE_TEMPLATE}

ACTIONS = {"create", "update", "disable", "enable", "unmanaged"}


def hmsconf(*args: str, cwd: Path) -> cli.Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB_STEP"))}
    return cli.run(args, cwd=cwd, env={**env, "NO_COLOR": "1", **ENV})


def steady(text: str, project: Path) -> str:
    """The rendered plan with what differs between runs replaced by fixed words."""
    text = text.replace(str(project), "<project>")
    text = re.sub(r"sha256:[0-9a-f]{8,}", "sha256:<hash>", text)
    text = re.sub(r"\b[0-9a-f]{24}\b", "<id>", text)
    text = re.sub(r'("salt": )"[^"]*"', r'\1"<salt>"', text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)", "<time>", text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    project = write_project(tmp_path_factory.mktemp("golden") / "p", BEFORE)
    done = hmsconf("apply", "--auto-approve", cwd=project)
    assert done.returncode == 0, done.output()
    (project / "templates" / "legacy.yaml").unlink()  # still live, in no file: unmanaged
    write_project(project, AFTER)
    out = {}
    for name in FORMATS:
        done = hmsconf("plan", "--detailed-exitcode", "--format", name, cwd=project)
        assert done.returncode == 2, done.output()  # changes present
        out[name] = steady(done.stdout, project)
    return out


@pytest.mark.parametrize("name", FORMATS)
def test_golden_plan(rendered, name):
    path = GOLDEN / f"plan-every-risk.{FORMATS[name]}"
    if os.environ.get("HMSCONF_UPDATE_GOLDEN"):
        path.write_text(rendered[name])
    assert rendered[name] == path.read_text(), f"{path.name} differs: HMSCONF_UPDATE_GOLDEN=1 rewrites it (review the diff)"


def test_every_risk_and_every_action_is_in_the_golden_plan(rendered):
    plan = json.loads(rendered["json"])
    assert {c["action"] for c in plan["changes"]} == ACTIONS
    risks = [r["text"] for c in plan["changes"] for r in c["risks"]]
    missing = [pattern for pattern in RISKS if not any(re.search(pattern, r) for r in risks)]
    assert not missing, f"no risk like {missing} in {risks}"
    unexpected = [r for r in risks if not any(re.search(pattern, r) for pattern in RISKS)]
    assert not unexpected, f"a risk kind the golden list does not know: {unexpected}"
    for name in ("text", "markdown", "github"):  # each renderer shows every risk and every action
        for risk in risks:
            assert risk.replace("`", "") in rendered[name].replace("`", "").replace("\\", ""), (name, risk)
    assert plan["manual_steps"] and plan["warnings"]


def test_the_golden_scenario_meets_every_risk_code(rendered):
    plan = json.loads(rendered["json"])
    met = {RiskCode(r["code"]) for c in plan["changes"] for r in c["risks"]}
    assert met == set(RiskCode) - NOT_IN_A_PLAN, f"not met: {set(RiskCode) - NOT_IN_A_PLAN - met}"


def test_every_risk_code_is_detected_somewhere():
    source = Path(__file__).resolve().parents[1] / "src" / "hmsconf"
    detectors = "".join(path.read_text() for path in source.rglob("*.py") if path.name != "risks.py")
    unused = [code.name for code in RiskCode if f"RiskCode.{code.name}" not in detectors]
    assert not unused, f"risk codes nothing writes: {unused}"


def test_no_secret_in_any_golden_plan(rendered):
    for name, text in rendered.items():
        for value in ENV.values():
            if value != "key-id":
                assert value not in text, (name, value)
