"""Canonical forms: both sides of a diff filled with the server's defaults.

A field the YAML leaves out and the server fills with a settled default is
not a change; a permission absent from a response means its default;
read-only and pass-through fields never differ; set-like lists are sorted.
Every one of those facts comes from ``model.catalogue``. Secrets become
``Sensitive`` marks on both sides (write-only ones are never compared, a URL's
secret pieces are compared by digest), so no secret is carried into a plan.
``compare`` then removes from the live side what cannot be verified: an
unsettled default the file leaves out, a region the server resolved (§10.1).
"""

from __future__ import annotations

from typing import Any

from hmsconf.model import catalogue, facts
from hmsconf.model.calibration import Calibration
from hmsconf.model.copies import plain
from hmsconf.model.defaults import effective_permissions

TEMPLATE_PARTS = ("roles", "settings", "destinations", "plugins", "recordings")
# Top-level template fields managed when a file declares them (§10.2.10).
TEMPLATE_FLAGS = ("default",)


def _drop_empty(mapping: dict, *keys: str) -> None:
    for key in keys:
        if key in mapping and mapping[key] in ({}, [], None):
            del mapping[key]


def _canonical(kind: str, body: Any, at: tuple, calibration: Calibration | None = None) -> Any:
    """A plain copy of one part with defaults filled, sets sorted, response-only keys and secrets handled."""
    out = plain(body)
    catalogue.fill(kind, out, at, calibration=calibration)
    catalogue.drop_marked(kind, out, (*catalogue.NEVER_SENT, facts.PassThrough), at)  # never compared
    catalogue.sort_sets(kind, out, at)
    return catalogue.mark_secrets(kind, out, at)


def role(body: dict | None, name: str, calibration: Calibration | None = None) -> dict:
    out = _canonical("Template", {**(body or {}), "name": name}, ("roles", name), calibration)
    out["permissions"] = effective_permissions(out)
    pub = out.get("publishParams") or {}
    simulcast = pub.get("simulcast")
    if isinstance(simulcast, dict):
        for track in ("video", "screen"):
            layers = simulcast.get(track)
            if isinstance(layers, dict):
                _drop_empty(layers, "layers")
            _drop_empty(simulcast, track)
        _drop_empty(pub, "simulcast")
    elif simulcast is None:
        pub.pop("simulcast", None)
    return out


def settings(body: dict | None, calibration: Calibration | None = None) -> dict:
    return _canonical("Template", body or {}, ("settings",), calibration)


def destinations(body: dict | None, calibration: Calibration | None = None) -> dict:
    out = _canonical("Template", body or {}, ("destinations",), calibration)
    _drop_empty(out, "rtmpDestinations", "hlsDestinations", "transcriptions", "browserRecordings")
    return out


def plugins(body: dict | None, calibration: Calibration | None = None) -> dict:
    out = dict(body or {})
    transcriptions = out.get("transcriptions")
    if isinstance(transcriptions, list) and len(transcriptions) == 1:
        out["transcriptions"] = transcriptions[0]  # §10.2.7: the array form of one plugin is the object
    canonical = _canonical("Template", {k: v for k, v in out.items() if not isinstance(v, list)}, ("plugins",), calibration)
    for key, items in out.items():
        if isinstance(items, list):  # several: each item in canonical form, order kept
            canonical[key] = [_canonical("Template", item, ("plugins", key), calibration) for item in items]
    return canonical


def recording(config: dict, calibration: Calibration | None = None) -> dict:
    out = _canonical("Template", config, ("recordings", 0), calibration)
    thumbs = out.get("thumbnails")
    if isinstance(thumbs, dict) and not any(thumbs.values()):
        del out["thumbnails"]  # a GET returned {"width":0,"height":0} for "none" (§3.7)
    return out


def template(body: dict, recordings: list | None, parts: tuple[str, ...] = TEMPLATE_PARTS,
             calibration: Calibration | None = None) -> dict:
    """The managed ``parts`` of a template in canonical form (``calibration``: the workspace's learned defaults)."""
    out: dict[str, Any] = {}
    if "roles" in parts:
        out["roles"] = {name: role(r, name, calibration) for name, r in (body.get("roles") or {}).items()}
    if "settings" in parts:
        out["settings"] = settings(body.get("settings"), calibration)
    if "destinations" in parts:
        out["destinations"] = destinations(body.get("destinations"), calibration)
    if "plugins" in parts:
        out["plugins"] = plugins(body.get("plugins"), calibration)
    if "recordings" in parts:
        out["recordings"] = [recording(r, calibration) for r in (recordings or []) if isinstance(r, dict)]
    if "default" in parts:
        out["default"] = body.get("default") is True
    return out


def compare(kind: str, want: dict, have: dict, calibration: Calibration | None = None) -> dict:
    """The live side as far as it can be compared with ``want`` (see ``catalogue.align``)."""
    return catalogue.align(kind, want, have, calibration=calibration)


ROOM_COMPARED_WHEN_DECLARED = (
    "description",
    "size",
    "large_room",
    "max_duration_seconds",
    "region",
    "recording_info",
    "webhook",
    "enabled",
    "polls",
)
# Fields the server fills: compared even when the file leaves them out (when settled).
ROOM_FILLED = catalogue.fields_marked("Room", (), facts.Default)


def room(body: dict, template_name: str | None, fields: tuple[str, ...], calibration: Calibration | None = None) -> dict:
    """The managed ``fields`` of a room; ``template`` compared by name, not id."""
    filled = _canonical("Room", {k: v for k, v in body.items() if k in fields}, (), calibration)
    out: dict[str, Any] = {}
    for key in fields:
        if key == "template":
            out["template"] = template_name
        elif key in filled:
            out[key] = filled[key]
    webhook = out.get("webhook")
    if isinstance(webhook, dict) and webhook.get("headers") is None:
        webhook.pop("headers", None)
    return out


def managed_room_fields(desired: dict) -> tuple[str, ...]:
    """What a room document manages: the fields it declares, plus the ones the server defaults."""
    declared = [k for k in ROOM_COMPARED_WHEN_DECLARED if k in desired]
    for key in ROOM_FILLED:
        if key not in declared:
            declared.append(key)
    if "template" in desired or "template_id" in desired:
        declared.append("template")
    return tuple(declared)


def managed_template_parts(desired: dict) -> tuple[str, ...]:
    return tuple(part for part in (*TEMPLATE_PARTS, *TEMPLATE_FLAGS) if part in desired)
