"""Live workspace -> project files that plan back to "no changes".

Server defaults are left out (the normaliser fills them back in), read-only
fields are dropped, a room's ``template_id`` becomes ``template: <name>``, and
every secret becomes an ``${env:...}`` placeholder that is listed for the
user. Each stripped object is checked to normalise to the same canonical form
as the live one, so the round trip is exact by construction.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from hmsconf.api.live import LiveWorkspace
from hmsconf.errors import HmsconfError
from hmsconf.model import catalogue, facts
from hmsconf.plan import normalize

# Points at the schema export writes beside the files (schemas/), so editors find it offline.
MODELINE = "# yaml-language-server: $schema=../schemas/document.schema.json\n"
CONFIG_MODELINE = "# yaml-language-server: $schema=schemas/hmsconf.schema.json\n"
# The API's key order, from the model; `kind` first.
TEMPLATE_ORDER = ("kind", *catalogue.key_order("Template"))
ROLE_ORDER = catalogue.key_order("Template", ("roles", catalogue.STAR))
ROOM_ORDER = ("kind", *catalogue.key_order("Room"))
ROOM_SENT = catalogue.sent_fields("Room")
# What the server fills for a room left silent, settled or not: export leaves it out.
ROOM_DEFAULTS = {k: v for k, v in catalogue.defaults("Room").items() if k in catalogue.fields_marked("Room", (), facts.Default)}


@dataclass
class Exported:
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    placeholders: list[str] = field(default_factory=list)  # environment variables to set


@dataclass(frozen=True)
class ExportResult:
    out: str
    written: list[str]  # relative paths
    templates: int
    rooms: int
    placeholders: list[str]  # environment variables to set, sorted, each once


def env_name(*parts: str) -> str:
    text = "_".join(parts)
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "unnamed"


def _strip(value: Any, default: Any) -> Any:
    """``value`` without the leaves that equal ``default``; _DROP when nothing is left."""
    if isinstance(value, dict) and isinstance(default, dict):
        out = {}
        for key, item in value.items():
            kept = _strip(item, default[key]) if key in default else item
            if kept is not _DROP:
                out[key] = kept
        return out if out else _DROP
    return _DROP if value == default else value


_DROP = object()


def _ordered(data: dict, order: tuple[str, ...]) -> dict:
    out = {k: data[k] for k in order if k in data}
    out.update({k: v for k, v in data.items() if k not in out})
    return out


def _plans_the_same(kind: str, at: tuple, part: Any, live: Any, canonical: Any) -> bool:
    """Would ``part`` in a file plan as no change against ``live``?"""
    want, have = canonical(part), canonical(live)
    return catalogue.align(kind, want, have, at) == want


def _without_defaults(kind: str, at: tuple, live: dict, canonical: Any) -> dict:
    """``live`` without the values the server fills by itself (settled or not),
    unless leaving one out would plan differently."""
    stripped = _strip(live, catalogue.defaults(kind, at))
    stripped = {} if stripped is _DROP else stripped
    return stripped if _plans_the_same(kind, at, stripped, live, canonical) else live


def export_role(role: dict, name: str, include_defaults: bool) -> dict:
    body = {k: v for k, v in role.items() if k != "name"}
    if not include_defaults:
        body = _without_defaults("Template", ("roles", name), body, lambda r: normalize.role(r, name))
    return _ordered(body, ROLE_ORDER)


def export_template(live_body: dict, recordings: list | None, include_defaults: bool, out: Exported) -> dict:
    name = live_body.get("name", "")
    doc: dict[str, Any] = {"kind": "Template", "name": name}
    doc["roles"] = {n: export_role(r, n, include_defaults) for n, r in (live_body.get("roles") or {}).items()}
    settings = copy.deepcopy(live_body.get("settings") or {})
    settings.pop("retry", None)
    if not include_defaults:
        recording = settings.pop("recording", None)
        settings = _without_defaults("Template", ("settings",), settings, normalize.settings)
        if recording is not None:
            settings["recording"] = recording
    doc["settings"] = settings
    destinations = catalogue.drop_marked("Template", copy.deepcopy(live_body.get("destinations") or {}), (facts.ReadOnly,), ("destinations",))
    doc["destinations"] = {k: v for k, v in destinations.items() if v}
    if live_body.get("plugins"):
        doc["plugins"] = live_body["plugins"]
    if recordings:
        doc["recordings"] = recordings
    out.placeholders += catalogue.placeholders("Template", doc, lambda path: env_name(name, *map(str, path[-3:])))
    return _ordered(doc, TEMPLATE_ORDER)


def export_room(live_body: dict, template_name: str | None, include_defaults: bool, out: Exported) -> dict:
    name = live_body.get("name", "")
    doc: dict[str, Any] = {"kind": "Room"}
    for key, value in live_body.items():
        if key not in ROOM_SENT or key == "template_id":
            continue  # response-only and unknown keys (a list item's `recording`) would not validate
        if not include_defaults and key in ROOM_DEFAULTS and value == ROOM_DEFAULTS[key]:
            continue
        if key == "polls" and not value:
            continue
        if key == "recording_info" and live_body.get("recording_source_template") is True:
            continue  # §10.1.4: `{enabled: false}` of a room that follows its template; writing it would pin the room
        doc[key] = copy.deepcopy(value)
    if template_name:
        doc["template"] = template_name
    out.placeholders += catalogue.placeholders("Room", doc, lambda path: env_name(name, *map(str, path[-3:])))
    return _ordered(doc, ROOM_ORDER)


# --- YAML text as `hmsconf fmt` writes it -------------------------------------------------------
# Lists are indented under their key, so exported files pass `fmt --check`. PyYAML's pure-Python
# emitter can do that; libyaml's cannot, but is about four times faster. When every string is
# short, printable and on one line, libyaml's text (never folded) differs from the pure-Python
# one only in that indentation, which _indent_lists adds, as long as no line then passes the
# width where the pure-Python emitter would fold it; anything else takes the pure-Python path
# (tests/test_export.py holds the two paths equal on generated documents).


class _DUMPER(yaml.SafeDumper):
    """PyYAML's pure-Python emitter with lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


_WIDTH = 100
_OPTIONS: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": _WIDTH}


def yaml_text(doc: Any) -> str:
    """``doc`` (JSON-shaped) as YAML text, lists indented under their key."""
    if _one_line_strings(doc):
        text = yaml.dump(doc, Dumper=yaml.CSafeDumper, **{**_OPTIONS, "width": 10**6})  # never folded
        if "\\" not in text:  # an escape: libyaml and PyYAML escape different characters
            indented = _indent_lists(text)
            if all(len(line) <= _WIDTH for line in indented.split("\n")):
                return indented
    return yaml.dump(doc, Dumper=_DUMPER, **_OPTIONS)


def _one_line_strings(value: Any) -> bool:
    """Every key and string short, printable and on one line; no empty key (PyYAML writes `? ''`)."""
    if isinstance(value, str):
        return len(value) < 60 and value.isprintable()
    if isinstance(value, dict):
        return all(k != "" and _one_line_strings(k) and _one_line_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_one_line_strings(v) for v in value)
    return True


def _indent_lists(text: str) -> str:
    """libyaml's text with every list that is a mapping's value moved two columns right, under its key."""
    out: list[str] = []
    lists: list[int] = []  # the columns of libyaml's unindented lists around this line
    key_column = None  # where the previous line's `key:` starts, when its value is a block below it
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        column = len(line) - len(stripped)
        item = stripped.startswith("- ") or stripped == "-"
        while lists and (column < lists[-1] or (column == lists[-1] and not item)):
            lists.pop()
        if item and column == key_column and (not lists or lists[-1] != column):
            lists.append(column)
        out.append(" " * (2 * len(lists)) + line if line else line)
        key_column = _block_key_column(line)
    return "\n".join(out)


def _block_key_column(line: str) -> int | None:
    """The column of the key on a `key:` line (``- key:`` included); None on any other line."""
    column = len(line) - len(line.lstrip(" "))
    rest = line[column:]
    while rest.startswith("- "):
        column, rest = column + 2, rest[2:]
    if not rest.endswith(":"):
        return None
    quote = rest[:1]
    return column if quote not in ("'", '"') or rest[-2:-1] == quote else None


def _canonical(node: Any, annotation: Any) -> Any:
    """Keys in the order `hmsconf fmt` puts them (the model's), so exported files pass `fmt --check`."""
    from hmsconf.config.fmt import BACK, FRONT
    from hmsconf.model.paths import ordered_keys, step

    def walk(node: Any, annotation: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(node[k], step(annotation, k)) for k in ordered_keys(list(node), annotation, FRONT, BACK)}
        if isinstance(node, list):
            below = step(annotation, 0)
            return [walk(item, below) for item in node]
        return node

    return walk(node, annotation)


def _dump(doc: dict) -> str:
    from hmsconf.model import model_class

    doc = _canonical(doc, model_class(str(doc["kind"])))
    return MODELINE + yaml_text(doc)


def export_workspace(live: LiveWorkspace, include_defaults: bool = False) -> Exported:
    from hmsconf.model.calibration import CALIBRATION_NAME

    out = Exported()
    for name, template in sorted(live.templates.items()):
        if name == CALIBRATION_NAME:  # `hmsconf calibrate`'s probe: files may not declare it (RESERVED-NAME)
            continue
        doc = export_template(template.body, template.recordings, include_defaults, out)
        out.files[f"templates/{file_name(name)}.yaml"] = _dump(doc)
    for room in sorted(live.rooms.values(), key=lambda r: r.name.lower()):
        used = live.template_by_id(room.template_id)
        doc = export_room(room.body, used.name if used else None, include_defaults, out)
        out.files[f"rooms/{file_name(room.name)}.yaml"] = _dump(doc)
    return out


def write_files(exported: Exported, root: FsPath, force: bool) -> list[str]:
    existing = [rel for rel in exported.files if (root / rel).exists()]
    if existing and not force:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise HmsconfError(f"{shown} already exist{'s' if len(existing) == 1 else ''} in {root}; pass --force to overwrite")
    written = []
    for rel, text in exported.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(rel)
    return written


async def read_for_export(client: Any, progress: Any = None) -> LiveWorkspace:
    """Everything, recordings included (export manages every part)."""
    from hmsconf.api.live import read_live

    return await read_live(client, recordings_for=None, progress=progress)



def project_config(workspace: str, connection: Any, out_dir: FsPath) -> str:
    """hmsconf.yaml for an exported project: the workspace it was read from,
    credentials as ``${env:...}`` placeholders (never their values)."""
    import os

    if connection.is_file:
        entry: dict[str, Any] = {"file": os.path.relpath(os.path.abspath(connection.file), os.path.abspath(out_dir))}
    else:
        entry = {}
        if connection.api_url and connection.api_url != connection.DEFAULT_API_URL:
            entry["api_url"] = connection.api_url
        if connection.management_token and not connection.access_key:
            entry["management_token"] = "${env:HMS_MANAGEMENT_TOKEN}"
        else:
            entry["access_key"] = "${env:HMS_ACCESS_KEY}"
            entry["secret"] = "${env:HMS_SECRET}"
    config = {"default_workspace": workspace, "workspaces": {workspace: entry}}
    return CONFIG_MODELINE + "# Written by `hmsconf export`: the workspace these files were read from.\n" + yaml.dump(
        config, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, width=100)


def schema_files() -> dict[str, str]:
    """The JSON Schemas the modelines point at, as files of the exported project."""
    from hmsconf.model import json_schema as schema

    generated = schema.generate()
    return {f"schemas/{name}": schema.render(generated[name]) for name in ("document.schema.json", "hmsconf.schema.json")}
