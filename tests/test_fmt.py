"""fmt: canonical key order, comments and blank lines kept, idempotent, data unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hmsconf.config.fmt import format_paths, format_text
from hmsconf.errors import FormatError

MESSY = """\
# yaml-language-server: $schema=../schemas/document.schema.json
# A comment at the top stays at the top.
roles:
  guest:
    priority: 3   # why three
    publishParams: {allowed: [audio]}
    name: guest

name: webinar
kind: Template
"""


def test_keys_go_in_the_api_order_and_comments_stay():
    out = format_text(MESSY, "t.yaml")
    assert out.splitlines()[0].startswith("# yaml-language-server")
    assert [line.split(":")[0] for line in out.splitlines() if line and not line.startswith((" ", "#"))] == ["kind", "name", "roles"]
    guest = out.split("guest:")[1]
    assert guest.index("name:") < guest.index("publishParams:") < guest.index("priority:")
    assert "# why three" in out and "# A comment at the top stays at the top." in out
    assert "{allowed: [audio]}" in out  # flow style kept
    assert yaml.safe_load(out) == yaml.safe_load(MESSY)


def test_idempotent():
    once = format_text(MESSY, "t.yaml")
    assert format_text(once, "t.yaml") == once


def test_multi_document_files_keep_their_separators():
    text = "name: a\nkind: Room\n---\nname: b\nkind: Room\n"
    out = format_text(text, "r.yaml")
    assert out == "kind: Room\nname: a\n---\nkind: Room\nname: b\n"


def test_bad_yaml_is_reported_not_touched(tmp_path):
    (tmp_path / "templates").mkdir()
    path = tmp_path / "templates" / "bad.yaml"
    path.write_text("kind: [\n")
    with pytest.raises(FormatError, match=r"bad.yaml:2:1: cannot format"):
        format_text(path.read_text(), str(path))
    result = format_paths([str(tmp_path)], check=False)
    assert result.errors and path.read_text() == "kind: [\n"


def test_check_lists_and_exits_1_then_fmt_fixes(tmp_path):
    (tmp_path / "t.yaml").write_text(MESSY)
    from tests import cli

    check = cli.run(["fmt", "--check", str(tmp_path)])
    assert check.returncode == 1 and "t.yaml" in check.stdout
    assert (tmp_path / "t.yaml").read_text() == MESSY  # --check writes nothing
    assert cli.run(["fmt", str(tmp_path)]).returncode == 0
    assert cli.run(["fmt", "--check", str(tmp_path)]).returncode == 0


def test_examples_are_canonical():
    root = Path(__file__).resolve().parents[1] / "examples"
    assert format_paths([str(root)], check=True).changed == []


KEYS = st.sampled_from(["name", "kind", "roles", "priority", "settings", "region", "zeta", "alpha", "permissions", "mute"])
SCALARS = st.one_of(st.integers(-5, 5), st.booleans(), st.sampled_from(["in", "x y", "a:b", "'q'", ""]))
TREE = st.recursive(SCALARS, lambda c: st.dictionaries(KEYS, c, min_size=1, max_size=4), max_leaves=12)
COMMENT = st.sampled_from(["", "  # note", "  # another: with colon"])


@st.composite
def documents(draw):
    data = draw(st.dictionaries(KEYS, TREE, min_size=1, max_size=5))
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    lines = text.splitlines()
    commented = [line + draw(COMMENT) if not line.rstrip().endswith(":") else line for line in lines]
    return data, "\n".join(commented) + "\n"


@settings(max_examples=150, deadline=None)
@given(documents())
def test_property_idempotent_data_preserving_and_comments_kept(case):
    data, text = case
    once = format_text(text, "p.yaml")
    assert format_text(once, "p.yaml") == once
    assert yaml.safe_load(once) == data
    for comment in ("# note", "# another: with colon"):
        assert text.count(comment) == once.count(comment)


def test_an_alias_bomb_is_refused_not_expanded():
    levels = "\n".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10))
    with pytest.raises(FormatError, match="alias bomb"):
        format_text("l0: &l0 [lol]\n" + levels + "\nkind: Template\nname: x\n", "bomb.yaml")
