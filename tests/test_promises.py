"""What the README promises about plan and apply, each run as a user runs it (the installed
command, HMSCONF_DEBUG=1, exit codes checked) against the local workspace file or the emulator
over HTTP."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from hmsconf.emulator.store import Store
from tests import cli
from tests.conftest import ACCESS_KEY, SECRET, start_emulator
from tests.helpers import write_project

NO_HMS = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB_STEP"))}


def hmsconf(*args: str, cwd: Path, env: dict | None = None) -> cli.Result:
    return cli.run(args, cwd=cwd, env={**NO_HMS, "NO_COLOR": "1", **(env or {})})


def against(url: str) -> dict:
    """The connection of `--api-url`, by its environment variable, with the emulator's credentials."""
    return {"HMSCONF_API_URL": url, "HMS_ACCESS_KEY": ACCESS_KEY, "HMS_SECRET": SECRET}


def stored(store: Store, kind: str, name: str) -> dict:
    """What the emulator holds for an object, write-only secrets included (the API never returns
    them): the only way to see what apply sent."""
    table, key = ("templates", "name") if kind == "Template" else ("rooms", "name_key")
    with store.tables.lock:
        row = store.tables.db.execute(f"SELECT body FROM {table} WHERE {key} = ?", (name if kind == "Template" else name.lower(),)).fetchone()
    assert row is not None, f"{kind} {name} is not stored"
    return json.loads(row[0])


TEMPLATE = "kind: Template\nname: {name}\nroles:\n  host: {{priority: 1}}\n  guest: {{priority: {priority}}}\n"


# --- a saved plan is refused when the files changed ---------------------------------------------


def test_a_saved_plan_is_refused_when_the_files_changed_since(tmp_path):
    project = write_project(tmp_path / "p", {"templates/t.yaml": TEMPLATE.format(name="t", priority=2)})
    assert hmsconf("apply", "--auto-approve", cwd=project).returncode == 0
    (project / "templates/t.yaml").write_text(TEMPLATE.format(name="t", priority=3))
    saved = tmp_path / "plan.json"
    assert hmsconf("plan", "--out", str(saved), cwd=project).returncode == 0
    (project / "templates/t.yaml").write_text(TEMPLATE.format(name="t", priority=4))  # the files move on
    refused = hmsconf("apply", str(saved), cwd=project)
    assert refused.returncode == 1
    assert "configuration files (or the environment variables they read) changed since the plan was made" in refused.stderr
    assert "Nothing was applied" in refused.stderr
    # the live workspace did not move: the plan (to priority 4) still shows the change from 2
    again = hmsconf("plan", "--format", "json", cwd=project)
    assert again.returncode == 0
    [change] = [c for c in json.loads(again.stdout)["changes"] if c["action"] != "unmanaged"]
    assert [(f["path"], f["old"], f["new"]) for f in change["fields"]] == [("roles.guest.priority", 2, 4)]


def test_a_saved_plan_is_refused_when_a_variable_it_read_changed(tmp_path):
    project = write_project(tmp_path / "p", {
        "templates/t.yaml": TEMPLATE.format(name="t", priority=2),
        "rooms/r.yaml": "kind: Room\nname: r\ntemplate: t\nsize: ${env:ROOM_SIZE}\n",
    })
    saved = tmp_path / "plan.json"
    assert hmsconf("plan", "--out", str(saved), cwd=project, env={"ROOM_SIZE": "10"}).returncode == 0
    refused = hmsconf("apply", str(saved), cwd=project, env={"ROOM_SIZE": "11"})
    assert refused.returncode == 1 and "changed since the plan was made" in refused.stderr
    applied = hmsconf("apply", str(saved), cwd=project, env={"ROOM_SIZE": "10"})  # the same inputs: applies
    assert applied.returncode == 0, applied.output()
    assert stored(Store(project / ".hmsconf/local-workspace.db"), "Room", "r")["size"] == 10


# --- apply's report after a failure -------------------------------------------------------------


def refusing(names: set[str]):
    """ASGI middleware: a create of a template named in ``names`` answers 400, as the API does
    for a body it rejects (not retried); ``names`` may be emptied to stop refusing."""

    def wrap(app):
        async def serve(scope, receive, send):
            if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/templates"):
                return await app(scope, receive, send)
            body, more = b"", True
            while more:
                message = await receive()
                body, more = body + message.get("body", b""), message.get("more_body", False)
            if json.loads(body or b"{}").get("name") in names:
                answer = json.dumps({"code": 400, "message": "Invalid body param", "details": ["refused by the test"]}).encode()
                await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": answer})
                return None

            async def replay():
                return {"type": "http.request", "body": body, "more_body": False}

            return await app(scope, replay, send)

        return serve

    return wrap


def test_after_a_failure_apply_stops_reports_what_was_and_was_not_applied_and_a_rerun_converges(tmp_path):
    refuse = {"t2"}
    running, server, thread = start_emulator(Store(tmp_path / "state.db"), wrap=refusing(refuse))
    try:
        files = {f"templates/t{i}.yaml": TEMPLATE.format(name=f"t{i}", priority=2) for i in (1, 2)}
        files.update({f"rooms/r{i}.yaml": f"kind: Room\nname: r{i}\ntemplate: t1\n" for i in (1, 2)})
        project = write_project(tmp_path / "p", files)
        env = against(running.url)
        failed = hmsconf("apply", "--auto-approve", cwd=project, env=env)
        assert failed.returncode == 1
        # what was applied (stdout), what failed and what was not run (stderr), and how many of each
        assert "  applied  template `t1`: POST /templates" in failed.stdout
        assert re.search(r"  FAILED   template `t2`: POST /templates.*: .*refused by the test", failed.stderr)
        not_run = re.findall(r"  not run  room `(r\d)`", failed.stderr)
        assert sorted(set(not_run)) == ["r1", "r2"]  # rooms go after templates: once one failed, none started
        counted = re.search(r"Error: apply stopped after the first failure: (\d+) request\(s\) applied, (\d+) not\.", failed.stderr)
        assert counted and int(counted[1]) == failed.stdout.count("  applied  ")
        assert int(counted[2]) == failed.stderr.count("  FAILED   ") + failed.stderr.count("  not run  ")
        assert running.store.counts() == {"templates": 1, "rooms": 0}  # t1 only
        refuse.clear()
        rerun = hmsconf("apply", "--auto-approve", cwd=project, env=env)
        assert rerun.returncode == 0, rerun.output()
        assert "template `t1`" not in rerun.stdout  # done the first time: not sent again
        settled = hmsconf("plan", "--detailed-exitcode", cwd=project, env=env)
        assert settled.returncode == 0, settled.output()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


# --- safety: from hmsconf.yaml, and the min_objects exemption -------------------------------------


def safety_project(root: Path, safety: str | None, priority: int) -> Path:
    files = {f"templates/t{i}.yaml": TEMPLATE.format(name=f"t{i}", priority=priority) for i in range(4)}
    files["hmsconf.yaml"] = f"safety: {safety}\n" if safety else "vars: {}\n"
    return write_project(root, files)


@pytest.mark.parametrize(("safety", "refused"), [
    ("{max_change_share: 0.3, min_objects: 10}", False),   # the README's example: 4 objects are exempt
    ("{max_change_share: 0.5, min_objects: 4}", True),     # 4 of 4 changed, above 50 %
    ("{max_change_share: 1.0, min_objects: 0}", False),    # any share allowed
])
def test_safety_is_read_from_hmsconf_yaml_and_small_projects_are_exempt(tmp_path, safety, refused):
    project = safety_project(tmp_path / "p", safety, 2)
    assert hmsconf("apply", "--auto-approve", cwd=project).returncode == 0
    safety_project(project, safety, 3)  # every live object changes
    done = hmsconf("apply", "--auto-approve", cwd=project)
    if refused:
        assert done.returncode == 1
        assert "the plan changes 4 of the 4 live objects" in done.stderr and "--force" in done.stderr
        assert "Nothing was applied" in done.stderr
        forced = hmsconf("apply", "--auto-approve", "--force", cwd=project)
        assert forced.returncode == 0, forced.output()
    else:
        assert done.returncode == 0, done.output()
    assert hmsconf("plan", "--detailed-exitcode", cwd=project).returncode == 0


# --- write-only secrets: sent with their part, and again with --refresh-secrets -------------------


SECRET_TEMPLATE = """
    kind: Template
    name: rec
    roles:
      host: {}
    settings:
      region: ${var:region}
      recording:
        upload:
          type: s3
          location: bucket
          prefix: rec/
          credentials: {key: "${env:S3_KEY}", secretKey: "${env:S3_SECRET}"}
"""


def test_secrets_are_sent_with_their_part_and_again_with_refresh_secrets(tmp_path, emulator):
    project = write_project(tmp_path / "p", {"hmsconf.yaml": "vars: {region: eu}\n", "templates/t.yaml": SECRET_TEMPLATE})

    def apply(secret: str, *flags: str) -> None:
        done = hmsconf("apply", "--auto-approve", *flags, cwd=project, env={**against(emulator.url), "S3_KEY": "k", "S3_SECRET": secret})
        assert done.returncode == 0, done.output()

    def held() -> str:
        return stored(emulator.store, "Template", "rec")["settings"]["recording"]["upload"]["credentials"]["secretKey"]

    apply("first")
    assert held() == "first"
    apply("rotated")  # secrets are never compared: nothing to do, nothing sent
    assert held() == "first"
    apply("rotated", "--refresh-secrets")
    assert held() == "rotated"
    (project / "hmsconf.yaml").write_text("vars: {region: us}\n")  # the settings part changes ...
    apply("rotated-again")
    assert held() == "rotated-again"  # ... and the secret it holds goes with it
    assert stored(emulator.store, "Template", "rec")["settings"]["region"] == "us"


def test_room_webhook_headers_are_sent_again_with_refresh_secrets(tmp_path, emulator):
    project = write_project(tmp_path / "p", {
        "templates/t.yaml": "kind: Template\nname: t\nroles: {host: {}}\n",
        "rooms/r.yaml": "kind: Room\nname: hooked\ntemplate: t\nwebhook: {url: 'https://hooks.example.com/x', headers: {X-Token: '${env:HOOK}'}}\n",
    })
    for value, flags, expected in [("one", (), "one"), ("two", (), "one"), ("two", ("--refresh-secrets",), "two")]:
        done = hmsconf("apply", "--auto-approve", *flags, cwd=project, env={**against(emulator.url), "HOOK": value})
        assert done.returncode == 0, done.output()
        assert stored(emulator.store, "Room", "hooked")["webhook"]["headers"] == {"X-Token": expected}


# --- a role rename is applied in place -----------------------------------------------------------


def test_apply_of_a_role_rename_renames_in_place(tmp_path, emulator):
    project = write_project(tmp_path / "p", {
        "templates/t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\n  guest: {priority: 3, maxPeerCount: 7}\n",
    })
    env = against(emulator.url)
    assert hmsconf("apply", "--auto-approve", cwd=project, env=env).returncode == 0
    (project / "templates/t.yaml").write_text(
        "kind: Template\nname: t\nroles:\n  host: {}\n  attendee: {renamed_from: guest, priority: 3, maxPeerCount: 7}\n")
    plan = hmsconf("plan", "--format", "json", cwd=project, env=env)
    assert plan.returncode == 0
    [change] = [c for c in json.loads(plan.stdout)["changes"] if c["action"] != "unmanaged"]
    assert change["role_changes"] == {"attendee": "renamed from `guest`"} and change["destroys"] == []
    done = hmsconf("apply", "--auto-approve", cwd=project, env=env)  # no --allow-destroy: nothing is removed
    assert done.returncode == 0, done.output()
    assert "POST /templates/" in done.stdout and "/roles/guest" in done.stdout  # the old role's endpoint, renamed there
    roles = stored(emulator.store, "Template", "t")["roles"]
    assert sorted(roles) == ["attendee", "host"]
    assert roles["attendee"]["name"] == "attendee" and roles["attendee"]["priority"] == 3 and roles["attendee"]["maxPeerCount"] == 7
    assert hmsconf("plan", "--detailed-exitcode", cwd=project, env=env).returncode == 0


# --- --api-url replaces the workspace's connection; its variables still apply ----------------------


@pytest.mark.parametrize("by", ["option", "environment"])
def test_api_url_replaces_the_connection_and_keeps_the_workspace_variables(tmp_path, emulator, by):
    project = write_project(tmp_path / "p", {
        "hmsconf.yaml": "default_workspace: local\nworkspaces:\n  local: {file: .hmsconf/local.db, vars: {region: us}}\n",
        "templates/t.yaml": "kind: Template\nname: t\nroles: {host: {}}\nsettings: {region: '${var:region}'}\n",
    })
    credentials = {"HMS_ACCESS_KEY": ACCESS_KEY, "HMS_SECRET": SECRET}
    if by == "option":
        done = hmsconf("apply", "--auto-approve", "--api-url", emulator.url, cwd=project, env=credentials)
    else:
        done = hmsconf("apply", "--auto-approve", cwd=project, env={**credentials, "HMSCONF_API_URL": emulator.url})
    assert done.returncode == 0, done.output()
    assert stored(emulator.store, "Template", "t")["settings"]["region"] == "us"
    assert not (project / ".hmsconf" / "local.db").exists()  # the workspace's own connection was not opened
    wrong = hmsconf("plan", "--api-url", emulator.url, cwd=project, env={**credentials, "HMS_SECRET": "not-the-secret"})
    assert wrong.returncode == 1 and "401" in wrong.stderr and "not-the-secret" not in wrong.stderr


# --- every command has --help with examples -------------------------------------------------------


def test_every_command_has_help_with_an_example(tmp_path):
    """Every command `hmsconf --help` lists (the installed command), each one's --help and -h
    (in-process through click's runner: the same command objects, a fraction of the time)."""
    from click.testing import CliRunner

    from hmsconf.cli import cli as main

    top = hmsconf("--help", cwd=tmp_path)
    assert top.returncode == 0 and top.stdout.startswith("Usage: hmsconf")
    names = re.findall(r"^  (\w[\w-]*)\s", top.stdout.split("Commands:", 1)[1], flags=re.M)
    assert {"validate", "plan", "apply", "diff", "render", "export", "fmt", "emulator", "schema", "codes"} <= set(names)
    runner = CliRunner()
    for name in names:
        done = runner.invoke(main, [name, "--help"], prog_name="hmsconf")
        assert done.exit_code == 0 and done.exception is None, (name, done.output)
        assert done.output.startswith(f"Usage: hmsconf {name}"), name
        examples = done.output.split("Examples:", 1)
        assert len(examples) == 2 and f"hmsconf {name}" in examples[1], f"`hmsconf {name} --help` shows no example"
        assert runner.invoke(main, [name, "-h"], prog_name="hmsconf").output == done.output


# --- the workspace webhook is a manual step ------------------------------------------------------


def test_the_workspace_webhook_is_printed_as_a_manual_step_and_never_sent(tmp_path):
    project = write_project(tmp_path / "p", {
        "hmsconf.yaml": (
            "workspaces:\n  local:\n    file: .hmsconf/ws.db\n"
            "    webhook: {url: 'https://hooks.example.com/100ms', headers: {X-Auth: '${env:HOOK_AUTH}'}}\n"
        ),
        "templates/t.yaml": "kind: Template\nname: t\nroles: {host: {}}\n",
    })
    env = {"HOOK_AUTH": "hook-secret-value-5d1e"}
    text = hmsconf("plan", cwd=project, env=env)
    assert text.returncode == 0
    step = ("Manual step: The workspace-level webhook can only be set in the 100ms dashboard (Developer section): "
            "set it to https://hooks.example.com/100ms with header(s) X-Auth (values from your secret store) for workspace `local`.")
    assert step in text.stdout.splitlines()
    as_json = hmsconf("plan", "--format", "json", cwd=project, env=env)
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["manual_steps"] == [step.removeprefix("Manual step: ")]
    applied = hmsconf("apply", "--auto-approve", cwd=project, env=env)
    assert applied.returncode == 0 and "hook-secret-value-5d1e" not in applied.stdout + applied.stderr
    # nothing of it reached the workspace: the API has no such endpoint
    assert "hooks.example.com" not in json.dumps(stored(Store(project / ".hmsconf/ws.db"), "Template", "t"))
    settled = hmsconf("plan", "--detailed-exitcode", cwd=project, env=env)
    assert settled.returncode == 0 and step in settled.stdout  # still a step to do: hmsconf cannot know it was done
