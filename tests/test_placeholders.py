"""Placeholders: typed by the model, misspellings caught, validate without secrets."""

from __future__ import annotations

import pytest

from hmsconf.config.check import check_workspace
from hmsconf.config.placeholders import convert, misspelt, wanted_type
from tests.helpers import desired_from, project_at, write_project

ROOM = "kind: Room\nname: a\nsize: ${env:SIZE}\nlarge_room: ${env:LARGE}\ndescription: ${env:SIZE}\n"


def test_a_whole_scalar_placeholder_takes_the_type_of_its_field(tmp_path):
    desired, problems = desired_from(tmp_path, {"rooms/a.yaml": ROOM}, environ={"SIZE": "3000", "LARGE": "true"})
    assert not problems
    # the same variable is a number where the model wants one, text where it wants text
    assert desired.rooms["a"].data == {"name": "a", "size": 3000, "large_room": True, "description": "3000"}


def test_types_come_from_the_model_for_nested_fields(tmp_path):
    template = """
        kind: Template
        name: t
        roles:
          host:
            priority: ${var:prio}
            permissions: {endRoom: '${env:END}'}
            publishParams: {allowed: [audio]}
        destinations:
          transcriptions:
            tr: {name: tr, role: host, summary: {temperature: '${env:TEMP}'}}
    """
    files = {"hmsconf.yaml": "vars: {prio: '2'}\n", "templates/t.yaml": template}
    desired, problems = desired_from(tmp_path, files, environ={"END": "false", "TEMP": "0.5"})
    assert not problems
    body = desired.templates["t"].data
    assert body["roles"]["host"]["priority"] == 2
    assert body["roles"]["host"]["permissions"]["endRoom"] is False
    assert body["destinations"]["transcriptions"]["tr"]["summary"]["temperature"] == 0.5
    assert wanted_type("Template", ("roles", "x", "priority")) == "int"
    assert wanted_type("Room", ("webhook", "headers", "X-Token")) == "str"
    assert wanted_type("Template", ("roles",)) is None


def test_a_value_that_does_not_convert_names_variable_field_and_type(tmp_path):
    write_project(tmp_path, {"rooms/a.yaml": ROOM})
    _, problems = check_workspace(project_at(tmp_path), "local", {"SIZE": "300 peers", "LARGE": "yes"})
    by_rule = sorted((d.rule, d.line, d.message) for d in problems)
    assert by_rule == [
        ("PLACEHOLDER-TYPE", 3, "size needs a whole number, but environment variable `SIZE` holds '300 peers'"),
        ("PLACEHOLDER-TYPE", 4, "large_room needs true or false, but environment variable `LARGE` holds 'yes'"),
    ]  # and no SCHEMA-TYPE cascade


@pytest.mark.parametrize(
    ("text", "right"),
    [
        ("${AWS_KEY}", "${env:AWS_KEY}"),
        ("$AWS_KEY", "${env:AWS_KEY}"),
        ("${env.X}", "${env:X}"),
        ("${env:X:default}", "${env:X:-default}"),
        ("${ENV:X}", None),  # a well-formed token of an unknown namespace: VAR-NAMESPACE says it
    ],
)
def test_misspelt_placeholders_are_errors_with_the_right_spelling(tmp_path, text, right):
    write_project(tmp_path, {"rooms/a.yaml": f"kind: Room\nname: a\ndescription: 'x {text} y'\n"})
    _, problems = check_workspace(project_at(tmp_path), "local", {"X": "1", "AWS_KEY": "k"})
    (d,) = problems
    if right is None:
        assert d.rule == "VAR-NAMESPACE" and "`${env:X}`" in d.message
    else:
        assert d.rule == "PLACEHOLDER-SYNTAX" and f"`{right}`" in d.message and d.line == 3


def test_text_with_dollars_that_is_not_a_placeholder_stays_text():
    assert misspelt("costs $5, or $$ for $ref and $$HOME") == []
    assert [m.suggestion for m in misspelt("$HOME", known_vars=["HOME"])] == ["${var:HOME}"]


def test_validate_needs_no_secrets_but_plan_does(tmp_path):
    files = {
        "rooms/a.yaml": """
            kind: Room
            name: a
            size: ${env:SIZE}
            webhook:
              url: https://hooks.example.com
              headers: {X-Token: '${env:TOKEN}', X-Other: '${env:TOKEN}'}
        """,
    }
    write_project(tmp_path, files)
    project = project_at(tmp_path)
    _, relaxed = check_workspace(project, "local", {}, require_env=False)
    # one notice per missing variable, nothing about the values it would fill
    assert sorted((d.severity.value, d.rule, d.message.split("`")[1]) for d in relaxed) == [
        ("notice", "ENV-UNSET", "SIZE"), ("notice", "ENV-UNSET", "TOKEN"),
    ]
    _, strict = check_workspace(project, "local", {})
    assert sorted((d.severity.value, d.rule) for d in strict) == [("error", "ENV-UNDEFINED")] * 2


def test_the_value_is_still_checked_where_it_is_known(tmp_path):
    write_project(tmp_path, {"rooms/a.yaml": "kind: Room\nname: a\ndescription: ${env:D}\nsize: 99999\n"})
    _, problems = check_workspace(project_at(tmp_path), "local", {}, require_env=False)
    assert sorted(d.rule for d in problems) == ["ENV-UNSET", "ROOM-SIZE"]


def test_convert():
    assert convert("12", "int") == 12 and convert("TRUE", "bool") is True and convert(3, "str") == "3"
    assert convert("x", None) == "x"
    with pytest.raises(ValueError):
        convert("1.5", "int")


def test_commands_validate_without_secrets_and_render_needs_them(tmp_path):
    import os

    from tests import cli

    write_project(tmp_path, {"rooms/a.yaml": "kind: Room\nname: a\nsize: ${env:HMSCONF_TEST_SIZE}\n"})
    env = {k: v for k, v in os.environ.items() if k != "HMSCONF_TEST_SIZE"}
    done = cli.run(["validate", "--strict", str(tmp_path)], env=env)
    assert done.returncode == 0 and "notice[ENV-UNSET]" in done.stdout and "1 notice" in done.stdout
    done = cli.run(["render", str(tmp_path)], env=env)
    assert done.returncode == 1 and "error[ENV-UNDEFINED]" in done.stderr
    done = cli.run(["render", str(tmp_path)], env={**env, "HMSCONF_TEST_SIZE": "300"})
    assert done.returncode == 0 and "size: 300\n" in done.stdout
