"""The ready-made CI files parse and run the commands the README promises."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def commands(workflow: dict) -> str:
    out = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            out.append(step.get("run", ""))
            out.append(str((step.get("with") or {}).get("script", "")))
    return "\n".join(out)


def test_github_actions_workflow():
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    events = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert {"pull_request", "push", "schedule"} <= set(events)
    text = commands(workflow)
    for expected in ("hmsconf fmt --check", "hmsconf validate --format github", "hmsconf diff --base",
                     "--out plan.json", "hmsconf apply plan.json --auto-approve", "--detailed-exitcode",
                     "<!-- hmsconf:plan:", "hmsconf show --format html", "--plan plan.json"):
        assert expected in text, expected
    uploads = [step["with"]["path"] for job in workflow["jobs"].values() for step in job["steps"]
               if str(step.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads == ["report.html", "report.html"]
    assert workflow["jobs"]["plan"]["strategy"]["matrix"]["workspace"] == ["staging", "prod"]


def test_gitlab_ci():
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    text = "\n".join("\n".join(job.get("script", [])) for job in pipeline.values() if isinstance(job, dict))
    for expected in ("hmsconf fmt --check", "hmsconf validate", "hmsconf diff --base", "hmsconf apply plan.json", "--detailed-exitcode",
                     "hmsconf show --format html", "--plan plan.json"):
        assert expected in text, expected
    assert "report.html" in pipeline["review"]["artifacts"]["paths"]


def test_pre_commit_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"hmsconf-validate", "hmsconf-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["entry"].startswith("hmsconf ") and hook["files"]
