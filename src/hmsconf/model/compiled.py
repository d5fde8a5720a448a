"""The typed model, compiled: schema validation without importing pydantic.

Why it exists: ``hmsconf validate`` as a pre-commit hook spent most of its time
importing pydantic and building the model classes, only to hand pydantic-core
the schema they compile to. That core schema is plain data once the model
classes in it are replaced by their names, so it is derived once from the
models, cached on disk (``hmsconf.model.cache``, keyed by hmsconf's version, the
model sources and pydantic's version) and fed straight to pydantic-core's
``SchemaValidator``: the same validator, the same errors, a fraction of the
start-up. The models stay the single source of truth.

Should a model ever grow something that is not data (a Python validator
function), compiling refuses and the models' own validators are used, uncached.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from hmsconf.model import MODELS

_FORMAT = 1  # of the cached data; bump when its shape changes


class NotData(Exception):
    """A core schema holds something JSON cannot carry (a function, an object)."""


class Compiled:
    """One kind's validator and the key table behind did-you-mean suggestions."""

    def __init__(self, schema: dict) -> None:
        from pydantic_core import SchemaValidator

        self.schema = schema
        self.validator = SchemaValidator(_with_classes(schema))
        self._definitions = {d["ref"]: d for d in schema.get("definitions", ())} if schema.get("type") == "definitions" else {}

    def errors(self, data: Any) -> list[Any]:  # pydantic ErrorDetails
        """pydantic's error dicts (type, loc, msg, input, ctx) for ``data``; [] when valid."""
        from pydantic_core import ValidationError

        try:
            self.validator.validate_python(data)
        except ValidationError as exc:
            return exc.errors(include_url=False)
        return []

    def allowed_keys(self, path: tuple) -> list[str]:
        """The keys allowed where ``path`` points (empty when it is not a mapping of known keys)."""
        node: Any = self.schema
        for part in path:
            node = self._step(node, part)
            if node is None:
                return []
        fields = self._fields_of(node)
        return [] if fields is None else [_key_of(name, field) for name, field in fields.items()]

    def scalar_at(self, path: tuple) -> str | None:
        """The scalar type (int, float, bool, str) the model wants at ``path``, or None
        when it is not one plain scalar type (a mapping, a list, a union of several)."""
        node: Any = self.schema
        for part in path:
            node = self._step(node, part)
            if node is None:
                return None
        return self._scalar(node)

    def _scalar(self, node: dict) -> str | None:
        node = self._unwrap(node)
        kind = node.get("type")
        if kind in ("int", "float", "bool", "str"):
            return kind
        if kind == "literal":
            return "str" if all(isinstance(v, str) for v in node["expected"]) else None
        if kind == "nullable":
            return self._scalar(node["schema"])
        if kind == "union":
            found = {self._scalar(c[0] if isinstance(c, list) else c) for c in node["choices"]}
            return found.pop() if len(found) == 1 else None
        return None

    def _unwrap(self, node: dict) -> dict:
        while True:
            kind = node.get("type")
            if kind == "definitions":
                node = node["schema"]
            elif kind == "definition-ref":
                node = self._definitions[node["schema_ref"]]
            elif kind in ("default", "model"):
                node = node["schema"]
            else:
                return node

    def _step(self, node: dict, part: Any) -> dict | None:
        node = self._unwrap(node)
        kind = node.get("type")
        if kind == "model-fields":
            return next((f["schema"] for n, f in node["fields"].items() if _key_of(n, f) == part), None)
        if kind == "dict":
            return node.get("values_schema", {"type": "any"})
        if kind == "list":
            return node.get("items_schema", {"type": "any"}) if isinstance(part, int) else None
        if kind == "nullable":
            return self._step(node["schema"], part)
        if kind == "union":  # the first branch that can take the step
            for choice in node["choices"]:
                found = self._step(choice[0] if isinstance(choice, list) else choice, part)
                if found is not None:
                    return found
        return None

    def _fields_of(self, node: dict) -> dict | None:
        node = self._unwrap(node)
        kind = node.get("type")
        if kind == "model-fields":
            return node["fields"]
        if kind == "nullable":
            return self._fields_of(node["schema"])
        if kind == "union":
            for choice in node["choices"]:
                found = self._fields_of(choice[0] if isinstance(choice, list) else choice)
                if found is not None:
                    return found
        return None


def _key_of(name: str, field: dict) -> str:
    alias = field.get("validation_alias")
    return alias if isinstance(alias, str) else name


@lru_cache(maxsize=None)
def compiled(kind: str) -> Compiled:
    """The validator of ``kind`` (Template, RolePreset, Room, ProjectConfig)."""
    schemas = _schemas()
    if schemas is None:
        return _Uncached(kind)
    try:
        return Compiled(schemas[kind])
    except Exception:  # a cache entry that reads back but does not build: derive it afresh
        return Compiled(_compile_all()[kind])


@lru_cache(maxsize=None)
def _schemas() -> dict | None:
    from hmsconf.model.cache import cached

    try:
        return cached("model-core-schema", _key(), _compile_all, check=_checked)
    except NotData:
        return None


def _key() -> str:
    """hmsconf's version, every source of the model package, pydantic's version."""
    from hmsconf.model.cache import source_key

    here = os.path.dirname(__file__)
    parts: list[Any] = [str(_FORMAT), *sorted(Path(here).glob("*.py"))]
    for package in ("pydantic", "pydantic_core"):
        spec = importlib.util.find_spec(package)
        origin = os.path.dirname(spec.origin) if spec and spec.origin else None
        # pydantic's version.py names the exact pydantic-core it was built for
        parts.append(Path(origin, "version.py") if package == "pydantic" and origin else str(origin))
    return source_key(*parts)


def _compile_all() -> dict:
    import importlib

    out = {}
    for kind, (module, name) in MODELS.items():
        model = getattr(importlib.import_module(module), name)
        out[kind] = _as_data(model.__pydantic_core_schema__)
    return out


def _checked(stored: Any) -> dict:
    if not isinstance(stored, dict) or set(stored) != set(MODELS):
        raise ValueError("not a compiled schema set")
    return stored


def _as_data(node: Any) -> Any:
    """The core schema as JSON data: model classes become their names, pydantic's
    JSON-Schema hooks (``metadata``) are dropped; anything else that is not data
    raises NotData."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "metadata":
                continue
            if key == "cls" and node.get("type") == "model":
                out[key] = value.__name__
            else:
                out[key] = _as_data(value)
        return out
    if isinstance(node, (list, tuple)):
        return [_as_data(v) for v in node]
    if node is None or isinstance(node, (str, bool, int)) or (isinstance(node, float) and node == node and abs(node) != float("inf")):
        return node
    raise NotData(f"{type(node).__name__} in a core schema")


def _with_classes(schema: dict) -> dict:
    """The stored schema, changed in place, with a stand-in class per model name:
    pydantic-core instantiates it, and names it in messages ("... or instance of Role")."""
    out = schema
    stack: list[Any] = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "model" and isinstance(node.get("cls"), str):
                node["cls"] = _stand_in(node["cls"])
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        else:
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return out


@lru_cache(maxsize=None)
def _stand_in(name: str) -> type:
    return type(name, (), {"__module__": __name__})


class _Uncached(Compiled):
    """The model's own pydantic validator, when its schema cannot be stored."""

    def __init__(self, kind: str) -> None:  # noqa: D107 - same face, no cache
        import importlib

        module, name = MODELS[kind]
        model = getattr(importlib.import_module(module), name)
        self.schema = _as_data_loose(model.__pydantic_core_schema__)
        self.validator = model.__pydantic_validator__
        self._definitions = {d["ref"]: d for d in self.schema.get("definitions", ())} if self.schema.get("type") == "definitions" else {}


def _as_data_loose(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _as_data_loose(v) for k, v in node.items() if k != "metadata"}
    if isinstance(node, (list, tuple)):
        return [_as_data_loose(v) for v in node]
    return node


# --- the catalogue's field tree (hmsconf.model.catalogue) -----------------------------------


def cached_tree(kind: str, walk: Callable[[str], Any], node_type: type) -> Any:
    """``walk(kind)``, the catalogue's tree of ``node_type`` nodes with ``facts`` marks,
    from the disk cache when the model sources have not changed."""
    from hmsconf.model.cache import cached

    try:
        data = cached(f"model-catalogue-{kind}", _key(), lambda: _tree_data(walk(kind)))
        return _tree_from(data, node_type)
    except (NotData, LookupError, TypeError, ValueError, AttributeError):
        return walk(kind)  # a mark JSON cannot carry, or an entry of another shape: walk the models


def _tree_data(node: Any) -> dict:
    import dataclasses

    marks = []
    for mark in node.marks:
        if type(mark).__module__ != "hmsconf.model.facts" or not dataclasses.is_dataclass(mark):
            raise NotData(f"mark {mark!r}")
        marks.append([type(mark).__name__, {f.name: _value_data(getattr(mark, f.name)) for f in dataclasses.fields(mark)}])
    return {"marks": marks, "children": {k: _tree_data(c) for k, c in node.children.items()}, "order": list(node.order)}


def _value_data(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"tuple": [_value_data(v) for v in value]}
    if isinstance(value, list):
        return [_value_data(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or "tuple" in value:
            raise NotData("a mapping JSON cannot carry")
        return {k: _value_data(v) for k, v in value.items()}
    return _as_data(value)


def _value_from(data: Any) -> Any:
    if isinstance(data, list):
        return [_value_from(v) for v in data]
    if isinstance(data, dict):
        if set(data) == {"tuple"} and isinstance(data["tuple"], list):
            return tuple(_value_from(v) for v in data["tuple"])
        return {k: _value_from(v) for k, v in data.items()}
    return data


def _tree_from(data: dict, node_type: type) -> Any:
    from hmsconf.model import facts

    marks = tuple(getattr(facts, name)(**{k: _value_from(v) for k, v in fields.items()}) for name, fields in data["marks"])
    children = {k: _tree_from(c, node_type) for k, c in data["children"].items()}
    return node_type(marks, children, tuple(data["order"]))
