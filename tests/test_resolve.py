"""Resolution: variables, environment, overlays and presets, with positions kept."""

from __future__ import annotations

from hmsconf.config.resolve import deep_merge
from hmsconf.model.catalogue import is_secret_path
from tests.helpers import desired_from

CONFIG = """
    workspaces:
      dev: {file: dev.db, vars: {region: eu, size: 10}}
      prod: {access_key: k, secret: s, vars: {region: us, size: 5000}}
    vars: {region: in}
"""


def test_vars_are_typed_and_per_workspace(tmp_path):
    files = {
        "hmsconf.yaml": CONFIG,
        "rooms/a.yaml": "kind: Room\nname: a\nregion: ${var:region}\nsize: ${var:size}\n",
    }
    dev, problems = desired_from(tmp_path, files, "dev")
    assert not problems
    assert dev.rooms["a"].data == {"name": "a", "region": "eu", "size": 10}
    prod, _ = desired_from(tmp_path, files, "prod")
    assert prod.rooms["a"].data["size"] == 5000


def test_undefined_variable_names_variable_and_workspace_at_its_line(tmp_path):
    _, problems = desired_from(tmp_path, {"hmsconf.yaml": CONFIG, "r.yaml": "kind: Room\nname: a\ndescription: ${var:nope}\n"}, "dev")
    (d,) = problems
    assert d.rule == "VAR-UNDEFINED" and "`nope`" in d.message and "`dev`" in d.message
    assert (d.file.endswith("r.yaml"), d.line, d.column) == (True, 3, 1)


def test_env_with_default_and_interpolation(tmp_path):
    files = {"r.yaml": "kind: Room\nname: a\ndescription: 'team ${env:TEAM:-core} / ${env:ZONE}'\n"}
    desired, problems = desired_from(tmp_path, files, environ={"ZONE": "z1"})
    assert not problems and desired.rooms["a"].data["description"] == "team core / z1"
    assert ("description",) in desired.rooms["a"].from_env
    _, problems = desired_from(tmp_path, files, environ={})
    assert [d.rule for d in problems] == ["ENV-UNDEFINED"]


def test_dollar_dollar_escapes(tmp_path):
    desired, _ = desired_from(tmp_path, {"r.yaml": "kind: Room\nname: a\ndescription: costs $${var:x}\n"})
    assert desired.rooms["a"].data["description"] == "costs ${var:x}"


def test_workspace_filters_and_overrides(tmp_path):
    files = {
        "hmsconf.yaml": CONFIG,
        "r.yaml": """
            kind: Room
            name: a
            size: 10
            description: base
            overrides:
              prod: {size: 2000, description: null}
            ---
            kind: Room
            name: only-prod
            workspaces: [prod]
            ---
            kind: Room
            name: not-dev
            except_workspaces: [dev]
        """,
    }
    dev, _ = desired_from(tmp_path, files, "dev")
    prod, _ = desired_from(tmp_path, files, "prod")
    assert sorted(dev.rooms) == ["a"]
    assert sorted(prod.rooms) == ["a", "not-dev", "only-prod"]
    assert prod.rooms["a"].data == {"name": "a", "size": 2000}
    # the overridden value keeps the position of the override line
    assert prod.rooms["a"].data.key_pos.get("size").line == 6


def test_presets_merge_in_order_and_point_at_the_preset_file(tmp_path):
    files = {
        "presets/p.yaml": """
            kind: RolePreset
            name: base
            permissions: {mute: true, pollRead: true}
            priority: 4
            ---
            kind: RolePreset
            name: mod
            extends: base
            permissions: {endRoom: true}
        """,
        "t.yaml": """
            kind: Template
            name: t
            roles:
              host:
                extends: [mod]
                priority: 1
        """,
    }
    desired, problems = desired_from(tmp_path, files)
    assert not problems
    host = desired.templates["t"].data["roles"]["host"]
    assert host == {"permissions": {"mute": True, "pollRead": True, "endRoom": True}, "priority": 1}
    inherited = desired.templates["t"].data["roles"]["host"]["permissions"].key_pos.get("mute")
    assert inherited.file.endswith("p.yaml")


def test_preset_cycle_and_unknown_preset_are_errors_at_the_extends_line(tmp_path):
    files = {
        "p.yaml": "kind: RolePreset\nname: a\nextends: b\n---\nkind: RolePreset\nname: b\nextends: a\n",
        "t.yaml": "kind: Template\nname: t\nroles:\n  x:\n    extends: a\n  y:\n    extends: nope\n",
    }
    _, problems = desired_from(tmp_path, files)
    rules = sorted(d.rule for d in problems)
    assert "PRESET-CYCLE" in rules and "PRESET-UNKNOWN" in rules
    unknown = next(d for d in problems if d.rule == "PRESET-UNKNOWN")
    assert unknown.line == 7


def test_duplicate_names_name_both_places(tmp_path):
    files = {"a.yaml": "kind: Template\nname: webinar\n", "b.yaml": "kind: Template\nname: webinar\n"}
    _, problems = desired_from(tmp_path, files)
    (d,) = problems
    assert d.rule == "DUPLICATE-NAME" and "a.yaml:2" in d.message and d.file.endswith("b.yaml")


def test_room_names_are_case_insensitive(tmp_path):
    _, problems = desired_from(tmp_path, {"a.yaml": "kind: Room\nname: Lobby\n---\nkind: Room\nname: lobby\n"})
    assert [d.rule for d in problems] == ["DUPLICATE-NAME"]


def test_deep_merge_does_not_touch_its_inputs():
    base, patch = {"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}
    assert deep_merge(base, patch) == {"a": {"b": 3, "c": 2}}
    assert base == {"a": {"b": 1, "c": 2}}


def test_secret_paths():
    assert is_secret_path("Room", ("webhook", "headers", "X-Token"))
    assert is_secret_path("Template", ("settings", "recording", "upload", "credentials", "secretKey"))
    assert not is_secret_path("Room", ("webhook", "headers"))  # which headers are sent is not secret
    assert not is_secret_path("Room", ("description",))
