"""Canonical forms: both sides of a diff filled with the server's defaults.

A field the YAML leaves out and the server fills with its default is not a
change; a permission absent from a response means its default; read-only and
pass-through fields never differ; lists whose order means nothing are sorted.
Secrets are write-only (reference §5): they are replaced by a marker on both
sides, so they are never compared and never carried into a plan.
"""

from __future__ import annotations

from typing import Any

from hmsconf.model import defaults
from hmsconf.model.tree import plain

TEMPLATE_PARTS = ("roles", "settings", "destinations", "plugins", "recordings")
SENSITIVE = "(sensitive)"

# Lists where order has no meaning: compared as sets.
_ROLE_SET_LISTS = (("publishParams", "allowed"), ("subscribeParams", "subscribeToRoles"))
_TRANSCRIPTION_SET_LISTS = ("modes", "outputModes")


def _sorted_unique(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value


def _drop_empty(mapping: dict, *keys: str) -> None:
    for key in keys:
        if key in mapping and mapping[key] in ({}, [], None):
            del mapping[key]


def role(body: dict | None, name: str) -> dict:
    out = defaults.fill_role(body or {}, name)
    out.pop("renamed_from", None)
    out["permissions"] = defaults.effective_permissions(out)
    for section, key in _ROLE_SET_LISTS:
        part = out.get(section)
        if isinstance(part, dict) and key in part:
            part[key] = _sorted_unique(part[key])
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


def settings(body: dict | None) -> dict:
    out = defaults.fill_settings(body or {})
    out.pop("retry", None)  # undocumented pass-through (§3.6)
    recording = out.get("recording")
    if isinstance(recording, dict):
        recording.setdefault("enabled", False)
        upload = recording.get("upload")
        if isinstance(upload, dict) and "credentials" in upload:
            upload["credentials"] = SENSITIVE
    return out


def destinations(body: dict | None) -> dict:
    out = defaults.fill_destinations(body or {})
    for hls in (out.get("hlsDestinations") or {}).values():
        hls.pop("role", None)  # undocumented `__internal_recorder` (§9.17)
    for trans in (out.get("transcriptions") or {}).values():
        for key in _TRANSCRIPTION_SET_LISTS:
            if key in trans:
                trans[key] = _sorted_unique(trans[key])
    _drop_empty(out, "rtmpDestinations", "hlsDestinations", "transcriptions", "browserRecordings")
    return out


def plugins(body: dict | None) -> dict:
    out = plain(body) if body else {}
    for plugin in out.values():
        perms = plugin.get("permissions") if isinstance(plugin, dict) else None
        if isinstance(perms, dict):
            for key in list(perms):
                perms[key] = _sorted_unique(perms[key])
    return out


def recording(config: dict) -> dict:
    out = defaults.fill_recording(config)
    browser = (out.get("compositeRecording") or {}).get("browserComposite")
    if isinstance(browser, dict):
        browser.pop("enabled", None)  # appears only in a GET example (§3.8)
    thumbs = out.get("thumbnails")
    if isinstance(thumbs, dict) and not any(thumbs.values()):
        del out["thumbnails"]  # a GET returned {"width":0,"height":0} for "none" (§3.7)
    return out


def template(body: dict, recordings: list | None, parts: tuple[str, ...] = TEMPLATE_PARTS) -> dict:
    """The managed ``parts`` of a template in canonical form."""
    out: dict[str, Any] = {}
    if "roles" in parts:
        out["roles"] = {name: role(r, name) for name, r in (body.get("roles") or {}).items()}
    if "settings" in parts:
        out["settings"] = settings(body.get("settings"))
    if "destinations" in parts:
        out["destinations"] = destinations(body.get("destinations"))
    if "plugins" in parts:
        out["plugins"] = plugins(body.get("plugins"))
    if "recordings" in parts:
        out["recordings"] = [recording(r) for r in (recordings or []) if isinstance(r, dict)]
    return out


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


def room(body: dict, template_name: str | None, fields: tuple[str, ...]) -> dict:
    """The managed ``fields`` of a room; ``template`` compared by name, not id."""
    filled = defaults.fill_room(body)
    out: dict[str, Any] = {}
    for key in fields:
        if key == "template":
            out["template"] = template_name
        elif key in filled:
            out[key] = plain(filled[key])
    webhook = out.get("webhook")
    if isinstance(webhook, dict):
        headers = webhook.get("headers")
        # header values are secrets (§5): compare which headers are sent, not their values
        if isinstance(headers, dict):
            webhook["headers"] = {name: SENSITIVE for name in headers}
        elif headers is None:
            webhook.pop("headers", None)
    info = out.get("recording_info")
    if isinstance(info, dict):
        upload = info.get("upload_info")
        if isinstance(upload, dict) and "credentials" in upload:
            upload["credentials"] = SENSITIVE
    if "polls" in out:
        out["polls"] = _sorted_unique(out["polls"])
    return out


def managed_room_fields(desired: dict) -> tuple[str, ...]:
    """What a room document manages: the fields it declares, plus the ones the server defaults."""
    declared = [k for k in ROOM_COMPARED_WHEN_DECLARED if k in desired]
    for key in defaults.ROOM_DEFAULTS:
        if key not in declared:
            declared.append(key)
    if "template" in desired or "template_id" in desired:
        declared.append("template")
    return tuple(declared)


def managed_template_parts(desired: dict) -> tuple[str, ...]:
    return tuple(part for part in TEMPLATE_PARTS if part in desired)
