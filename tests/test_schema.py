"""The generated JSON Schema: current, valid draft 2020-12, and agreeing with the examples."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from hmsconf.model import json_schema as schema

ROOT = Path(__file__).resolve().parents[1]


def test_schemas_directory_is_current():
    stale = [name for name, generated in schema.generate().items()
             if (ROOT / "schemas" / name).read_text() != schema.render(generated)]
    assert not stale, f"run `hmsconf schema --write schemas`; stale: {stale}"


@pytest.mark.parametrize("name", sorted(schema.generate()))
def test_each_schema_is_valid_draft_2020_12(name):
    jsonschema.Draft202012Validator.check_schema(json.loads((ROOT / "schemas" / name).read_text()))


def test_examples_validate_against_the_document_schema():
    validator = jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "document.schema.json").read_text()))
    project = jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "hmsconf.schema.json").read_text()))
    checked = 0
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        if path.parent.name == "ci":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            target = project if path.name == "hmsconf.yaml" else validator
            assert not [e.message for e in target.iter_errors(doc)], path
            checked += 1
    assert checked >= 10


def test_schema_rejects_what_the_model_rejects():
    validator = jsonschema.Draft202012Validator(schema.schema_for("document"))
    assert list(validator.iter_errors({"kind": "Template", "name": "x", "roles": {"g": {"maxpeercount": 1}}}))
    assert list(validator.iter_errors({"kind": "Template", "name": "x", "roles": {"g": {"priority": 9}}}))
    assert not list(validator.iter_errors({"kind": "Template", "name": "x", "roles": {"g": {"priority": "${var:p}"}}}))


def test_schema_command_prints_json():
    from click.testing import CliRunner

    from hmsconf.cli import cli

    result = CliRunner().invoke(cli, ["schema", "room"])
    assert result.exit_code == 0 and json.loads(result.output)["$id"].endswith("room.schema.json")
