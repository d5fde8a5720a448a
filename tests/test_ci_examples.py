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
                     "--detailed-exitcode", "hmsconf validate --format sarif", "hmsconf show --format html",
                     "--plan plan.json"):
        assert expected in text, expected
    assert "pip install" not in text
    uploads = [step["with"]["path"] for job in workflow["jobs"].values() for step in job["steps"]
               if str(step.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads == ["report.html", "report.html"]


def test_gitlab_ci():
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    text = "\n".join("\n".join(job.get("script", [])) for job in pipeline.values() if isinstance(job, dict))
    for expected in ("hmsconf fmt --check", "hmsconf validate --format junit", "hmsconf diff --base",
                     "hmsconf apply plan.json", "--detailed-exitcode", "hmsconf show --format html", "--plan plan.json"):
        assert expected in text, expected
    assert 'pip install -q "$HMSCONF_SOURCE"' in pipeline["before_script"]
    assert pipeline["variables"]["HMSCONF_SOURCE"].startswith("git+https://")
    assert pipeline["review"]["artifacts"]["reports"]["junit"] == "validate.xml"
    assert "report.html" in pipeline["review"]["artifacts"]["paths"]


def test_pre_commit_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"hmsconf-validate", "hmsconf-fmt"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["entry"].startswith("hmsconf ") and hook["files"]


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def test_dockerfile_is_slim_non_root_with_hmsconf_as_entrypoint():
    steps = _instructions((ROOT / "Dockerfile").read_text())
    froms = [rest for word, rest in steps if word == "FROM"]
    final = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM"):]
    assert froms[-1].startswith("python:") and froms[-1].split(":")[1].endswith("-slim")
    users = [rest for word, rest in final if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("ENTRYPOINT", '["hmsconf"]') in final
    run = " ".join(rest for word, rest in final if word == "RUN")
    assert "pip install" in run and "--no-index" in run and "useradd" in run and "git" in run
    assert any(word == "COPY" and rest == ". /src" for word, rest in steps)  # built from this checkout
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv"} <= set(ignored)
