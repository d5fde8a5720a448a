"""A saved plan is read through a typed model: every golden plan fits it, a damaged one names its field."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hmsconf.errors import HmsconfError
from hmsconf.plan import saved as saved_plan

GOLDEN = Path(__file__).resolve().parent / "golden"


def test_every_golden_plan_fits_the_saved_plan_schema():
    schema = saved_plan.json_schema()
    plans = sorted(GOLDEN.rglob("*.json"))
    checked = 0
    for path in plans:
        data = json.loads(path.read_text())
        if isinstance(data, dict) and data.get("format_version") == 2 and "salt" in data:
            jsonschema.validate(data, schema)
            assert saved_plan.checked(data, path.name) is data
            checked += 1
    assert checked, "no golden plan found"


WHOLE = {"format_version": 2, "workspace": "w", "salt": "s", "summary": {}, "desired_fingerprint": "sha256:0"}


@pytest.mark.parametrize(("data", "message"), [
    ({"format_version": 2}, "workspace: Field required"),
    ({**WHOLE}, "changes: Field required"),  # not read as an empty plan
    ({key: value for key, value in {**WHOLE, "changes": []}.items() if key != "desired_fingerprint"},
     "desired_fingerprint: Field required"),
    ({"format_version": 3, "workspace": "w", "salt": "s"}, "has format_version 3; this hmsconf reads 2"),
    ({**WHOLE, "changes": [{"kind": "Template", "name": "t", "action": "explode"}]},
     "changes[0].action: Input should be 'create'"),
    ({**WHOLE, "changes": [{"kind": "Template", "name": "t", "action": "update",
                                                                       "fields": [{"path": 3}]}]}, "changes[0].fields[0].path"),
    ({**WHOLE, "changes": [{"kind": "Template", "name": "t", "action": "update",
                                                                       "risks": ["role `x` is removed"]}]},
     "changes[0].risks[0]: Input should be a valid dictionary"),
    ({**WHOLE, "changes": [{"kind": "Template", "name": "t", "action": "update",
                                                                       "risks": [{"code": "bad", "subject": "x", "text": "x"}]}]},
     "changes[0].risks[0].code: Input should be 'role-gains-powers'"),
    ({**WHOLE, "changes": [{"kind": "Room", "name": "r", "action": "update",
                            "risks": [{"code": "room-size-raised", "subject": "r", "text": "x"}]}]},
     "changes[0].risks[0]: Value error, detail [] does not fit risk 'room-size-raised'"),  # its sentence needs old, new
    ({**WHOLE, "changes": [{"kind": "Room", "name": "r", "action": "update", "fields": [{"path": "size"}]}]},
     "changes[0].fields[0].old: Field required"),
    ([1, 2], "is not a plan saved by `hmsconf plan --out`"),
])
def test_a_damaged_plan_names_what_is_wrong(tmp_path, data, message):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(HmsconfError) as raised:
        saved_plan.read(str(path))
    assert message in str(raised.value)


def test_not_json_at_all_is_one_sentence_with_a_position(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{\n  nope")
    with pytest.raises(HmsconfError, match=r"plan.json:2:3: not a saved plan \(invalid JSON"):
        saved_plan.read(str(path))


def test_apply_of_a_damaged_plan_is_a_clear_error_not_an_internal_one(tmp_path):
    from tests.cli import run

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**WHOLE, "workspace": "local", "changes": [{"kind": "Template"}]}))
    done = run(["apply", str(path)])
    assert done.returncode == 1
    assert "changes[0].name: Field required" in done.stderr and "internal error" not in done.stderr


def test_a_version_1_plan_is_refused_in_one_sentence(tmp_path):
    from tests.cli import run

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": 1, "workspace": "local", "salt": "s",
                                "changes": [{"kind": "Template", "name": "t", "action": "update", "risks": ["role `x` is removed"]}]}))
    done = run(["apply", str(path)])
    assert done.returncode == 1
    assert done.stderr == f"Error: {path} was made by an older hmsconf (format_version 1); run `hmsconf plan --out` again\n"
