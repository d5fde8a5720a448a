"""The loader: positions, limits and every kind of bad YAML, never a traceback."""

from __future__ import annotations

import pytest
import yaml

from hmsconf.config.loader import (
    MAX_DEPTH,
    YMap,
    YSeq,
    classify,
    load_file,
    load_text,
    locate,
)
from hmsconf.diagnostics import Location


def rules_of(text: str) -> list[str]:
    return [d.rule for d in load_text(text, "f.yaml").diagnostics]


def test_positions_of_keys_and_items_are_one_based():
    doc = load_text("kind: Template\nroles:\n  guest:\n    subscribeToRoles: [a, b]\n", "t.yaml").documents[0]
    start = Location("t.yaml", 1, 1)
    assert locate(doc.data, ("roles",), start) == Location("t.yaml", 2, 1)
    assert locate(doc.data, ("roles", "guest", "subscribeToRoles"), start) == Location("t.yaml", 4, 5)
    assert locate(doc.data, ("roles", "guest", "subscribeToRoles", 1), start) == Location("t.yaml", 4, 27)
    # a path that goes further than the data stops at its deepest known ancestor
    assert locate(doc.data, ("roles", "guest", "nope", "deeper"), start) == Location("t.yaml", 3, 3)
    assert locate(doc.data, ("nope",), start) == start


def test_packed_positions_read_as_locations():
    doc = load_text("a: [x, y, z]\nb: {c: 1}\nd: {c: 2}\n", "t.yaml").documents[0]
    items = doc.data["a"].item_pos
    assert [items.get(i) for i in range(3)] == [Location(None, 1, 5), Location(None, 1, 8), Location(None, 1, 11)]
    assert items.get(3) is None and items.get(-1) is None
    assert dict(doc.data.key_pos.items()) == {"a": Location(None, 1, 1), "b": Location(None, 2, 1), "d": Location(None, 3, 1)}
    # mappings of the same shape share their keys, not their positions
    assert doc.data["b"].key_pos.get("c") == Location(None, 2, 5) and doc.data["d"].key_pos.get("c") == Location(None, 3, 5)
    assert doc.data["b"].key_pos._keys is doc.data["d"].key_pos._keys


def test_positions_set_later_copy_and_pickle_apart_from_the_loaded_ones():
    import pickle

    data = load_text("a: 1\nb: [x]\n", "t.yaml").documents[0].data
    copied = data.key_pos.copy()
    copied["c"] = Location("preset.yaml", 9, 3)
    copied.discard("a")
    assert copied.get("c") == Location("preset.yaml", 9, 3) and copied.get("a") is None
    assert data.key_pos.get("a") == Location(None, 1, 1) and data.key_pos.get("c") is None  # the original is untouched
    assert pickle.loads(pickle.dumps(copied)).items() == copied.items()
    stamped = data["b"].item_pos.in_file("preset.yaml")
    assert stamped.get(0) == Location("preset.yaml", 2, 5) and stamped.in_file("other.yaml").get(0) == stamped.get(0)
    assert pickle.loads(pickle.dumps(stamped)).get(0) == Location("preset.yaml", 2, 5)


def test_values_match_pyyaml_for_ordinary_documents():
    text = "a: 1\nb: [1.5, true, null, 'x']\nc: {d: -3, e: 0x10}\n"
    assert load_text(text, "f").documents[0].data == {"a": 1, "b": [1.5, True, None, "x"], "c": {"d": -3, "e": 16}}


def test_yaml_1_2_booleans_only():
    # `yes` stays a string (YAML 1.2), so `enabled: yes` becomes a type error, not a silent true
    assert load_text("a: yes\nb: off\n", "f").documents[0].data == {"a": "yes", "b": "off"}


def test_quoted_scalars_stay_strings():
    assert load_text("a: '3'\nb: \"true\"\n", "f").documents[0].data == {"a": "3", "b": "true"}


def test_containers_keep_their_types():
    data = load_text("a: {b: [1]}\n", "f").documents[0].data
    assert isinstance(data, YMap) and isinstance(data["a"]["b"], YSeq)


def test_several_documents_per_file():
    loaded = load_text("kind: Room\nname: a\n---\nkind: Room\nname: b\n", "f")
    assert [d.data["name"] for d in loaded.documents] == ["a", "b"]
    assert [d.line for d in loaded.documents] == [1, 4]


@pytest.mark.parametrize(
    "text,rule,line,column",
    [
        ("a: 1\na: 2\n", "YAML-DUPLICATE-KEY", 2, 1),
        ("a:\n\tb: 1\n", "YAML-TAB", 2, 1),
        ("a: [1, 2\n", "YAML-SYNTAX", 2, 1),
        ("a: *nowhere\n", "YAML-SYNTAX", 1, 4),
        ("a: !!python/object:os.system x\n", "YAML-TAG", 1, 4),
        ("a: !!int nope\n", "YAML-TAG", 1, 4),
        ("{[1]: 2}\n", "YAML-KEY", 1, 2),
        ("a: 1\nb: \x07\n", "YAML-SYNTAX", 2, 4),
    ],
)
def test_bad_yaml_gets_a_positioned_error(text, rule, line, column):
    diagnostics = load_text(text, "f.yaml").diagnostics
    assert [(d.rule, d.line, d.column) for d in diagnostics] == [(rule, line, column)]
    assert all(d.file == "f.yaml" and d.is_error for d in diagnostics)


def test_duplicate_key_names_the_first_place():
    (d,) = load_text("x:\n  a: 1\n  a: 2\n", "f").diagnostics
    assert "first defined at line 2, column 3" in d.message


def test_absurd_nesting_is_refused_without_crashing():
    depth = 200_000  # PyYAML's own composer segfaults on this
    (d,) = load_text("a: " + "[" * depth + "]" * depth, "f").diagnostics
    assert d.rule == "YAML-TOO-DEEP" and str(MAX_DEPTH) in d.message


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [" + ",".join(["lol"] * 10) + "]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    (d,) = load_text("\n".join(lines), "f").diagnostics
    assert d.rule == "YAML-TOO-LARGE"


def test_modest_aliases_and_merge_keys_work():
    data = load_text("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", "f").documents[0].data
    assert data["use"] == {"x": 1, "y": 3}


def test_empty_file_is_a_warning(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("  \n")
    (d,) = load_file(path).diagnostics
    assert d.rule == "EMPTY-FILE" and not d.is_error


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"kind: Room\nname: caf\xe9\n")
    (d,) = load_file(path).diagnostics
    assert (d.rule, d.line, d.column) == ("YAML-ENCODING", 2, 10)


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    import hmsconf.config.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200)
    (d,) = load_file(path).diagnostics
    assert d.rule == "FILE-TOO-LARGE"


@pytest.mark.parametrize(
    "text,fragment",
    [("- 1\n- 2\n", "a list"), ("just text\n", "a single value"), ("name: x\n", "no `kind:`"), ("kind: Templat\n", "did you mean `Template`")],
)
def test_documents_that_are_not_ours(text, fragment):
    doc = load_text(text, "f").documents[0]
    problem = classify(doc)
    assert problem is not None and fragment in problem.message and problem.line == 1


def test_libyaml_agrees_on_a_realistic_template(tmp_path):
    from tests.factories import template_yaml

    text = template_yaml(roles=20)
    assert load_text(text, "f").documents[0].data == yaml.safe_load(text)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st

YAML_ALPHABET = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`,?\n\t ") + ["  ", "- ", ": ", "---\n", "<<: ", "&a ", "*a", "!!int ", "\x00", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(YAML_ALPHABET, max_size=60).map("".join))
def test_any_text_loads_or_fails_with_a_positioned_diagnostic(text):
    loaded = load_text(text, "f.yaml")
    for d in loaded.diagnostics:
        assert d.file == "f.yaml" and d.line >= 1 and d.column >= 1 and d.rule


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_load_or_fail_cleanly(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("b") / "f.yaml"
    path.write_bytes(raw)
    loaded = load_file(path)
    assert all(d.line and d.column for d in loaded.diagnostics)


def test_a_placeholder_in_a_flow_list_gets_a_quoting_hint(tmp_path):
    loaded = load_text("kind: Template\nname: t\nurls: [rtmp://h/live/${env:KEY}]\n", "t.yaml")
    (diag,) = loaded.diagnostics
    assert diag.rule == "YAML-SYNTAX" and diag.line == 3
    assert 'quote a value holding a placeholder' in diag.message
