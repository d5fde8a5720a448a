"""Output that fits where it lands: annotations on the changed line, machine formats for errors,
diff wording, connection errors of one sentence, schema kinds in any case."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest

from tests.helpers import committed_example, edit
from tests.test_cli_validate import hmsconf
from tests.test_workflow import ROOT

CREDENTIALS = {"HMS_ACCESS_KEY": "k", "HMS_SECRET": "s" * 32}


def _line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture()
def repo(tmp_path):
    """The webinar example committed to a git repository, then one setting changed in the working tree."""
    root = committed_example(tmp_path / "repo")
    edit(root / "templates" / "webinar.yaml", "    sendPeerList: false\n", "    sendPeerList: true\n")
    return root


def _annotations(stdout: str) -> list[dict]:
    found = []
    for line in stdout.splitlines():
        match = re.match(r"::(\w+) ([^:]*)::(.*)", line)
        if match:
            props = dict(p.split("=", 1) for p in match.group(2).split(","))
            found.append({"level": match.group(1), **props, "message": match.group(3)})
    return found


def test_diff_annotations_sit_on_the_changed_key(repo):
    done = hmsconf("diff", "--base", "main", "--format", "github", cwd=repo)
    assert done.returncode == 0, done.stderr
    changed = _line_of(repo / "templates" / "webinar.yaml", "sendPeerList: true")
    kind_line = _line_of(repo / "templates" / "webinar.yaml", "kind: Template")
    annotations = [a for a in _annotations(done.stdout) if a.get("file") == "templates/webinar.yaml"]
    assert annotations, done.stdout
    assert all(int(a["line"]) == changed for a in annotations), (changed, annotations)
    assert changed != kind_line
    assert any("sendPeerList" in a["message"] for a in annotations)


def test_plan_annotations_sit_on_the_changed_key(repo):
    applied = hmsconf("apply", ".", "--auto-approve", cwd=repo)
    assert applied.returncode == 0, applied.stderr
    template = repo / "templates" / "webinar.yaml"
    edit(template, "    sendPeerList: true\n", "    sendPeerList: false\n")
    done = hmsconf("plan", ".", "--format", "github", cwd=repo)
    assert done.returncode == 0, done.stderr
    changed = _line_of(template, "sendPeerList: false")
    lines = {int(a["line"]) for a in _annotations(done.stdout) if a.get("file") == "templates/webinar.yaml"}
    assert lines == {changed}, done.stdout


BROKEN_PRIORITY = ("\npriority: 1\n", "\npriority: 9\n")


def _break(repo):
    edit(repo / "presets" / "roles.yaml", *BROKEN_PRIORITY)
    return _line_of(repo / "presets" / "roles.yaml", "priority: 9")


def test_plan_json_prints_configuration_errors_as_json(repo):
    line = _break(repo)
    done = hmsconf("plan", ".", "--format", "json", cwd=repo)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["format_version"] == 1 and report["valid"] is False
    assert any(d["rule"] == "ROLE-PRIORITY" and d["line"] == line and d["file"] == "presets/roles.yaml"
               for d in report["diagnostics"]), report


def test_plan_github_prints_configuration_errors_as_annotations(repo):
    line = _break(repo)
    done = hmsconf("plan", ".", "--format", "github", cwd=repo)
    assert done.returncode == 1
    errors = [a for a in _annotations(done.stdout) if a["level"] == "error"]
    assert any(a["file"] == "presets/roles.yaml" and int(a["line"]) == line and a["title"] == "ROLE-PRIORITY"
               for a in errors), done.stdout


def test_diff_speaks_of_revisions(repo):
    done = hmsconf("diff", "--base", "main", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "`main` (base) → the working tree (head)" in done.stdout
    assert "Diff `main` → working tree: 0 to create, 1 to update" in done.stdout
    assert "live room" not in done.stdout and "will make these changes" not in done.stdout
    assert "room of the project uses this template" in done.stdout
    done = hmsconf("diff", "--base", "main", "--format", "markdown", cwd=repo)
    assert done.returncode == 0, done.stderr
    markdown = done.stdout
    assert "`main` → head" in markdown and "live room" not in markdown
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    done = hmsconf("diff", "--base", "main", cwd=repo)
    assert done.returncode == 0 and "No changes between `main` and the working tree." in done.stdout


def test_diff_of_an_unknown_ref_says_so(repo):
    done = hmsconf("diff", "--base", "nosuchref", cwd=repo)
    assert done.returncode == 1
    assert "the revision `nosuchref` does not exist" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("url, expected", [
    ("x", "`x` is not an http(s) URL"),
    ("http://[::1/v2", "is not a valid URL"),
    ("http://exa mple.com/v2", "has no valid host name"),
    ("http://127.0.0.1:8787", "does not end in /v2, where the 100ms API and the emulator serve; use http://127.0.0.1:8787/v2"),
    ("http://127.0.0.1:99999/v2", "outside 1-65535"),
])
def test_bad_api_urls_are_one_sentence_with_the_fix(url, expected):
    done = hmsconf("plan", str(ROOT / "examples" / "webinar"), "--api-url", url, env=CREDENTIALS)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and expected in done.stderr, done.stderr
    assert "internal error" not in done.stderr and "try again" not in done.stderr


@pytest.mark.parametrize("url", [
    "https://key:S3CRET@api.100ms.live/v1", "https://api.100ms.live/v1?token=S3CRET", "ftp://key:S3CRET@api.100ms.live/v2",
    "https://key:S3CRET@[api.100ms.live/v2", "https://key:S3CRET@exa mple.com/v2",
])
def test_a_bad_api_url_never_shows_its_credentials(url):
    done = hmsconf("plan", str(ROOT / "examples" / "webinar"), "--api-url", url, env=CREDENTIALS)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "S3CRET" not in done.stderr and "(sensitive)" in done.stderr, done.stderr


def test_an_unreachable_host_is_one_line_and_retries_only_with_verbose():
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/v2"
        quiet = hmsconf("plan", str(ROOT / "examples" / "webinar"), "--api-url", url, env=CREDENTIALS)
        loud = hmsconf("plan", str(ROOT / "examples" / "webinar"), "--api-url", url, "--verbose", env=CREDENTIALS)
    assert quiet.returncode == loud.returncode == 1
    assert quiet.stderr.splitlines() == [f"Error: cannot reach {url} (All connection attempts failed); "
                                         "check the URL (--api-url, HMSCONF_API_URL) and the network"]
    assert "stamina" not in quiet.stderr + loud.stderr
    assert re.search(r"^hmsconf: retry 1 in [0-9.]+ s after: All connection attempts failed$", loud.stderr, re.M), loud.stderr


@pytest.mark.parametrize("kind", ["Template", "template", "TEMPLATE", "RolePreset", "Room"])
def test_schema_kinds_in_any_case(kind):
    done = hmsconf("schema", kind)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["$schema"].startswith("https://json-schema.org/")


def test_schema_write_into_a_path_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = hmsconf("schema", "--write", str(blocker / "schemas"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot write the schemas into {blocker / 'schemas'}")
    assert "internal error" not in done.stderr
