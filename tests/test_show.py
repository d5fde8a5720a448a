"""`hmsconf show`: golden output of every format, the access model, the plan's access delta, secrets.

Golden files live in tests/golden/show/; after an intended change, regenerate
them with ``HMSCONF_UPDATE_GOLDEN=1 python -m pytest tests/test_show.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hmsconf.model.defaults import MODERATOR_POWERS, effective_permissions
from hmsconf.plan.access import PERMISSIONS, delta_of, rtmp_host, template_access
from hmsconf.plan.changes import Plan
from hmsconf.render.plan import FORMATS as PLAN_FORMATS
from hmsconf.render.plan import MARKDOWN_COMMENT_LIMIT, render_markdown_limited
from hmsconf.render.show import FORMATS, peer_text, track_text
from hmsconf.usecases.show import from_files

from . import cli
from .cli import on_a_terminal
from .helpers import write_project

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "show"
EXAMPLES = ["webinar", "telehealth", "classroom"]
EXTENSION = {"text": "txt", "markdown": "md", "dot": "dot", "json": "json", "html": "html"}
STREAM_KEY = "sk-live-4f9a2c7e1d"
SECRET_BITS = (STREAM_KEY, "live2", "hunter2", "tok3n", "/app/")


def hmsconf(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return cli.run(args, cwd=cwd, env={**os.environ, **(env or {})})


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HMSCONF_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with HMSCONF_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def example_report(example: str):
    report, _ = from_files(str(ROOT / "examples" / example), None, None)
    return report


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("output_format", list(EXTENSION))
def test_every_format_of_every_example_is_golden(example, output_format):
    golden(f"{example}.{EXTENSION[output_format]}", FORMATS[output_format](example_report(example), False))


def test_registry_has_exactly_the_documented_formats():
    assert sorted(FORMATS) == sorted(EXTENSION)


def test_matrix_is_the_effective_permissions_moderator_powers_first():
    report = example_report("webinar")
    template = report.templates[0]
    assert PERMISSIONS[: len(MODERATOR_POWERS)] == MODERATOR_POWERS
    assert set(PERMISSIONS) == set(effective_permissions({}))
    host = next(r for r in template.roles if r.name == "host")
    recorder = next(r for r in template.roles if r.name == "recorder")
    assert host.permissions["endRoom"] is True and host.priority.value == 1
    # recorder-bot turns the three default-true flags off; everything else is the default false
    assert not any(recorder.permissions.values())
    assert template.unseen == ["viewer-on-hls", "recorder"] and template.blind == ["viewer-on-hls"]


def test_omitted_sizes_are_marked_as_defaults_and_declared_ones_are_not():
    model = template_access("t", {"roles": {
        "a": {"publishParams": {"allowed": ["video", "screen"], "video": {"width": 640, "height": 360}}},
        "b": {"publishParams": {"allowed": []}, "maxPeerCount": 3},
    }})
    a, b = model.roles
    assert a.tracks["video"].settings["width"].declared and not a.tracks["video"].settings["bitRate"].declared
    assert not a.tracks["screen"].settings["width"].declared
    # video and screen sizes and rates are unsettled (§9.8): "?"; the screen frame rate is settled: "*"
    assert track_text(a.tracks["video"]) == "640×360 25 fps? 256 kbps?"
    assert track_text(a.tracks["screen"]) == "1280×720? 10 fps* 1024 kbps?"
    assert track_text(a.tracks["audio"]) == "—"
    assert peer_text(b) == "3" and peer_text(a) == "no limit*"


SECRET_TEMPLATE = f"""
kind: Template
name: broadcast
roles:
  host:
    publishParams:
      allowed: [audio, video, simulcast]
      simulcast:
        video:
          layers:
            - {{rid: f, scaleResolutionDownBy: 1.0, maxBitrate: 1500, maxFramerate: 30}}
            - {{rid: h, scaleResolutionDownBy: 2.0, maxBitrate: 500, maxFramerate: 30}}
    subscribeParams: {{subscribeToRoles: [host, ghost]}}
    permissions: {{endRoom: true}}
  bot:
    subscribeParams: {{subscribeToRoles: [host]}}
destinations:
  rtmpDestinations:
    yt:
      name: yt
      rtmpUrls:
        - rtmp://a.rtmp.youtube.com/live2/{STREAM_KEY}
        - rtmps://user:hunter2@live.example.com:443/app/x?token=tok3n
  transcriptions:
    notes:
      name: notes
      role: bot
      modes: [recorded]
      outputModes: [txt]
  browserRecordings:
    old:
      name: old
      role: bot
"""


def test_rtmp_destinations_show_the_host_only_in_every_format(tmp_path):
    root = write_project(tmp_path, {"hmsconf.yaml": "vars: {}\n", "templates/t.yaml": SECRET_TEMPLATE})
    report, diagnostics = from_files(str(root), None, None)
    for output_format, render in FORMATS.items():
        out = render(report, output_format == "text")
        for bit in SECRET_BITS:
            assert bit not in out, (output_format, bit)
        if output_format != "dot":
            assert "a.rtmp.youtube.com" in out and "live.example.com:443" in out
    done = hmsconf("show", str(root), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert all(bit not in done.stdout + done.stderr for bit in SECRET_BITS)
    data = json.loads(done.stdout)
    template = data["templates"][0]
    assert template["subscribe_graph"]["unknown_roles"] == ["ghost"]
    assert [d["kind"] for d in template["destinations"]] == ["rtmp", "transcription", "browserRecording"]
    assert template["roles"][0]["publish"]["simulcast"][1]["rid"] == "h"


def test_rtmp_host_never_keeps_a_path_credentials_or_query():
    assert rtmp_host("rtmp://a.rtmp.youtube.com/live2/KEY") == "a.rtmp.youtube.com"
    assert rtmp_host("rtmps://u:p@h.example:1935/x?key=1") == "h.example:1935"
    assert rtmp_host("not a url") == "(not a URL)"
    assert rtmp_host(None) == "(sensitive)"
    from hmsconf.model.sensitive import Sensitive

    assert rtmp_host(Sensitive.of("rtmp://x.example/app/KEY", "rtmp://x.example/app/(sensitive)")) == "x.example"


def test_colour_only_on_a_terminal_and_never_with_no_color():
    webinar = str(ROOT / "examples" / "webinar")
    assert "\x1b[" in on_a_terminal(["show", str(webinar)])
    assert "\x1b[" not in on_a_terminal(["show", str(webinar)], NO_COLOR="1")
    assert "\x1b[" not in on_a_terminal(["show", str(webinar), "--no-color"])
    piped = hmsconf("show", webinar)
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout


def test_cli_text_and_errors(tmp_path):
    done = hmsconf("show", str(ROOT / "examples" / "webinar"), "--template", "webinar")
    assert done.returncode == 0
    assert done.stdout == FORMATS["text"](example_report("webinar"), False)
    missing = hmsconf("show", str(ROOT / "examples" / "webinar"), "--template", "nope")
    assert missing.returncode == 1 and missing.stderr.strip() == "Error: no template named `nope` (templates: webinar)"
    text_plan = hmsconf("show", str(ROOT / "examples" / "webinar"), "--plan", "x.json")
    assert text_plan.returncode == 64 and "--plan goes with --format html or json" in text_plan.stderr
    bad_plan = tmp_path / "plan.json"
    bad_plan.write_text('{"workspace": "local",\n  oops}')
    done = hmsconf("show", str(ROOT / "examples" / "webinar"), "--plan", str(bad_plan), "--format", "html")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith(f"Error: {bad_plan}:2:3: not a saved plan")
    bad_plan.write_text('{"format_version": 1, "workspace": "local", "salt": "s", "changes": []}')
    done = hmsconf("show", str(ROOT / "examples" / "webinar"), "--plan", str(bad_plan), "--format", "html")
    assert done.returncode == 1  # read through the saved plan's typed model, as apply reads it
    assert done.stderr == f"Error: {bad_plan} was made by an older hmsconf (format_version 1); run `hmsconf plan --out` again\n"


def test_live_shows_what_the_workspace_holds(tmp_path):
    project = tmp_path / "webinar"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf"))
    assert hmsconf("apply", str(project), "--auto-approve").returncode == 0
    done = hmsconf("show", str(project), "--live", "--format", "json")
    assert done.returncode == 0, done.stderr
    live = json.loads(done.stdout)
    files = example_report("webinar").to_json()
    assert live["source"] == "live"
    for live_role, file_role in zip(live["templates"][0]["roles"], files["templates"][0]["roles"], strict=True):
        assert live_role["name"] == file_role["name"]
        assert live_role["permissions"] == file_role["permissions"]
        assert sorted(live_role["subscribeToRoles"]) == sorted(file_role["subscribeToRoles"])
        # the server filled what the file left out: live values are facts, not defaults
        assert live_role["maxPeerCount"]["declared"] is True


# -- the plan's access delta ---------------------------------------------------------------------

CHANGED_ROLES = """
  speaker:
    extends: guest
    permissions: {mute: true, pollRead: false}
    maxPeerCount: 20
    publishParams:
      allowed: [audio, video, screen]
    subscribeParams:
      subscribeToRoles: [host, co-host, speaker]
  viewer-on-hls:
    extends: viewer
    subscribeParams: {subscribeToRoles: [host]}
  recorder:
    extends: recorder-bot
    subscribeParams:
      subscribeToRoles: [host, co-host]
  moderator:
    extends: co-host
"""


@pytest.fixture(scope="module")
def changed_plan(tmp_path_factory) -> Plan:
    project = tmp_path_factory.mktemp("delta") / "webinar"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf"))
    assert hmsconf("apply", str(project), "--auto-approve").returncode == 0
    template = project / "templates" / "webinar.yaml"
    text = template.read_text()
    start, end = text.index("  speaker:\n"), text.index("settings:\n")
    template.write_text(text[:start] + CHANGED_ROLES.lstrip("\n") + text[end:])
    done = hmsconf("plan", str(project), "--out", str(project / "plan.json"), "--format", "json")
    assert done.returncode == 0, done.stderr
    return Plan.from_json(json.loads((project / "plan.json").read_text()))


def test_delta_rows_and_edges_come_from_the_plan_alone(changed_plan):
    change = next(c for c in changed_plan.changes if c.kind == "Template")
    delta = delta_of(change)
    rows = {row.role: row for row in delta.rows}
    assert set(rows) == {"speaker", "moderator"}  # viewer and recorder only change edges
    speaker = rows["speaker"]
    assert speaker.before["mute"] is False and speaker.after["mute"] is True and speaker.gained("mute")
    assert speaker.before["pollRead"] is True and speaker.after["pollRead"] is False and not speaker.gained("pollRead")
    assert (speaker.before["maxPeerCount"], speaker.after["maxPeerCount"]) == (0, 20)
    assert rows["moderator"].before is None and rows["moderator"].after["removeOthers"] is True
    assert delta.added_edges == [("viewer-on-hls", "host")]
    assert delta.removed_edges == [("recorder", "speaker")]
    assert "endRoom" not in delta.columns or rows["moderator"].before is None


def test_plan_and_diff_markdown_golden(changed_plan):
    markdown = render_markdown_limited(changed_plan)
    start = markdown.index("Permission matrix, rows that change")
    golden("plan-delta.md", markdown[start: markdown.index("Not managed here")])
    assert "**· → ✓** :warning:" in markdown  # speaker gains mute: highlighted
    assert "-->|added|" in markdown and "-.->|removed|" in markdown
    assert PLAN_FORMATS["markdown"](changed_plan, False) == markdown


def test_html_with_plan_includes_the_delta(changed_plan, tmp_path):
    from hmsconf.plan.access import AccessReport

    report = example_report("webinar")
    page = FORMATS["html"](AccessReport(report.workspace, report.source, report.templates, changed_plan), False)
    assert 'class="plan"' in page and 'class="edge added"' in page and 'class="edge removed"' in page
    assert '<td class="gained power">· → ✓</td>' in page


def test_markdown_with_a_huge_subscribe_change_stays_under_the_comment_cap(tmp_path):
    roles = {f"role-{i:03d}": {"subscribeParams": {"subscribeToRoles": [f"role-{j:03d}" for j in range(120)]},
                               "permissions": {"mute": True}} for i in range(120)}
    from hmsconf.plan.changes import Change
    from hmsconf.plan.fields import FieldChange

    changes = [Change("Template", f"t{n}", "create", fields=[FieldChange(("roles",), None, roles)]) for n in range(3)]
    plan = Plan("w", changes)
    out = render_markdown_limited(plan)
    assert len(out) <= MARKDOWN_COMMENT_LIMIT <= 65_535
    assert out.count("```mermaid") >= 1 and out.count("```") % 2 == 0
    assert "more edges" in out


def test_the_ci_examples_show_steps_run(tmp_path):
    """The workflow's plan-and-report script, run as written (workspace `local`, no account)."""
    import yaml

    project = tmp_path / "webinar"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf"))
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    scripts = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "hmsconf show" in step.get("run", "")]
    assert len(scripts) == 2
    bin_dir = str(Path(sys.executable).parent)
    for script in scripts:
        script = script.replace("${{ matrix.workspace }}", "local")
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HMSCONF_PROJECT": str(project), "PATH": f"{bin_dir}:{os.environ['PATH']}"})
        assert done.returncode == 0, done.stderr
        page = (tmp_path / "report.html").read_text()
        assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert 'class="plan"' in page  # the second script passed --plan plan.json


def test_any_template_body_renders_in_every_format_without_error():
    """Whatever shape a body has (a live template the server filled oddly, say), no format raises."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from hmsconf.plan.access import AccessReport

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 3000), st.text(max_size=8),
                        st.sampled_from(["audio", "video", "screen", "simulcast", "a", "b", "rtmp://h.example/k"]))
    values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=12)
    keys = st.sampled_from(["publishParams", "subscribeParams", "permissions", "priority", "maxPeerCount", "allowed",
                            "video", "screen", "subscribeToRoles", "simulcast", "layers", "endRoom"])
    role = st.dictionaries(keys, st.one_of(values, st.dictionaries(keys, values, max_size=4)), max_size=5)
    body = st.fixed_dictionaries({"roles": st.dictionaries(st.sampled_from(["a", "b", "c d", '"q"']), role, max_size=3),
                                  "destinations": st.dictionaries(st.sampled_from(["rtmpDestinations", "hlsDestinations",
                                                                                   "transcriptions"]),
                                                                  st.dictionaries(st.text(max_size=4), values, max_size=2), max_size=2),
                                  "recordings": values})

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body)
    def check(data):
        report = AccessReport("w", "live", [template_access("t", data)])
        for output_format in FORMATS:
            FORMATS[output_format](report, False)

    check()


def test_the_readme_shows_real_output():
    """The README's pasted `show` output is what the command prints today."""
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- show: (.*?) -->\n(.*?)<!-- /show -->", readme, re.S)
    assert len(blocks) == 3
    for args, pasted in blocks:
        words = shlex.split(args)
        output_format = words[words.index("--format") + 1] if "--format" in words else "text"
        printed = FORMATS[output_format](example_report(Path(words[0]).name), False)  # what `hmsconf show ARGS` prints
        if output_format == "markdown":
            assert pasted == printed.split("\n", 2)[2], args  # without the page title
        else:
            assert pasted == f"```text\n{printed}```\n", args
    delta = (GOLDEN / "plan-delta.md").read_text(encoding="utf-8")
    assert delta in readme


def test_the_readme_show_commands_run(tmp_path):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### show:"):]
    script = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    bin_dir = str(Path(sys.executable).parent)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert script.count("hmsconf show") == 4 and (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_a_removed_role_is_a_row_with_no_after_and_loses_its_edges():
    from hmsconf.plan.changes import Change
    from hmsconf.plan.fields import FieldChange

    old_role = {"permissions": {"endRoom": True}, "subscribeParams": {"subscribeToRoles": ["host"]}, "priority": 2}
    change = Change("Template", "t", "update", fields=[
        FieldChange(("roles", "guest"), old_role, None),
        FieldChange(("roles", "host", "permissions", "unmute"), None, True),  # absent before: the default (false)
    ], effective_permissions={"host": {"unmute": True}})
    delta = delta_of(change)
    rows = {row.role: row for row in delta.rows}
    guest, host = rows["guest"], rows["host"]
    assert (guest.role, guest.after, guest.before["endRoom"], guest.before["priority"]) == ("guest", None, True, 2)
    assert host.gained("unmute") and not guest.gained("endRoom")
    assert delta.removed_edges == [("guest", "host")] and delta.added_edges == []
    from hmsconf.render.show import delta_markdown

    lines = "\n".join(delta_markdown(delta))
    assert "| `guest` (removed) |" in lines and "**· → ✓** :warning:" in lines
    assert delta_of(Change("Room", "r", "update")).rows == []


def test_without_igraph_the_page_fails_in_one_sentence(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nclass _Block:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'igraph':\n            raise ImportError('blocked')\nsys.meta_path.insert(0, _Block())\n")
    done = hmsconf("show", str(ROOT / "examples" / "webinar"), "--format", "html", env={"PYTHONPATH": str(blocker)})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "Error: the HTML page lays out its graph with igraph, which is not installed: pip install 'igraph<0.12'\n"


def test_diff_markdown_carries_the_access_delta(tmp_path):
    """The offline review (`diff`) renders the same rows and edges as `plan`."""
    project = tmp_path / "webinar"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=project, check=True)
    template = project / "templates" / "webinar.yaml"
    text = template.read_text()
    start, end = text.index("  speaker:\n"), text.index("settings:\n")
    template.write_text(text[:start] + CHANGED_ROLES.lstrip("\n") + text[end:])
    done = hmsconf("diff", "--base", "HEAD", "--format", "markdown", str(project), cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!-- hmsconf:diff:")
    assert "| `speaker` | · | · | **· → ✓** :warning: |" in done.stdout
    assert "-->|added|" in done.stdout and "-.->|removed|" in done.stdout
