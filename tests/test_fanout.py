"""`plan --all-workspaces`: every workspace in one run, concurrently, a section and an
exit status each, the worst one overall; Markdown gives each its heading and marker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmsconf.emulator.store import Store
from tests.conftest import ACCESS_KEY, SECRET, start_emulator
from tests.helpers import write_project

FILES = {
    "hmsconf.yaml": """
        default_workspace: dev
        workspaces:
          dev: {api_url: "${env:DEV_URL}", access_key: "${env:KEY}", secret: "${env:SECRET}"}
          prod: {api_url: "${env:PROD_URL}", access_key: "${env:KEY}", secret: "${env:SECRET}", max_rate: 200}
          broken: {api_url: "${env:PROD_URL}", access_key: "${env:NOT_SET_ANYWHERE}", secret: x}
          local: {file: .hmsconf/ws.db}
    """,
    "templates/webinar.yaml": """
        kind: Template
        name: webinar
        roles: {host: {}}
    """,
    "templates/prod-only.yaml": """
        kind: Template
        name: prod-only
        roles: {host: {}}
        workspaces: [prod]
    """,
}


@pytest.fixture()
def two(tmp_path, request):
    """Two emulators (dev, prod) with access logs; dev answers after ``latency`` ms (indirect parameter)."""
    started = []
    for name in ("dev", "prod"):
        log = tmp_path / f"{name}.log"
        latency = getattr(request, "param", 0) if name == "dev" else 0
        running, server, thread = start_emulator(Store(tmp_path / f"{name}.db"), latency_ms=latency, access_log=str(log))
        started.append((running, log, server, thread))
    yield {name: (running, log) for name, (running, log, _, _) in zip(("dev", "prod"), started)}
    for running, _, server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


def cli(args: list[str], env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB_STEP"))}
    env.update(env_extra)
    script = Path(sys.executable).parent / "hmsconf"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture()
def setup(two, tmp_path):
    project = write_project(tmp_path / "p", FILES)
    env = {"DEV_URL": two["dev"][0].url, "PROD_URL": two["prod"][0].url, "KEY": ACCESS_KEY, "SECRET": SECRET}
    two["dev"][0].store.create_template({"name": "webinar", "roles": {"host": {}}})  # dev: nothing to do
    return project, env


def test_every_workspace_gets_a_section_and_the_worst_exit(setup, two):
    project, env = setup
    done = cli(["plan", str(project), "--all-workspaces", "--format", "json", "--detailed-exitcode"], env)
    assert done.returncode == 1, done.stderr  # `broken` has no credentials: an error is the worst
    data = json.loads(done.stdout)
    assert data["format_version"] == 1
    sections = {s["workspace"]: s for s in data["workspaces"]}
    assert list(sections) == ["dev", "prod", "broken", "local"]  # hmsconf.yaml's order
    assert sections["dev"]["exit_code"] == 0 and sections["dev"]["plan"]["summary"]["create"] == 0
    assert sections["prod"]["exit_code"] == 2
    assert sorted(c["name"] for c in sections["prod"]["plan"]["changes"]) == ["prod-only", "webinar"]
    assert sections["local"]["exit_code"] == 2
    assert sections["broken"]["exit_code"] == 1 and sections["broken"]["plan"] is None
    assert "NOT_SET_ANYWHERE" in sections["broken"]["error"]


@pytest.mark.parametrize("two", [1500], indirect=True)
def test_the_workspaces_are_read_at_once(setup, two):
    """dev answers after 1.5 s; prod's reads all reach its server before dev's answers leave
    (the servers' own records: arrival, and arrival + time taken). One after the other, prod
    would not start before dev's plan was done."""
    project, env = setup
    done = cli(["plan", str(project), "--all-workspaces", "--format", "json"], env)
    assert done.returncode == 1, done.stderr
    dev, prod = ([line.split() for line in two[name][1].read_text().splitlines()] for name in ("dev", "prod"))
    assert dev and prod
    dev_answered = min(float(f[4]) + float(f[3]) / 1000 for f in dev)
    assert max(float(f[4]) for f in prod) < dev_answered


def test_without_errors_the_worst_is_changes_and_markdown_has_a_marker_each(setup, tmp_path):
    project, env = setup
    config = project / "hmsconf.yaml"
    config.write_text("\n".join(line for line in config.read_text().splitlines() if "broken" not in line) + "\n")
    done = cli(["plan", str(project), "--all-workspaces", "--format", "markdown", "--detailed-exitcode"], env)
    assert done.returncode == 2, done.stderr
    out = done.stdout
    for name in ("dev", "prod", "local"):
        assert out.count(f"<!-- hmsconf:plan:{name} -->") == 1
        assert f"### hmsconf plan: workspace `{name}`" in out
    assert out.index("hmsconf:plan:dev") < out.index("hmsconf:plan:prod") < out.index("hmsconf:plan:local")
    plain = cli(["plan", str(project), "--all-workspaces", "--no-color"], env)
    assert plain.returncode == 0, plain.stderr  # changes alone do not fail without --detailed-exitcode
    assert "=== workspace `prod` (exit 0) ===" in plain.stdout and "Plan: 2 to create" in plain.stdout


def test_a_target_applies_to_every_workspace(setup):
    project, env = setup
    done = cli(["plan", str(project), "--all-workspaces", "--format", "json", "--target", "Template/prod-only"], env)
    sections = {s["workspace"]: s for s in json.loads(done.stdout)["workspaces"]}
    assert [c["name"] for c in sections["prod"]["plan"]["changes"]] == ["prod-only"]
    assert sections["prod"]["plan"]["targets"] == ["Template/prod-only"]
    # dev does not have the document: that section says so, with the others planned
    assert "--target Template/prod-only: no template `prod-only`" in sections["dev"]["error"]
    assert done.returncode == 1


@pytest.mark.parametrize("extra, message", [
    (["-w", "prod"], "leave out --workspace"),
    (["--out", "plan.json"], "--out saves one workspace's plan"),
    (["--api-url", "http://127.0.0.1:1/v2"], "leave out --api-url"),
])
def test_all_workspaces_refuses_what_means_one_workspace(setup, extra, message):
    project, env = setup
    done = cli(["plan", str(project), "--all-workspaces", *extra], env)
    assert done.returncode == 64 and message in done.stderr and "Traceback" not in done.stderr


def test_errors_of_the_files_stop_the_run_errors_of_a_workspace_are_its_own(setup):
    project, env = setup
    (project / "templates/bad.yaml").write_text("kind: Template\nname: bad\nroles: [unclosed\n")
    done = cli(["plan", str(project), "--all-workspaces"], env)
    assert done.returncode == 1 and "bad.yaml" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    # a rule error in one workspace's resolved documents: that workspace's section fails
    (project / "templates/bad.yaml").write_text("kind: Template\nname: bad\nroles: {host: {priority: 9}}\nworkspaces: [prod]\n")
    done = cli(["plan", str(project), "--all-workspaces", "--format", "json"], env)
    sections = {s["workspace"]: s for s in json.loads(done.stdout)["workspaces"]}
    assert sections["dev"]["exit_code"] == 0 and sections["prod"]["exit_code"] == 1
    assert [d["rule"] for d in sections["prod"]["diagnostics"] if d["severity"] == "error"] == ["ROLE-PRIORITY"]
