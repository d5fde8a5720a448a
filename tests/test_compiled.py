"""The compiled model (hmsconf.model.compiled) and the disk cache behind it (hmsconf.model.cache).

The compiled validator must say exactly what the pydantic models say, on
valid and broken documents alike; the cache must never serve an entry of
another version, and must never make a command fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hmsconf
from hmsconf.config import rules
from hmsconf.model import cache
from hmsconf.model import compiled as compiled_module
from hmsconf.model import paths as model_paths
from hmsconf.model import model_class
from hmsconf.model.compiled import MODELS, compiled
from hmsconf.model.room import ProjectConfig, Room
from hmsconf.model.template import RolePreset, Template

ROOT = Path(__file__).resolve().parents[1]
PYDANTIC = {"Template": Template, "RolePreset": RolePreset, "Room": Room, "ProjectConfig": ProjectConfig}


def _examples() -> list[tuple[str, dict]]:
    out = []
    for path in sorted((ROOT / "examples").glob("*/**/*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            if path.name == "hmsconf.yaml":
                out.append(("ProjectConfig", doc))
            elif doc.get("kind") in MODELS:
                body = {k: v for k, v in doc.items() if k not in ("kind", "workspaces", "except_workspaces", "overrides")}
                out.append((doc["kind"], body))
    return out


EXAMPLES = _examples()


def _pydantic_errors(kind: str, data) -> list[dict]:
    from pydantic import ValidationError

    try:
        PYDANTIC[kind].model_validate(data)
    except ValidationError as exc:
        return exc.errors(include_url=False)
    return []


def test_examples_cover_every_kind():
    assert {kind for kind, _ in EXAMPLES} == set(MODELS)


@pytest.mark.parametrize("kind,data", EXAMPLES)
def test_examples_are_judged_alike(kind, data):
    assert compiled(kind).errors(data) == _pydantic_errors(kind, data)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), st.text(max_size=8),
                    st.sampled_from(["yes", "s3", "f", "opus", "live", "caption", "audio", "5"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _set(node, path, value):
    if not path:
        return value
    import copy

    out = copy.deepcopy(node)
    target = out
    for part in path[:-1]:
        target = target[part]
    if isinstance(target, dict) or (isinstance(target, list) and isinstance(path[-1], int)):
        target[path[-1]] = value
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.data(), VALUES, st.booleans())
def test_broken_documents_are_judged_alike(example, data, value, new_key):
    """Any value anywhere (or an unknown key beside it): the same errors, same order, same texts."""
    kind, doc = example
    path = data.draw(st.sampled_from(list(_paths(doc))))
    if new_key and path:
        path = (*path[:-1], data.draw(st.sampled_from(["enabeld", "Role", "bitrate", "x"])))
        if not isinstance(_get(doc, path[:-1]), dict):
            path = path[:-1]
    broken = _set(doc, path, value)
    assert compiled(kind).errors(broken) == _pydantic_errors(kind, broken)


def _get(node, path):
    for part in path:
        node = node[part]
    return node


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_allowed_keys_match_the_models(kind):
    """Did-you-mean suggestions list the keys the model classes list, at every path of the
    examples and below names the examples do not use."""
    paths = {p for k, d in EXAMPLES if k == kind for p in _paths(d)}
    paths |= {(*p, extra) for p in list(paths) for extra in ("unknown", 0)}
    assert paths
    for path in paths:
        assert compiled(kind).allowed_keys(path) == model_paths.allowed_keys(PYDANTIC[kind], path), path


def test_unknown_key_message_comes_from_the_compiled_keys():
    found = rules.check_document("Template", {"name": "t", "roles": {"host": {"permisions": {}}}})
    assert [d.message for d in found] == ["role `host`: unknown key `permisions`; did you mean `permissions`?"]


# --- the cache --------------------------------------------------------------------------------


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HMSCONF_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_an_entry_is_computed_once(cache_dir):
    compute, calls = _counting({"a": [1, 2.5, None, "x"]})
    key = cache.source_key("source")
    assert cache.cached("thing", key, compute) == {"a": [1, 2.5, None, "x"]}
    assert cache.cached("thing", key, compute) == {"a": [1, 2.5, None, "x"]}
    assert len(calls) == 1
    assert [p.name for p in cache_dir.iterdir()] == [f"thing-{key}.json"]


def test_a_new_version_or_source_makes_a_new_key(cache_dir, monkeypatch, tmp_path):
    source = tmp_path / "model.py"
    source.write_text("A = 1\n")
    first = cache.source_key(source)
    cache.cached("thing", first, lambda: 1)
    monkeypatch.setattr(hmsconf, "__version__", "99.0.0")
    second = cache.source_key(source)
    assert second != first
    compute, calls = _counting(2)
    assert cache.cached("thing", second, compute) == 2 and calls == [1]
    monkeypatch.undo()
    monkeypatch.setenv("HMSCONF_CACHE_DIR", str(cache_dir))
    source.write_text("A = 2\n")
    assert cache.source_key(source) not in (first, second)
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted([f"thing-{first}.json", f"thing-{second}.json"])


def test_two_versions_sharing_the_directory_each_keep_their_entry(cache_dir):
    """pre-commit's environment and the project's virtualenv, run in turns: each computes once."""
    old, new = cache.source_key("version 1"), cache.source_key("version 2")
    compute, calls = _counting("x")
    for _ in range(3):
        cache.cached("thing", old, compute)
        cache.cached("thing", new, compute)
    assert len(calls) == 2


def test_only_the_newest_entries_of_a_name_are_kept(cache_dir):
    keys = [cache.source_key(str(n)) for n in range(cache.KEEP + 2)]
    for age, key in enumerate(keys):
        cache.cached("thing", key, lambda: 1)
        entry = cache_dir / f"thing-{key}.json"
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))  # written in this order, whatever the clock's grain
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted(f"thing-{k}.json" for k in keys[-cache.KEEP:])


def test_other_names_are_left_alone(cache_dir):
    cache.cached("thing-extra", cache.source_key("b"), lambda: 2)
    for n in range(cache.KEEP + 2):  # "thing" removes its own old entries, never thing-extra's
        cache.cached("thing", cache.source_key(str(n)), lambda: 3)
    names = sorted(p.name.rsplit("-", 1)[0] for p in cache_dir.iterdir())
    assert names == ["thing"] * cache.KEEP + ["thing-extra"]


def test_an_unwritable_cache_dir_computes_every_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("HMSCONF_CACHE_DIR", str(blocker / "cache"))
    compute, calls = _counting([1])
    assert cache.cached("thing", "k" * 32, compute) == [1]
    assert cache.cached("thing", "k" * 32, compute) == [1]
    assert len(calls) == 2


def test_the_cache_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("HMSCONF_CACHE_DIR", "")
    compute, calls = _counting(1)
    cache.cached("thing", "k", compute)
    cache.cached("thing", "k", compute)
    assert cache.cache_dir() is None and len(calls) == 2


def test_a_corrupt_or_wrong_entry_is_recomputed_and_replaced(cache_dir):
    key = cache.source_key("x")
    cache_dir.mkdir()
    entry = cache_dir / f"thing-{key}.json"
    entry.write_text('{"truncated": ')
    compute, calls = _counting({"ok": True})
    assert cache.cached("thing", key, compute) == {"ok": True} and len(calls) == 1
    assert json.loads(entry.read_text()) == {"ok": True}

    def check(value):
        if value != {"ok": True}:
            raise ValueError(value)
        return value

    entry.write_text('{"ok": false}')
    assert cache.cached("thing", key, compute, check=check) == {"ok": True} and len(calls) == 2


def test_a_corrupt_schema_entry_still_validates(cache_dir, monkeypatch):
    compiled_module._schemas.cache_clear()
    compiled.cache_clear()
    try:
        cache_dir.mkdir()
        key = compiled_module._key()
        (cache_dir / f"model-core-schema-{key}.json").write_text(json.dumps({k: {"type": "nonsense"} for k in MODELS}))
        assert [d.rule for d in rules.check_document("Template", {"name": "t", "roles": {"r": {"priority": 9}}})] == ["ROLE-PRIORITY"]
    finally:
        compiled_module._schemas.cache_clear()
        compiled.cache_clear()


def test_validate_imports_no_pydantic_once_the_cache_is_warm(tmp_path):
    """The pre-commit path: the second run loads the compiled schema, not the models."""
    project = ROOT / "examples" / "webinar"
    env = {**os.environ, "HMSCONF_CACHE_DIR": str(tmp_path / "cache")}
    script = (
        "import sys; from hmsconf.config.check import validate_paths; "
        f"found = validate_paths([{str(project)!r}]); "
        "print(len(found), sorted(m for m in sys.modules if m == 'pydantic' or m.startswith('pydantic.') or m in ('hmsconf.model.template', 'hmsconf.model.room')))"
    )
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert "pydantic" in first.stdout  # built from the models the first time
    count = first.stdout.split()[0]
    assert second.stdout.strip() == f"{count} []"


@pytest.mark.parametrize("kind", ["Template", "Room", "RolePreset", "hmsconf.yaml"])
def test_the_cached_catalogue_tree_equals_the_walked_one(kind, cache_dir):
    """The catalogue's field tree read back from the cache is the tree walked from the models."""
    from hmsconf.model import catalogue
    from hmsconf.model.compiled import cached_tree

    walked = catalogue._walked(kind)
    cached_tree(kind, catalogue._walked, catalogue.Node)  # stores it
    assert any(p.name.startswith(f"model-catalogue-{kind}-") for p in cache_dir.iterdir())
    calls = []

    def walk(k):
        calls.append(k)
        return catalogue._walked(k)

    assert cached_tree(kind, walk, catalogue.Node) == walked
    assert calls == []  # read from the cache, not walked


@pytest.mark.parametrize("kind", ["Template", "Room", "RolePreset"])
def test_scalar_types_match_the_models(kind):
    """The type a placeholder's value must have: the compiled model says what the model classes say."""
    from hmsconf.config.placeholders import _scalar_of

    paths = {p for k, d in EXAMPLES if k == kind for p in _paths(d)}
    paths |= {(*p, extra) for p in list(paths) for extra in ("unknown", 0)}
    seen = set()
    for path in paths:
        annotation = model_class(kind)
        for part in path:
            annotation = model_paths.step(annotation, part) if annotation is not None else None
        expected = _scalar_of(annotation) if annotation is not None else None
        assert compiled(kind).scalar_at(path) == expected, path
        seen.add(expected)
    assert {"int", "bool", "str"} <= seen
