"""The reusable GitHub Action (action.yml) and the sticky comment, run here for real.

The action's shell steps run with bash as a runner runs them (``-eo pipefail``),
with the inputs, outputs and files (GITHUB_OUTPUT, GITHUB_PATH, the event) a
runner provides, in a temporary git repository; the comment goes to a fake of
GitHub's comments API over real HTTP on 127.0.0.1. The two steps that ``uses:``
other actions (setup-python, cache) are GitHub's own and are not run: the
runner's Python stands in for the first, and a cache hit is a venv already at
the cached path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

from hmsconf.api.github_comment import (
    PER_PAGE,
    Target,
    post_sticky,
    target_from_environment,
)
from hmsconf.errors import HmsconfError
from tests.fake_github import FakeGitHub, serve
from tests.helpers import committed_example, edit
from tests.test_output_fit import BROKEN_PRIORITY

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
VERSION = re.search(r'(?m)^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
PR = 7


@pytest.fixture()
def github():
    fake = FakeGitHub()
    server, thread = serve(fake)
    yield fake
    server.shutdown()
    thread.join(timeout=10)


def _vendored_schema(name: str) -> dict:
    return json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path, schema", [
    ("action.yml", "github-actions.json"),
    ("examples/ci/github-actions.yml", "github-workflows.json"),
    ("examples/ci/gitlab-ci.yml", "gitlab-ci.json"),
])
def test_ci_files_match_the_published_schemas(path, schema):
    document = yaml.safe_load((ROOT / path).read_text())
    if True in document:  # YAML 1.1 reads a workflow's `on:` as true
        document["on"] = document.pop(True)
    validator = jsonschema.Draft7Validator(_vendored_schema(schema))
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]


# --- the sticky comment --------------------------------------------------------------------------

def _target(fake: FakeGitHub, token: str | None = None) -> Target:
    return Target(fake.url, fake.repository, PR, token or fake.token)


def test_comment_is_created_then_updated_in_place(github):
    first = post_sticky("<!-- hmsconf:plan:prod -->\nfirst", _target(github))
    assert first.action == "created"
    second = post_sticky("<!-- hmsconf:plan:prod -->\nsecond", _target(github))
    assert (second.action, second.comment_id) == ("updated", first.comment_id)
    assert [c["body"] for c in github.comments[PR]] == ["<!-- hmsconf:plan:prod -->\nsecond"]


def test_each_workspace_and_kind_keeps_its_own_comment(github):
    for body in ("<!-- hmsconf:plan:prod -->\na", "<!-- hmsconf:plan:staging -->\nb", "<!-- hmsconf:diff:prod -->\nc"):
        assert post_sticky(body, _target(github)).action == "created"
    assert post_sticky("<!-- hmsconf:plan:staging -->\nB", _target(github)).action == "updated"
    assert [c["body"][-1] for c in github.comments[PR]] == ["a", "B", "c"]


def test_its_comment_is_found_past_the_first_page(github):
    for n in range(PER_PAGE + 20):
        github.add(PR, f"review comment {n} mentioning <!-- hmsconf:plan:prod --> later in the text")
    mine = github.add(PR, "<!-- hmsconf:plan:prod -->\nold", "github-actions[bot]")
    posted = post_sticky("<!-- hmsconf:plan:prod -->\nnew", _target(github))
    assert (posted.action, posted.comment_id) == ("updated", mine["id"])
    assert ("GET", f"/repos/{github.repository}/issues/{PR}/comments") in github.requests
    assert sum(1 for method, _ in github.requests if method == "GET") == 2


def test_a_read_only_token_is_told_what_permission_to_give(github):
    github.refuse_writes = 403
    with pytest.raises(HmsconfError, match=r"GitHub answered 403: Resource not accessible by integration while "
                                           r"creating the comment; .*`permissions: pull-requests: write`"):
        post_sticky("<!-- hmsconf:plan:prod -->\nx", _target(github))


def test_a_bad_token_and_a_body_without_marker(github):
    with pytest.raises(HmsconfError, match=r"GitHub answered 401: Bad credentials while listing.*not valid"):
        post_sticky("<!-- hmsconf:plan:prod -->\nx", _target(github, token="wrong"))
    with pytest.raises(HmsconfError, match="does not start with hmsconf's marker"):
        post_sticky("# a plan\n", _target(github))
    assert not github.comments


def test_target_from_a_workflow_environment(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b", "GITHUB_EVENT_PATH": str(event)}
    assert target_from_environment(env) == Target("https://api.github.com", "a/b", 12, "t")
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    with pytest.raises(HmsconfError, match="not a pull request"):
        target_from_environment(env)
    with pytest.raises(HmsconfError, match="GITHUB_TOKEN is not set"):
        target_from_environment({**env, "GITHUB_TOKEN": ""})


# --- the action's steps, run -------------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


class Runner:
    """Runs action.yml's `run:` steps in order as a GitHub runner would; stops at the first failure."""

    def __init__(self, workdir: Path, tmp: Path, fake: FakeGitHub, tool_cache: Path) -> None:
        self.workdir, self.tmp, self.fake, self.tool_cache = workdir, tmp, fake, tool_cache
        self.outputs: dict[str, dict[str, str]] = {}
        self.path_added: list[str] = []
        self.stdout = ""
        event = tmp / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": PR}}))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB", "HMS", "RUNNER"))}
        self.env.update({
            "GITHUB_REPOSITORY": fake.repository, "GITHUB_API_URL": fake.url, "GITHUB_EVENT_PATH": str(event),
            "GITHUB_EVENT_NAME": "pull_request", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "RUNNER_TEMP": str(tmp / "runner-temp"), "RUNNER_TOOL_CACHE": str(tool_cache), "NO_COLOR": "1",
        })
        (tmp / "runner-temp").mkdir(exist_ok=True)

    def value(self, text: str, inputs: dict[str, str]) -> str:
        def evaluate(match: re.Match) -> str:
            expression = match.group(1)
            scope, _, rest = expression.partition(".")
            if scope == "inputs":
                return inputs[rest]
            if scope == "github":
                return {"action_path": str(ROOT), "base_ref": "main", "token": self.fake.token}[rest]
            if scope == "steps":
                step, _, output = rest.partition(".outputs.")
                return self.outputs.get(step, {}).get(output, "")
            if scope == "runner" and rest == "os":
                return "Linux"
            raise AssertionError(f"the test runner cannot evaluate ${{{{ {expression} }}}}")

        return _EXPRESSION.sub(evaluate, str(text))

    def run(self, **given: str) -> int:
        spec = ACTION["inputs"]
        assert set(given) <= set(spec), set(given) - set(spec)
        inputs = {name: self.value(str(spec[name].get("default", "")), {}) for name in spec}
        inputs.update(given)
        self.outputs, self.stdout = {}, ""
        for step in ACTION["runs"]["steps"]:
            if "uses" in step:
                if step["uses"].startswith("actions/setup-python@"):
                    self.outputs[step["id"]] = {"python-version": f"{sys.version_info.major}.{sys.version_info.minor}"}
                continue
            output, path = self.tmp / f"output-{step['id']}", self.tmp / f"path-{step['id']}"
            output.write_text(""), path.write_text("")
            env = {**self.env, "GITHUB_OUTPUT": str(output), "GITHUB_PATH": str(path)}
            env.update({key: self.value(value, inputs) for key, value in (step.get("env") or {}).items()})
            script = self.tmp / f"step-{step['id']}.sh"
            script.write_text(self.value(step["run"], inputs))
            assert step["shell"] == "bash"
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workdir,
                                  env=env, capture_output=True, text=True, timeout=300)
            self.stdout += done.stdout
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
            self.path_added += path.read_text().split()
            if done.returncode != 0:
                self.failed_step, self.stderr = step["id"], done.stderr
                return done.returncode
        self.failed_step, self.stderr = None, ""
        return 0


def test_only_setup_python_and_cache_are_borrowed():
    used = {step["uses"].split("@")[0] for step in ACTION["runs"]["steps"] if "uses" in step}
    assert used == {"actions/setup-python", "actions/cache"}
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:  # inputs reach scripts only through env
        assert "${{" not in step.get("run", ""), step["id"]


@pytest.fixture()
def pull_request(tmp_path):
    """A repository whose main has the webinar example, with a change in the working tree."""
    repo = committed_example(tmp_path / "repo")
    edit(repo / "templates" / "webinar.yaml", "sendPeerList: false", "sendPeerList: true")
    return repo


@pytest.fixture()
def cached(tmp_path):
    """A tool cache holding this test environment's venv at the action's cache path (a cache hit)."""
    cache = tmp_path / "tool-cache"
    (cache / "hmsconf-venv").mkdir(parents=True)
    (cache / "hmsconf-venv" / VERSION).symlink_to(Path(sys.executable).parent.parent)
    return cache


def test_diff_is_posted_then_updated_as_one_comment(pull_request, tmp_path, github, cached):
    runner = Runner(pull_request, tmp_path, github, cached)
    assert runner.run(command="diff", comment="true") == 0, runner.stderr
    assert runner.outputs["version"]["version"] == VERSION
    assert runner.path_added == [str(cached / "hmsconf-venv" / VERSION / "bin")]
    assert runner.outputs["run"]["exit-code"] == "0"
    (comment,) = github.comments[PR]
    assert comment["body"].startswith("<!-- hmsconf:diff:local -->\n### hmsconf diff: `origin/main` → head")
    assert "sendPeerList" in comment["body"] and "created comment" in runner.stdout
    edit(pull_request / "templates" / "webinar.yaml", "messageInterval: 10", "messageInterval: 20")
    assert runner.run(command="diff", comment="true") == 0, runner.stderr
    (updated,) = github.comments[PR]
    assert updated["id"] == comment["id"] and "messageInterval" in updated["body"]


def test_plan_against_the_local_workspace_is_commented(pull_request, tmp_path, github, cached):
    runner = Runner(pull_request, tmp_path, github, cached)
    assert runner.run(command="plan", comment="true", workspace="local") == 0, runner.stderr
    (comment,) = github.comments[PR]
    assert comment["body"].startswith("<!-- hmsconf:plan:local -->")
    assert Path(runner.outputs["run"]["markdown"]).read_text() == comment["body"]


def test_validate_annotates_and_fails_the_step(pull_request, tmp_path, github, cached):
    edit(pull_request / "presets" / "roles.yaml", *BROKEN_PRIORITY)
    runner = Runner(pull_request, tmp_path, github, cached)
    assert runner.run(command="validate", comment="true") == 1
    assert runner.failed_step == "run" and runner.outputs["run"]["exit-code"] == "1"
    assert re.search(r"^::error file=presets/roles.yaml,line=\d+,col=\d+,title=ROLE-PRIORITY::", runner.stdout, re.M)
    assert not github.comments and not github.requests  # the comment step did not run


def test_an_unknown_command_is_refused(pull_request, tmp_path, github, cached):
    runner = Runner(pull_request, tmp_path, github, cached)
    assert runner.run(command="apply") == 64
    assert "::error title=hmsconf action::command must be validate, diff, plan or install, not 'apply'" in runner.stdout


def test_a_cache_miss_installs_from_the_actions_checkout(pull_request, tmp_path, github):
    """No venv at the cached path: the step makes one and pip-installs this checkout (a real install)."""
    cache = tmp_path / "empty-tool-cache"
    runner = Runner(pull_request, tmp_path, github, cache)
    assert runner.run(command="install") == 0, runner.stderr
    venv = cache / "hmsconf-venv" / VERSION
    assert f"hmsconf {VERSION}" in runner.stdout
    done = subprocess.run([str(venv / "bin" / "hmsconf"), "validate", "."], cwd=pull_request, capture_output=True, text=True)
    assert done.returncode == 0 and "No problems found." in done.stdout, done.stdout + done.stderr
