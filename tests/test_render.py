"""Renderers: golden text/JSON/markdown plans, GitHub escaping, markdown limits, masking."""

from __future__ import annotations

import json

from hmsconf.diagnostics import Diagnostic, Severity
from hmsconf.plan.changes import Action, Change, Plan, requests_for
from hmsconf.plan.fields import FieldChange
from hmsconf.plan.risks import Risk, RiskCode
from hmsconf.render import diagnostics as rd
from hmsconf.render.markdown import truncate_markdown
from hmsconf.render.plan import FORMATS, MARKDOWN_COMMENT_LIMIT, render_markdown_limited


def sample_plan() -> Plan:
    update = Change(
        "Template", "webinar", Action.UPDATE, id="a" * 24, fingerprint="sha256:abc",
        fields=(
            FieldChange(("roles", "guest", "permissions", "endRoom"), False, True),
            FieldChange(("roles", "guest", "publishParams", "allowed"), ["audio"], ["audio", "screen"]),
            FieldChange(("settings", "recording", "upload", "credentials"), "(sensitive)", "(sensitive)", True),
        ),
        risks=(Risk(RiskCode.ROLE_GAINS_POWERS, "guest", ("endRoom",)), Risk(RiskCode.LIVE_ROOMS_USE_TEMPLATE, "webinar", (2,))),
        whole_update=True,
        unmanaged_parts=("plugins",),
        effective_permissions={"guest": {"endRoom": True, "hlsStreaming": True}},
        role_changes={"guest": "updated"},
        blast_radius=2, file="templates/webinar.yaml", line=2,
    )
    create = Change("Room", "lobby", Action.CREATE, fields=(FieldChange(("webhook",), None, {"url": "https://h", "headers": {"X": "(sensitive)"}}, True),),
                    file="rooms/lobby.yaml", line=1)
    legacy = Change("Template", "legacy", Action.UNMANAGED, id="b" * 24)
    return Plan("prod", [update, create, legacy], salt="s" * 32, desired_fingerprint="sha256:d", created_at="2026-11-25T00:00:00+00:00")


GOLDEN_TEXT = """\
hmsconf will make these changes in workspace `prod`:

  ~ template `webinar`: update  (templates/webinar.yaml:2)
      role `guest` updated
      ~ roles.guest.permissions.endRoom: false -> true
      ~ roles.guest.publishParams.allowed: +screen
      ~ settings.recording.upload.credentials: (sensitive) (sent again)
      ! role `guest` gains `endRoom`
      ! 2 live rooms use this template
      effective permissions:
        guest  endRoom, hlsStreaming
      not managed here (left as they are): plugins
      requests: POST /templates/aaaaaaaaaaaaaaaaaaaaaaaa

  + room `lobby`: create  (rooms/lobby.yaml:1)
      + webhook: {"url": "https://h", "headers": {"X": "(sensitive)"}}
      requests: POST /rooms

In the workspace but in no file (left alone; templates cannot be deleted through the API):
  ? template `legacy`

Plan: 1 to create, 1 to update, 0 to disable.
"""


def test_text_plan_golden():
    assert FORMATS["text"](sample_plan(), False) == GOLDEN_TEXT


def test_text_plan_in_colour_has_escapes_and_same_words():
    coloured = FORMATS["text"](sample_plan(), True)
    assert "\x1b[" in coloured
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).replace("!", "!") == GOLDEN_TEXT


def test_json_plan_has_the_documented_shape():
    data = json.loads(FORMATS["json"](sample_plan(), False))
    assert data["format_version"] == 2 and data["workspace"] == "prod"
    change = data["changes"][0]
    assert set(change) >= {"kind", "name", "action", "fields", "risks", "fingerprint"}
    assert change["risks"][0] == {"code": "role-gains-powers", "subject": "guest", "detail": ["endRoom"],
                                  "text": "role `guest` gains `endRoom`"}
    assert change["requests"] == [{"method": "POST", "path": f"/templates/{'a' * 24}", "part": "template"}]
    assert change["fields"][0] == {"path": "roles.guest.permissions.endRoom", "old": False, "new": True, "sensitive": False}
    assert data["changes"][2]["action"] == "unmanaged"


def test_a_saved_plan_reads_back_with_the_same_requests_and_risks():
    plan = sample_plan()
    again = Plan.from_json(json.loads(FORMATS["json"](plan, False)))
    assert again.changes == plan.changes
    assert [requests_for(c) for c in again.changes] == [requests_for(c) for c in plan.changes]
    assert FORMATS["text"](again, False) == GOLDEN_TEXT


def test_markdown_starts_with_marker_and_is_collapsible():
    text = FORMATS["markdown"](sample_plan(), False)
    assert text.startswith("<!-- hmsconf:plan:prod -->\n")
    assert text.count("<details>") == 2 and "gains `endRoom`" in text
    assert "| `guest` | ✓ |" in text


def test_markdown_truncates_with_a_count_of_what_is_left():
    plan = sample_plan()
    many = [Change("Template", f"t{i}", Action.UPDATE, fields=(FieldChange(("settings", "region"), "in", "us"),),
                   risks=(Risk(RiskCode.ROLE_REMOVED, "x" * 200),)) for i in range(2000)]
    plan.changes = many
    text = render_markdown_limited(plan)
    assert len(text) <= MARKDOWN_COMMENT_LIMIT < 65_536
    assert "more changes; see the job log" in text or "truncated" in text


def test_truncate_markdown_keeps_fences_closed():
    text = "```\n" + "line\n" * 1000
    cut = truncate_markdown(text, 300)
    assert len(cut.encode()) <= 300 and cut.count("```") % 2 == 0


def test_github_annotation_escaping_golden():
    d = Diagnostic(Severity.ERROR, "R-1", "50% done\r\nnext", file="dir,a/b:c.yaml", line=3, column=7)
    assert rd.render_github([d]).splitlines()[0] == "::error file=dir%2Ca/b%3Ac.yaml,line=3,col=7,title=R-1::50%25 done%0D%0Anext"


def test_github_annotations_are_capped_per_severity_and_the_rest_listed():
    many = [Diagnostic(Severity.WARNING, "W", f"w{i}", file="f.yaml", line=i + 1, column=1) for i in range(25)]
    lines = rd.render_github(many).splitlines()
    assert sum(line.startswith("::warning") for line in lines) == 10
    assert any(line.startswith("::notice") and "15 more" in line for line in lines)
    assert "f.yaml:25:1: warning[W]: w24" in lines


def test_diagnostics_text_and_json_golden():
    ds = [
        Diagnostic(Severity.ERROR, "ROLE-PRIORITY", "role `guest`: priority 9 is above the maximum 5", ("roles", "guest", "priority"), "templates/webinar.yaml", 12, 9),
        Diagnostic(Severity.WARNING, "DEPRECATED-BROWSER-RECORDINGS", "deprecated", ("destinations", "browserRecordings"), "templates/webinar.yaml", 30, 3),
    ]
    assert rd.render_text(ds) == (
        "templates/webinar.yaml:12:9: error[ROLE-PRIORITY]: role `guest`: priority 9 is above the maximum 5\n"
        "templates/webinar.yaml:30:3: warning[DEPRECATED-BROWSER-RECORDINGS]: deprecated\n"
        "1 error, 1 warning.\n"
    )
    assert json.loads(rd.render_json(ds)) == {
        "format_version": 1,
        "valid": False,
        "diagnostics": [
            {"severity": "error", "rule": "ROLE-PRIORITY", "message": "role `guest`: priority 9 is above the maximum 5",
             "file": "templates/webinar.yaml", "line": 12, "column": 9, "path": "roles.guest.priority"},
            {"severity": "warning", "rule": "DEPRECATED-BROWSER-RECORDINGS", "message": "deprecated",
             "file": "templates/webinar.yaml", "line": 30, "column": 3, "path": "destinations.browserRecordings"},
        ],
    }


def test_step_summary_is_appended_and_limited(tmp_path, monkeypatch):
    from hmsconf.cli.common import append_step_summary

    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    append_step_summary("# big\n" + "row\n" * 400_000)
    text = target.read_text()
    assert len(text.encode()) <= 1024 * 1024 and "truncated" in text
