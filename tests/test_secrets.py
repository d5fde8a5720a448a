"""Secret canaries: unique values in every secret place, then every command in every format,
error paths included; the canaries appear in no stdout, stderr, saved plan or log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_project
from tests.test_workflow import KEY, SECRET, server  # noqa: F401  (the emulator fixture)

CANARIES = {
    "CANARY_S3_KEY": "canary-s3-key-7f3a",
    "CANARY_S3_SECRET": "canary-s3-secret-91bc",
    "CANARY_ROOM_KEY": "canary-room-key-22d1",
    "CANARY_ROOM_SECRET": "canary-room-secret-5e0f",
    "CANARY_HEADER": "canary-header-value-c4d2",
    "CANARY_STREAM_KEY": "canary-stream-key-4b8e",
    "CANARY_HOOK_TOKEN": "canary-hook-token-90aa",
}
ROTATED_STREAM_KEY = "canary-stream-key-rotated-77d0"
PROJECT = {
    "templates/t.yaml": """
        kind: Template
        name: secretive
        roles:
          host: {}
        destinations:
          rtmpDestinations:
            youtube:
              name: youtube
              rtmpUrls: ["rtmp://a.rtmp.youtube.com/live2/${env:CANARY_STREAM_KEY}"]
        settings:
          recording:
            upload:
              type: s3
              location: bucket
              prefix: rec/
              credentials: {key: "${env:CANARY_S3_KEY}", secretKey: "${env:CANARY_S3_SECRET}"}
    """,
    "rooms/r.yaml": """
        kind: Room
        name: vault
        template: secretive
        recording_info:
          upload_info:
            type: s3
            location: bucket
            credentials: {key: "${env:CANARY_ROOM_KEY}", secret: "${env:CANARY_ROOM_SECRET}"}
        webhook:
          url: "https://hooks.example.com/x?token=${env:CANARY_HOOK_TOKEN}"
          headers: {X-Token: "${env:CANARY_HEADER}"}
    """,
}


def hmsconf(args, url=None, cwd=None, extra=None):
    script = Path(sys.executable).parent / "hmsconf"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMS")}
    env.update(CANARIES)
    env["HMSCONF_DEBUG"] = "1"  # an internal error shows its traceback, which fails the run
    if url:
        env.update({"HMSCONF_API_URL": url, "HMS_ACCESS_KEY": KEY, "HMS_SECRET": SECRET})
    env.update(extra or {})
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def assert_clean(*texts: str) -> None:
    for text in texts:
        for value in (*CANARIES.values(), ROTATED_STREAM_KEY, SECRET):
            assert value not in text, f"secret {value[:12]}... leaked in:\n{text[:2000]}"


def test_no_command_in_any_format_prints_a_secret(tmp_path, server):  # noqa: F811
    project = write_project(tmp_path / "p", PROJECT)
    runs = []  # (expected exit code, result)

    def run(expected, args, url=None, extra=None):
        runs.append((expected, hmsconf(args, url, extra=extra)))
        return runs[-1][1]

    for fmt in ("text", "json", "github"):
        run(0, ["validate", str(project), "--format", fmt])
    for fmt in ("yaml", "json"):
        run(0, ["render", str(project), "--format", fmt])
    for fmt in ("text", "json", "markdown", "github"):
        run(0, ["plan", str(project), "--format", fmt], server)
    saved = tmp_path / "plan.json"
    run(0, ["plan", str(project), "--out", str(saved)], server)
    run(0, ["apply", str(saved)], server)
    run(0, ["apply", str(project), "--auto-approve", "--refresh-secrets", "--format", "json"], server)
    run(0, ["plan", str(project), "--refresh-secrets", "--format", "json"], server)
    # the stream key rotated between apply and plan: a change, marked sensitive, neither key shown
    rotated = {"CANARY_STREAM_KEY": ROTATED_STREAM_KEY}
    rotated_text, rotated_json = (run(2, ["plan", str(project), "--format", fmt, "--detailed-exitcode"], server, extra=rotated)
                                  for fmt in ("text", "json"))
    for fmt in ("markdown", "github"):
        run(2, ["plan", str(project), "--format", fmt, "--detailed-exitcode"], server, extra=rotated)
    for fmt in ("text", "json", "markdown", "github"):  # a partial plan reads and shows less, and masks the same
        run(2, ["plan", str(project), "--target", "Template/secretive", "--target", "Room/vault", "--format", fmt,
                "--detailed-exitcode", "--max-rate", "500"], server, extra=rotated)
    export_dir = tmp_path / "export"
    run(0, ["export", "--out", str(export_dir), "--project", str(project)], server)
    for fmt in ("text", "markdown", "dot", "json", "html"):
        run(0, ["show", str(project), "--format", fmt])
        run(0, ["show", str(project), "--live", "--format", fmt], server)
    run(0, ["show", str(project), "--format", "html", "--plan", str(saved)])
    # error paths: a wrong token, an unreachable API, a validation error carrying a secret
    run(1, ["plan", str(project)], server, extra={"HMS_SECRET": "not-the-secret-at-all-0000000000"})
    run(1, ["plan", str(project)], "http://127.0.0.1:9/v2")
    broken = write_project(tmp_path / "broken", {"t.yaml": PROJECT["templates/t.yaml"].replace("type: s3", "type: s4")})
    run(1, ["validate", str(broken)])
    for expected, done in runs:
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == expected, (done.args, done.returncode, done.stdout[-1000:], done.stderr[-1000:])
        assert_clean(done.stdout, done.stderr)
    assert_clean(saved.read_text())
    exported = [p.read_text() for p in export_dir.rglob("*.yaml")]
    assert exported and any("rtmp://a.rtmp.youtube.com/live2/${env:" in text for text in exported)
    assert_clean(*exported)
    text_plan = runs[5][1].stdout
    assert "(sensitive)" in text_plan  # the text plan shows where secrets are, masked
    assert "rtmp://a.rtmp.youtube.com/live2/(sensitive)" in text_plan  # the host stays visible
    assert "token=(sensitive)" in text_plan
    assert "rtmpUrls" in rotated_text.stdout and "(changed)" in rotated_text.stdout, rotated_text.stdout
    rotated_plan = json.loads(rotated_json.stdout)
    (field,) = [f for c in rotated_plan["changes"] for f in c["fields"] if f["path"].endswith("rtmpUrls")]
    assert field["sensitive"] is True and field["new"] == ["rtmp://a.rtmp.youtube.com/live2/(sensitive)"]


def test_emulator_never_prints_a_secret_it_was_given(tmp_path):
    script = Path(sys.executable).parent / "hmsconf"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]
    proc = subprocess.Popen([*command, "emulator", "--port", "0", "--secret", "given-secret-canary-0000000000000",
                             "--access-log", str(tmp_path / "access.log")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = [proc.stdout.readline() for _ in range(4)]
    proc.terminate()
    rest, _ = proc.communicate(timeout=10)
    assert "given-secret-canary" not in "".join(lines) + rest
    assert any("(as given)" in line for line in lines)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_offline_diff_masks_secrets(tmp_path, fmt):
    repo = write_project(tmp_path / "repo", PROJECT)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path)}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env={**os.environ, **env}, capture_output=True)
    room = repo / "rooms" / "r.yaml"
    room.write_text(room.read_text().replace("hooks.example.com/x", "hooks.example.com/y"))
    done = hmsconf(["diff", "--base", "HEAD", str(repo), "--format", fmt])
    assert done.returncode == 0, done.stderr
    assert_clean(done.stdout, done.stderr)
