"""JSON Schema (draft 2020-12) generated from the typed model, for editors.

The models describe documents after resolution; the files people edit also
hold our own keys (``kind``, ``workspaces``, ``overrides``, ``extends``) and
``${var:...}``/``${env:...}`` placeholders where a scalar goes. The transform
below adds those, so an editor accepts every file ``hmsconf validate`` does.

Run ``hmsconf schema --write schemas`` after changing a model; a test fails
while ``schemas/`` is stale.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hmsconf.model import KINDS as MODEL_KINDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://hmsconf.dev/schemas/"
PLACEHOLDER = {"type": "string", "pattern": r"^.*\$\{(var|env):[A-Za-z_][A-Za-z0-9_.-]*(:-[^}]*)?\}.*$",
               "description": "a ${var:NAME} or ${env:NAME} placeholder, resolved per workspace"}
NAMES = {"type": "array", "items": {"type": "string"}}
# file stem -> document kind, for every kind a project file may hold (hmsconf.model.KINDS)
KINDS = {kind.lower(): kind for kind in MODEL_KINDS}


def _allow_placeholders(node: Any) -> Any:
    """Every scalar type may also be a placeholder string."""
    if isinstance(node, dict):
        node = {k: _allow_placeholders(v) for k, v in node.items()}
        scalar = node.get("type") in ("integer", "number", "boolean") or "enum" in node or "const" in node
        if scalar:
            return {"anyOf": [node, PLACEHOLDER]}
        return node
    if isinstance(node, list):
        return [_allow_placeholders(v) for v in node]
    return node


def _document(kind: str, model: Any) -> dict:
    schema = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    schema = _allow_placeholders(schema)
    props = schema.setdefault("properties", {})
    props["kind"] = {"const": kind}
    props["workspaces"] = {**NAMES, "description": "hmsconf: exists only in these workspaces"}
    props["except_workspaces"] = {**NAMES, "description": "hmsconf: exists in every workspace but these"}
    partial = {k: v for k, v in schema.items() if k not in ("required", "$defs", "title", "description")}
    partial["properties"] = {k: v for k, v in props.items() if k not in ("kind", "workspaces", "except_workspaces")}
    props["overrides"] = {"type": "object", "additionalProperties": partial,
                          "description": "hmsconf: per workspace, a partial document merged on top"}
    schema["required"] = sorted(set(schema.get("required", [])) | {"kind"})
    role = schema.get("$defs", {}).get("Role")
    if role is not None:
        role["properties"]["extends"] = {"anyOf": [{"type": "string"}, NAMES], "description": "hmsconf: preset(s) this role starts from"}
    schema["$schema"] = DRAFT
    schema["$id"] = f"{BASE_ID}{kind.lower()}.schema.json"
    return schema


def generate() -> dict[str, dict]:
    from hmsconf.model import PROJECT_CONFIG, model_class

    out = {f"{key}.schema.json": _document(kind, model_class(kind)) for key, kind in KINDS.items()}
    project = _allow_placeholders(model_class(PROJECT_CONFIG).model_json_schema(ref_template="#/$defs/{model}"))
    project["$schema"], project["$id"] = DRAFT, f"{BASE_ID}hmsconf.schema.json"
    out["hmsconf.schema.json"] = project
    dispatch: dict[str, Any] = {"$schema": DRAFT, "$id": f"{BASE_ID}document.schema.json", "title": "hmsconf document",
                                "type": "object", "required": ["kind"],
                                "properties": {"kind": {"enum": list(KINDS.values())}}, "allOf": []}
    for key, kind in KINDS.items():
        dispatch["allOf"].append({"if": {"properties": {"kind": {"const": kind}}},
                                  "then": {"$ref": f"{key}.schema.json"}})
    out["document.schema.json"] = _bundle(dispatch, out)
    return out


def _rebase(node: Any, prefix: str) -> Any:
    """Point a sub-schema's own ``#/$defs/...`` references at where it is embedded."""
    if isinstance(node, dict):
        out = {k: _rebase(v, prefix) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            out["$ref"] = prefix + ref[1:]
        return out
    if isinstance(node, list):
        return [_rebase(v, prefix) for v in node]
    return node


def _bundle(dispatch: dict, schemas: dict[str, dict]) -> dict:
    """The any-kind schema with every kind embedded: one self-contained file,
    so an editor needs no network to resolve it."""
    bundled = copy.deepcopy(dispatch)
    bundled["$defs"] = {}
    for key in KINDS:
        sub = {k: v for k, v in schemas[f"{key}.schema.json"].items() if k not in ("$schema", "$id")}
        bundled["$defs"][key] = _rebase(sub, f"#/$defs/{key}")
    for branch, key in zip(bundled["allOf"], KINDS):
        branch["then"] = {"$ref": f"#/$defs/{key}"}
    return bundled


def schema_for(kind: str) -> dict:
    """``template``, ``room``, ``rolepreset``, ``project`` or ``document``."""
    name = "hmsconf.schema.json" if kind == "project" else f"{kind}.schema.json"
    schemas = generate()
    if name not in schemas:
        raise KeyError(kind)
    return schemas[name]


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
