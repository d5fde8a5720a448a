"""The ready-made CI files parse and run the commands the README promises."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


ACTION = "your-org/hmsconf@"


def commands(workflow: dict) -> str:
    out = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            out.append(step.get("run", ""))
    return "\n".join(out)


def action_uses(job: dict) -> list[dict]:
    return [step.get("with", {}) for step in job["steps"] if step.get("uses", "").startswith(ACTION)]


def test_github_actions_workflow():
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    events = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert {"pull_request", "push", "schedule"} <= set(events)
    jobs = workflow["jobs"]
    # the review and the plans go through hmsconf's own action (action.yml), which needs no package index
    assert [w["command"] for w in action_uses(jobs["review"])] == ["validate", "diff"]
    (plan,) = action_uses(jobs["plan"])
    assert plan["command"] == "plan" and plan["comment"] == "true" and plan["workspace"] == "${{ matrix.workspace }}"
    assert jobs["plan"]["strategy"]["matrix"]["workspace"] == ["staging", "prod"]
    assert all(action_uses(jobs[name]) == [{"command": "install"}] for name in ("apply", "drift"))
    text = commands(workflow)
    for expected in ("hmsconf fmt --check", "--out plan.json", "hmsconf apply plan.json --auto-approve",
                     "--detailed-exitcode", "hmsconf validate --format sarif"):
        assert expected in text, expected
    assert "pip install" not in text


def test_gitlab_ci():
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    text = "\n".join("\n".join(job.get("script", [])) for job in pipeline.values() if isinstance(job, dict))
    for expected in ("hmsconf fmt --check", "hmsconf validate --format junit", "hmsconf diff --base",
                     "hmsconf apply plan.json", "--detailed-exitcode"):
        assert expected in text, expected
    assert 'pip install -q "$HMSCONF_SOURCE"' in pipeline["before_script"]
    assert pipeline["variables"]["HMSCONF_SOURCE"].startswith("git+https://")
    assert pipeline["review"]["artifacts"]["reports"]["junit"] == "validate.xml"


def test_pre_commit_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"hmsconf-validate", "hmsconf-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["entry"].startswith("hmsconf ") and hook["files"]
