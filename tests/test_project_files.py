"""Which files are the project's, and which project a path inside one means."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests import cli
from tests.helpers import write_project

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = "services:\n    web:\n        image: nginx\n"  # not ours, and not in hmsconf's format
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: x\n"


def hmsconf(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("HMSCONF_API_URL", None)
    return cli.run(args, cwd=cwd, env=full_env)


def copy_example(tmp_path: Path, name: str = "webinar") -> Path:
    target = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, target, ignore=shutil.ignore_patterns(".hmsconf"))
    # the examples point their modeline at the repository's schemas/
    return target


def test_other_yaml_beside_the_project_is_not_read_nor_formatted(tmp_path):
    project = copy_example(tmp_path)
    (project / "docker-compose.yml").write_text(COMPOSE)
    (project / "deploy").mkdir()
    (project / "deploy" / "configmap.yaml").write_text(MANIFEST)
    done = hmsconf("validate", str(project), "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert hmsconf("fmt", "--check", str(project)).returncode == 0
    # pre-commit passes every changed YAML file by name: only ours are touched
    done = hmsconf("fmt", str(project / "docker-compose.yml"), str(project / "deploy" / "configmap.yaml"))
    assert done.returncode == 0 and done.stdout == ""
    assert (project / "docker-compose.yml").read_text() == COMPOSE


def test_a_document_elsewhere_is_read_when_it_has_our_kind(tmp_path):
    write_project(tmp_path, {
        "hmsconf.yaml": "vars: {}\n",
        "extra/room.yaml": "kind: Room\nname: r\nsize: -1\n",
        "notes.yaml": "title: not ours\n",
    })
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    assert done.returncode == 1
    assert [d["rule"] for d in json.loads(done.stdout)["diagnostics"]] == ["ROOM-SIZE"]


def test_include_and_exclude_globs(tmp_path):
    write_project(tmp_path, {
        "hmsconf.yaml": "include: ['config/*']\nexclude: ['config/old/*', 'templates/*']\n",
        "config/t.yaml": "name: no-kind-here\n",  # included: its missing kind is an error
        "config/old/t.yaml": "kind: Room\nname: old\nsize: -1\n",
        "templates/broken.yaml": "kind: Template\nname: [\n",
    })
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    assert done.returncode == 1
    found = [(d["rule"], Path(d["file"]).name) for d in json.loads(done.stdout)["diagnostics"]]
    assert found == [("DOC-KIND", "t.yaml")]


def test_validating_one_file_uses_its_project(tmp_path):
    project = copy_example(tmp_path)
    # exactly the example of `validate --help`, from inside the project
    done = hmsconf("validate", "templates/webinar.yaml", "--strict", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Checked 1 project" in done.stderr
    # a finding in another file of the project is not this file's
    (project / "rooms" / "rooms.yaml").write_text((project / "rooms" / "rooms.yaml").read_text() + "---\nkind: Room\nname: bad\nsize: -5\ntemplate: webinar\n")
    assert hmsconf("validate", "templates/webinar.yaml", cwd=project).returncode == 0
    done = hmsconf("validate", "rooms/rooms.yaml", cwd=project)
    assert done.returncode == 1 and "ROOM-SIZE" in done.stdout


def test_plan_of_a_subfolder_plans_the_project(tmp_path):
    project = copy_example(tmp_path)
    done = hmsconf("plan", "templates", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "webinar" in done.stdout and "weekly-town-hall" in done.stdout  # the rooms too
    assert not (project / "templates" / ".hmsconf").exists()
    assert (project / ".hmsconf" / "local-workspace.db").exists()
    # the local workspace folder keeps itself out of git
    assert (project / ".hmsconf" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_empty_folder_says_so(tmp_path):
    (tmp_path / "notes.yaml").write_text("title: not ours\n")
    for command in ("validate", "plan"):
        done = hmsconf(command, cwd=tmp_path)
        assert done.returncode == 1, (command, done.stdout)
        assert "hmsconf.yaml" in done.stderr and "No problems" not in done.stdout and "No changes" not in done.stdout
    assert not (tmp_path / ".hmsconf").exists()


def test_validate_says_how_much_it_checked():
    done = hmsconf("validate", str(ROOT / "examples"))
    assert done.returncode == 0
    assert done.stderr.strip().splitlines()[-1] == "Checked 3 projects, 11 files, 7 workspaces."


def test_a_room_on_an_undeclared_template_is_an_error_unless_live_only(tmp_path):
    files = {
        "hmsconf.yaml": "vars: {}\n",
        "templates/t.yaml": "kind: Template\nname: webinar\n",
        "rooms/r.yaml": "kind: Room\nname: r\ntemplate: webinr\n---\nkind: Room\nname: s\ntemplate: legacy\n",
    }
    write_project(tmp_path, files)
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    assert done.returncode == 1
    found = [(d["severity"], d["rule"], d["line"], d["message"]) for d in json.loads(done.stdout)["diagnostics"]]
    assert [f[:3] for f in found] == [("error", "ROOM-TEMPLATE-UNDECLARED", 3), ("error", "ROOM-TEMPLATE-UNDECLARED", 7)]
    assert "did you mean `webinar`?" in found[0][3] and "live_templates" in found[1][3]
    (tmp_path / "hmsconf.yaml").write_text("live_templates: [legacy]\n")
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    assert done.returncode == 1 and [d["line"] for d in json.loads(done.stdout)["diagnostics"]] == [3]


def test_export_writes_a_project_that_plans_clean_and_is_formatted(tmp_path):
    project = copy_example(tmp_path, "telehealth")
    env = {"HMS_STORAGE_KEY": "k", "HMS_STORAGE_SECRET": "s"}
    assert hmsconf("apply", str(project), "--auto-approve", "-q", env=env).returncode == 0
    out = tmp_path / "exported"
    done = hmsconf("export", "--out", str(out), "--project", str(project))
    assert done.returncode == 0, done.stderr
    config = (out / "hmsconf.yaml").read_text()
    assert "default_workspace: local" in config and "../telehealth/.hmsconf/local-workspace.db" in config
    assert hmsconf("fmt", "--check", str(out)).returncode == 0
    for document in [*out.glob("templates/*.yaml"), *out.glob("rooms/*.yaml"), out / "hmsconf.yaml"]:
        target = document.read_text().splitlines()[0].split("$schema=")[1]
        assert (document.parent / target).is_file(), (document, target)
    placeholders = {line.strip(): "x" for line in done.stdout.splitlines()[2:]}
    done = hmsconf("plan", str(out), "--detailed-exitcode", env=placeholders)
    assert done.returncode == 0, done.stdout + done.stderr


def test_export_names_credentials_as_placeholders_only(tmp_path):
    from hmsconf.api.connection import Connection
    from hmsconf.plan.export import project_config

    text = project_config("prod", Connection(api_url="http://127.0.0.1:9/v2", access_key="AK", secret="very-secret"), tmp_path)
    assert "very-secret" not in text and "AK" not in text
    assert "${env:HMS_SECRET}" in text and "api_url: http://127.0.0.1:9/v2" in text


def test_a_project_folder_still_holds_the_projects_below_it(tmp_path):
    write_project(tmp_path, {
        "hmsconf.yaml": "vars: {}\n",
        "templates/t.yaml": "kind: Template\nname: t\n",
        "nested/hmsconf.yaml": "vars: {}\n",
        "nested/rooms/r.yaml": "kind: Room\nname: r\nsize: -1\n",
    })
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    assert done.returncode == 1 and [d["rule"] for d in json.loads(done.stdout)["diagnostics"]] == ["ROOM-SIZE"]
    done = hmsconf("validate", str(tmp_path))
    assert done.returncode == 1 and "Checked 2 projects" in done.stderr


def test_a_template_file_that_does_not_load_does_not_make_its_rooms_look_wrong(tmp_path):
    from hmsconf.config.check import validate_paths
    from tests.helpers import write_project

    project = write_project(tmp_path, {"hmsconf.yaml": "workspaces: {local: {file: ws.db}}\n",
                                       "templates/t.yaml": "kind: Template\nname: t\nroles: [oops\n",
                                       "rooms/r.yaml": "kind: Room\nname: lobby\ntemplate: t\n"})
    found = [d for d in validate_paths([str(project)], {}) if d.is_error]
    assert [d.rule for d in found] == ["YAML-SYNTAX"]
