"""`hmsconf diff`: two commits of a temporary git repository, compared offline."""

from __future__ import annotations

import subprocess

import pytest

from hmsconf.usecases.revisions import review
from tests.helpers import write_project

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="git missing")


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)})


BASE = """
    kind: Template
    name: webinar
    roles:
      host: {permissions: {endRoom: true}}
      guest: {publishParams: {allowed: [audio]}}
"""


def test_diff_between_commits_shows_risks_without_network(tmp_path, monkeypatch):
    project = tmp_path / "repo" / "conf"
    write_project(project, {"templates/webinar.yaml": BASE, "rooms/r.yaml": "kind: Room\nname: lobby\ntemplate: webinar\n"})
    git(tmp_path / "repo", "init", "-q", "-b", "main")
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-qm", "base")
    write_project(project, {
        "templates/webinar.yaml": BASE.replace("allowed: [audio]}}", "allowed: [audio, video]}, permissions: {mute: true}}"),
        "rooms/r.yaml": "kind: Room\nname: lobby\ntemplate: webinar\nenabled: false\n",
    })
    monkeypatch.delenv("HMSCONF_API_URL", raising=False)
    plan, problems = review(str(project), "HEAD", None)
    assert not [p for p in problems if p.is_error]
    template, room = [c for c in plan.changes if c.is_change]
    assert "role `guest` gains `mute`" in [r.text for r in template.risks]
    assert "role `guest` can now publish video" in [r.text for r in template.risks]
    assert room.action == "disable"
    assert "1 room of the project uses this template" in [r.text for r in template.risks]
    # the base stands in for "live": no live ids, fingerprints or blast radius, and no requests listed
    assert all(plan.requests_of(c) == () for c in plan.changes)
    assert all(c.id is None and c.fingerprint is None and c.blast_radius is None for c in plan.changes)
    assert all(not c["requests"] and c["id"] is None for c in plan.to_json()["changes"])


def test_diff_against_a_revision_without_the_project(tmp_path):
    repo = tmp_path / "repo"
    write_project(repo, {"README": "x"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "empty")
    write_project(repo / "conf", {"t.yaml": BASE})
    plan, _ = review(str(repo / "conf"), "HEAD", None)
    assert [(c.name, c.action) for c in plan.changes] == [("webinar", "create")]


def test_unknown_revision_is_one_clear_error(tmp_path):
    from hmsconf.errors import HmsconfError

    repo = tmp_path / "repo"
    write_project(repo, {"t.yaml": BASE})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    with pytest.raises(HmsconfError, match="no-such-ref"):
        review(str(repo), "no-such-ref", None)


def test_diff_of_a_subfolder_compares_the_whole_project(tmp_path):
    project = tmp_path / "repo" / "conf"
    write_project(project, {"hmsconf.yaml": "vars: {}\n", "templates/webinar.yaml": BASE,
                            "rooms/r.yaml": "kind: Room\nname: lobby\ntemplate: webinar\n"})
    git(tmp_path / "repo", "init", "-q", "-b", "main")
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-qm", "base")
    write_project(project, {"rooms/r.yaml": "kind: Room\nname: lobby\ntemplate: webinar\nsize: 10\n"})
    plan, _ = review(str(project / "rooms"), "HEAD", None)
    # the room is updated, not created, and the template is unchanged (not "new" either)
    assert [(c.name, c.action) for c in plan.changes if c.is_change] == [("lobby", "update")]
