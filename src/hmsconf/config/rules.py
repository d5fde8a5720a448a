"""Every rule of the 100ms API, checked before the API sees a request.

Two layers. The typed model (``hmsconf.model``) says what a schema can say:
types, enums, ranges, required and unknown keys. The semantic rules below
say the rest (reference §4), one function per rule, each with a stable id.
A rule is registered once, ``NAME = rule(id, severity, summary, *kinds)``
(its line in docs/rules.md); ``@NAME.checks`` adds the function that finds
it, and ``NAME(message, path)`` makes its diagnostic, so the id is written
only in the registration. Both layers work on plain data and report paths,
never file positions, so the emulator runs exactly these checks on request
bodies.

Severity follows the API: what the docs say the server rejects is an error;
what it accepts but is almost surely a mistake is a warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from hmsconf.config.load_rules import LOAD_RULES
from hmsconf.diagnostics import (
    Diagnostic,
    Path,
    Severity,
    did_you_mean,
    dotted,
    error,
)
from hmsconf.model import KINDS, catalogue, facts
from hmsconf.model.compiled import compiled
from hmsconf.model.sensitive import url_parts

Check = Callable[[dict], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """One rule: the only place its id is written. Calling it makes one of its diagnostics."""

    id: str
    severity: Severity
    summary: str
    kinds: tuple[str, ...]
    # Checked by `validate`, never by the emulator: the API may well accept what it flags.
    file_only: bool = False

    def __call__(self, message: str, path: Path = (), api_message: str | None = None) -> Diagnostic:
        return Diagnostic(self.severity, self.id, message, tuple(path), api_message=api_message)

    def checks(self, check: Check) -> Check:
        """Decorator: ``check`` runs on every document of this rule's kinds (in the order checks are declared)."""
        for kind in self.kinds:
            _CHECKS[kind].append((check, self.file_only))
        return check


RULES: dict[str, Rule] = {}
_CHECKS: dict[str, list[tuple[Check, bool]]] = {kind: [] for kind in KINDS}


def rule(rule_id: str, severity: Severity, summary: str, *kinds: str, file_only: bool = False) -> Rule:
    """Register a rule (its line in docs/rules.md); ``@RULE.checks`` adds the function that finds it.

    Rules found by another rule's check or by the schema layer have no check of their own."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} is registered twice")
    found = RULES[rule_id] = Rule(rule_id, severity, summary, kinds, file_only)
    return found


# --- the schema layer's rules ---------------------------------------------------------

_EVERY_FILE = ("Template", "Room", "RolePreset", "hmsconf.yaml")

UNKNOWN_KEY = rule("UNKNOWN-KEY", Severity.ERROR, "a key the API does not know (with a did-you-mean suggestion)", *_EVERY_FILE)
SCHEMA_TYPE = rule("SCHEMA-TYPE", Severity.ERROR, "a value of the wrong type (YAML 1.2: `yes` is text, `\"5\"` is not a number)", *_EVERY_FILE)
SCHEMA_RANGE = rule("SCHEMA-RANGE", Severity.ERROR, "a number or list outside the documented range", *_EVERY_FILE)
SCHEMA_ENUM = rule("SCHEMA-ENUM", Severity.ERROR, "a value outside the documented choices", *_EVERY_FILE)
SCHEMA_REQUIRED = rule("SCHEMA-REQUIRED", Severity.ERROR, "a required field is missing", *_EVERY_FILE)
ROLE_PRIORITY = rule("ROLE-PRIORITY", Severity.ERROR, "role priority outside 1-5 (§9.9: v2 range)", *_EVERY_FILE)
ROLE_MAX_PEER_COUNT = rule("ROLE-MAX-PEER-COUNT", Severity.ERROR, "maxPeerCount below -1", *_EVERY_FILE)

# --- helpers ------------------------------------------------------------------------


def dig(node: Any, *keys: Any) -> Any:
    """The value at ``keys`` below ``node``, through mappings only; None where the path breaks.

    Rules read untyped YAML: any step may be missing or of the wrong type (the
    schema layer reports that), and a rule must then see "absent", never crash."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _map(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


_DESTINATION_LABEL = {
    "rtmpDestinations": "RTMP destination",
    "hlsDestinations": "HLS destination",
    "transcriptions": "transcription",
    "browserRecordings": "browser recording",
}


def subject(path: Path) -> tuple[str, Path]:
    """("role `guest`: ", rest of the path) — how users name the thing."""
    if len(path) >= 2 and path[0] == "roles":
        return f"role `{path[1]}`: ", path[2:]
    if len(path) >= 3 and path[0] == "destinations" and path[1] in _DESTINATION_LABEL:
        return f"{_DESTINATION_LABEL[path[1]]} `{path[2]}`: ", path[3:]
    if len(path) >= 2 and path[0] == "recordings" and isinstance(path[1], int):
        return f"recording config #{path[1] + 1}: ", path[2:]
    return "", path


def said(path: Path, text: str) -> str:
    prefix, rest = subject(path)
    where = dotted(rest)
    return f"{prefix}{where} {text}" if where else f"{prefix}{text}"


# --- schema layer ---------------------------------------------------------------------------

# The models run compiled (hmsconf.model.compiled): validate never imports pydantic.


def _model_path(loc: tuple) -> tuple:
    """Pydantic locations, minus the union/type tags it inserts."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part in ("str", "list[str]", "int", "function-after") or "[" in part and part.endswith("]")):
            continue
        out.append(part)
    return tuple(out)


def _range_text(err: Any) -> str:  # a pydantic ErrorDetails
    ctx = err.get("ctx") or {}
    kind = err["type"]
    value = err.get("input")
    if kind in ("less_than_equal", "less_than"):
        return f"{value!r} is above the maximum {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{value!r} is below the minimum {ctx.get('ge', ctx.get('gt'))}"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items or characters; the maximum is {ctx.get('max_length')}"
    if kind == "too_short":
        return f"has {ctx.get('actual_length')}; the minimum is {ctx.get('min_length')}"
    return err["msg"]


_TYPE_NAMES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ranges with a rule of their own, by field name
_RANGE_RULES = {"priority": ROLE_PRIORITY, "maxPeerCount": ROLE_MAX_PEER_COUNT}


def schema_diagnostics(kind: str, data: Any) -> list[Diagnostic]:
    model = compiled(kind)
    errors = model.errors(data)
    out = []
    for err in errors:
        path = _model_path(err["loc"])
        kind_ = err["type"]
        if kind_ == "extra_forbidden":
            key = path[-1] if path else ""
            hint = did_you_mean(str(key), model.allowed_keys(path[:-1]))
            prefix, rest = subject(path[:-1])
            where = f" in {dotted(rest)}" if rest else ""
            out.append(UNKNOWN_KEY(f"{prefix}unknown key `{key}`{where}{hint}", path))
        elif kind_ == "missing":
            out.append(SCHEMA_REQUIRED(said(path[:-1], f"needs `{path[-1]}`") if path else "missing", path))
        elif kind_ == "literal_error":
            expected = (err.get("ctx") or {}).get("expected", "")
            out.append(SCHEMA_ENUM(said(path, f"{_describe(err.get('input'))} is not one of {expected}"), path))
        elif kind_ in ("less_than_equal", "greater_than_equal", "less_than", "greater_than", "too_long", "too_short"):
            found_by = _RANGE_RULES.get(str(path[-1]) if path else "", SCHEMA_RANGE)
            out.append(found_by(said(path, _range_text(err)), path))
        else:
            wanted = _TYPE_NAMES.get(kind_, err["msg"])
            out.append(SCHEMA_TYPE(said(path, f"must be {wanted}, not {_describe(err.get('input'))}"), path))
    return out


# --- semantic rules: templates --------------------------------------------------------------

_TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9 ._:-]+$")
_ROOM_NAME = re.compile(r"^[A-Za-z0-9._:-]+$")


TEMPLATE_NAME_CHARSET = rule("TEMPLATE-NAME-CHARSET", Severity.ERROR, "template names use a-z A-Z 0-9 space - . _ : (§2.1)", "Template")


@TEMPLATE_NAME_CHARSET.checks
def template_name_charset(t: dict) -> Iterator[Diagnostic]:
    name = t.get("name")
    if isinstance(name, str) and not _TEMPLATE_NAME.match(name):
        yield TEMPLATE_NAME_CHARSET(f"template name `{name}` may only use letters, digits, space, `-`, `.`, `_` and `:`", ("name",))


def _roles(t: dict) -> dict:
    return _map(t.get("roles"))


ROLE_NAME_MISMATCH = rule("ROLE-NAME-MISMATCH", Severity.ERROR, "a role's `name` equals its map key", "Template")


@ROLE_NAME_MISMATCH.checks
def role_name_matches_key(t: dict) -> Iterator[Diagnostic]:
    for key, role in _roles(t).items():
        name = dig(role, "name")
        if isinstance(name, str) and name != key:
            yield ROLE_NAME_MISMATCH(f"role `{key}`: name `{name}` differs from its key `{key}`; make them equal", ("roles", key, "name"))


DEST_NAME_MISMATCH = rule("DEST-NAME-MISMATCH", Severity.ERROR, "a destination's `name` equals its map key (§3.7)", "Template")


@DEST_NAME_MISMATCH.checks
def destination_name_matches_key(t: dict) -> Iterator[Diagnostic]:
    for kind, label in _DESTINATION_LABEL.items():
        for key, dest in _map(dig(t, "destinations", kind)).items():
            name = dig(dest, "name")
            if isinstance(name, str) and name != key:
                yield DEST_NAME_MISMATCH(f"{label} `{key}`: name `{name}` differs from its key; make them equal",
                            ("destinations", kind, key, "name"))


_RID_ORDER = {"f": 0, "h": 1, "q": 2}


SIMULCAST_LAYERS = rule("SIMULCAST-LAYERS", Severity.ERROR, "simulcast layers: first f at scale 1.0, rids f>h>q without repeats, scales strictly rising (§4.1)", "Template", "RolePreset")


@SIMULCAST_LAYERS.checks
def simulcast_layers(t: dict) -> Iterator[Diagnostic]:
    for role_path, role in _role_items(t):
        for track in ("video", "screen"):
            layers = _list(dig(role, "publishParams", "simulcast", track, "layers"))
            base = (*role_path, "publishParams", "simulcast", track, "layers")
            previous_rid, previous_scale = -1, None
            for index, layer in enumerate(layers):
                layer = _map(layer)
                rid, scale = layer.get("rid"), _num(layer.get("scaleResolutionDownBy"))
                here = (*base, index)
                if index == 0 and (rid != "f" or (scale is not None and scale != 1.0)):
                    yield SIMULCAST_LAYERS(said(here, "must be the full layer: `rid: f` with `scaleResolutionDownBy: 1.0`"), here)
                order = _RID_ORDER.get(rid) if isinstance(rid, str) else None
                if order is not None and order <= previous_rid and index > 0:
                    yield SIMULCAST_LAYERS(said(here, f"rid `{rid}` must come after the previous layer's in the order f, h, q, without repeats"), (*here, "rid"))
                if scale is not None and previous_scale is not None and scale <= previous_scale:
                    yield SIMULCAST_LAYERS(said(here, f"scaleResolutionDownBy {scale} must be above the previous layer's {previous_scale}"), (*here, "scaleResolutionDownBy"))
                previous_rid = order if order is not None else previous_rid
                previous_scale = scale if scale is not None else previous_scale


def _role_items(t: dict) -> Iterator[tuple[Path, Any]]:
    if "roles" in t:
        for key, role in _roles(t).items():
            yield ("roles", key), role
    elif "publishParams" in t or "subscribeParams" in t:  # a RolePreset is one role
        yield (), t


def _hls_layer_problems(layers: list, base: Path) -> Iterator[Diagnostic]:
    previous = None
    for index, layer in enumerate(layers):
        layer = _map(layer)
        width, height = _int(layer.get("width")), _int(layer.get("height"))
        here = (*base, index)
        if width is None or height is None:
            continue
        small, large = min(width, height), max(width, height)
        if not 144 <= small <= 1080 or not 192 <= large <= 1920:
            yield HLS_LAYER_SIZE(said(here, f"{width}x{height}: the short side must be 144-1080 and the long side 192-1920"), here)
        if width % 2 or height % 2:
            yield HLS_LAYER_SIZE(said(here, f"{width}x{height}: both sides must be even"), here)
        # §4.2, §10.3.14: descending in resolution AND in video bitrate, each on its own
        # (not the pair compared as a tuple); equal neighbours are allowed.
        area, bitrate = width * height, _int(layer.get("videoBitrate"))
        if previous is not None:
            before_area, before_bitrate = previous
            if area > before_area:
                yield HLS_LAYER_ORDER(said(here, "layers go from the highest resolution down; move this layer up"), here)
            elif bitrate is not None and before_bitrate is not None and bitrate > before_bitrate:
                yield HLS_LAYER_ORDER(said(here, f"videoBitrate {bitrate} is above the previous layer's {before_bitrate}; "
                                                          "layers go from the highest video bitrate down"), (*here, "videoBitrate"))
        previous = (area, bitrate if bitrate is not None else (previous[1] if previous else None))


HLS_LAYER_SIZE = rule("HLS-LAYER-SIZE", Severity.ERROR, "HLS layer sides even, short 144-1080, long 192-1920 (§4.2)", "Template")


HLS_LAYER_ORDER = rule("HLS-LAYER-ORDER", Severity.ERROR, "HLS layers descend in resolution and, separately, in video bitrate (§4.2, §10.3.14)", "Template")


@HLS_LAYER_ORDER.checks
def hls_layers(t: dict) -> Iterator[Diagnostic]:
    for key, hls in _map(dig(t, "destinations", "hlsDestinations")).items():
        hls = _map(hls)
        base = ("destinations", "hlsDestinations", key)
        yield from _hls_layer_problems(_list(hls.get("layers")), (*base, "layers"))
        yield from _hls_layer_problems(_list(dig(hls, "recording", "layers")), (*base, "recording", "layers"))


HLS_RECORDING_LAYERS_SUBSET = rule("HLS-RECORDING-LAYERS-SUBSET", Severity.ERROR, "HLS recording layers are among the destination's layers (§4.3)", "Template")


@HLS_RECORDING_LAYERS_SUBSET.checks
def hls_recording_layers_subset(t: dict) -> Iterator[Diagnostic]:
    for key, hls in _map(dig(t, "destinations", "hlsDestinations")).items():
        hls = _map(hls)
        if "layers" not in hls:
            continue
        known = [_map(layer) for layer in _list(hls.get("layers"))]
        for index, layer in enumerate(_list(dig(hls, "recording", "layers"))):
            if _map(layer) not in known:
                here = ("destinations", "hlsDestinations", key, "recording", "layers", index)
                yield HLS_RECORDING_LAYERS_SUBSET(said(here, "is not one of the destination's layers; record only layers that are streamed"), here)


ZIP_UPLOAD_NEEDS_STORAGE = rule("ZIP-UPLOAD-NEEDS-STORAGE", Severity.ERROR, "enableZipUpload needs your own storage in settings.recording.upload (§4.4)", "Template")


@ZIP_UPLOAD_NEEDS_STORAGE.checks
def zip_upload_needs_storage(t: dict) -> Iterator[Diagnostic]:
    has_storage = bool(_map(dig(t, "settings", "recording", "upload")))
    for key, hls in _map(dig(t, "destinations", "hlsDestinations")).items():
        if dig(hls, "recording", "enableZipUpload") is True and not has_storage:
            here = ("destinations", "hlsDestinations", key, "recording", "enableZipUpload")
            yield ZIP_UPLOAD_NEEDS_STORAGE(said(here, "needs your own bucket: declare settings.recording.upload, or set it to false"), here)


ROOMSTATE_INTERVAL = rule("ROOMSTATE-INTERVAL", Severity.ERROR, "roomState.messageInterval is a multiple of 5 (§4.6)", "Template")


@ROOMSTATE_INTERVAL.checks
def room_state_interval(t: dict) -> Iterator[Diagnostic]:
    value = _int(dig(t, "settings", "roomState", "messageInterval"))
    if value is not None and 5 <= value <= 3600 and value % 5:
        yield ROOMSTATE_INTERVAL(f"settings.roomState.messageInterval {value} must be a multiple of 5", ("settings", "roomState", "messageInterval"))


RTMP_URLS = rule("RTMP-URLS", Severity.ERROR, "at most 3 rtmpUrls, each rtmp:// or rtmps:// (§4.7)", "Template")


@RTMP_URLS.checks
def rtmp_urls(t: dict) -> Iterator[Diagnostic]:
    for key, dest in _map(dig(t, "destinations", "rtmpDestinations")).items():
        urls = _list(dig(dest, "rtmpUrls"))
        base = ("destinations", "rtmpDestinations", key, "rtmpUrls")
        if len(urls) > 3:
            yield RTMP_URLS(said(base, f"has {len(urls)} URLs; the API takes at most 3"), base)
        for index, url in enumerate(urls):
            if isinstance(url, str) and not url.startswith(("rtmp://", "rtmps://")):
                yield RTMP_URLS(said((*base, index), "must start with rtmp:// or rtmps://"), (*base, index))


RECORDINGS_ONE_CONFIG = rule("RECORDINGS-ONE-CONFIG", Severity.ERROR, "the recordings list holds at most one config today (§4.8)", "Template")


@RECORDINGS_ONE_CONFIG.checks
def recordings_one_config(t: dict) -> Iterator[Diagnostic]:
    recordings = _list(t.get("recordings"))
    if len(recordings) > 1:
        yield RECORDINGS_ONE_CONFIG(f"recordings has {len(recordings)} configs; the API accepts one", ("recordings", 1))


RECORDINGS_ROLE_EXISTS = rule("RECORDINGS-ROLE-EXISTS", Severity.ERROR, "a recording config's role is a role of the template (§3.8)", "Template")


@RECORDINGS_ROLE_EXISTS.checks
def recordings_role_exists(t: dict) -> Iterator[Diagnostic]:
    if "roles" not in t:
        return  # roles are not managed by this file: the live template decides
    roles = _roles(t)
    for index, config in enumerate(_list(t.get("recordings"))):
        role = dig(config, "role")
        if isinstance(role, str) and role not in roles and role != INTERNAL_RECORDER:
            here = ("recordings", index, "role")
            yield RECORDINGS_ROLE_EXISTS(f"recording config #{index + 1}: role `{role}` is not a role of this template{did_you_mean(role, list(roles))}", here)


ROLE_REF_SUBSCRIBE = rule("ROLE-REF-SUBSCRIBE", Severity.WARNING, "subscribeToRoles names a role of the template (the API does not check, §4.10)", "Template")
ROLE_REF_TRANSCRIPTION = rule("ROLE-REF-TRANSCRIPTION", Severity.WARNING, "transcription, translation and browser-recording roles name roles of the template (§4.10)", "Template")


def _role_refs(t: dict) -> Iterator[tuple[Rule, Path, Any, str]]:
    """(rule, path, role named, what names it) for every role reference."""
    for key, role in _roles(t).items():
        for index, name in enumerate(_list(dig(role, "subscribeParams", "subscribeToRoles"))):
            yield ROLE_REF_SUBSCRIBE, ("roles", key, "subscribeParams", "subscribeToRoles", index), name, f"role `{key}` subscribes to"
    destinations = _map(t.get("destinations"))
    for key, trans in _map(destinations.get("transcriptions")).items():
        name = dig(trans, "role")
        yield ROLE_REF_TRANSCRIPTION, ("destinations", "transcriptions", key, "role"), name, f"transcription `{key}` transcribes"
        for lang_role in _map(dig(trans, "translation", "roleLanguages")):
            yield ROLE_REF_TRANSCRIPTION, ("destinations", "transcriptions", key, "translation", "roleLanguages", lang_role), lang_role, f"transcription `{key}` translates for"
    for key, rec in _map(destinations.get("browserRecordings")).items():
        yield ROLE_REF_TRANSCRIPTION, ("destinations", "browserRecordings", key, "role"), dig(rec, "role"), f"browser recording `{key}` joins as"
    plugins = _map(t.get("plugins"))
    for plugin, lists in (("whiteboard", ("admin", "writer", "reader")), ("transcriptions", ("admin",))):
        # §10.2.7: the transcriptions plugin comes as an object or as the array clients receive
        value = plugins.get(plugin)
        items = [((), value)] if not isinstance(value, list) else [((i,), v) for i, v in enumerate(value)]
        for at, item in items:
            perms = _map(dig(item, "permissions"))
            for list_name in lists:
                for index, name in enumerate(_list(perms.get(list_name))):
                    yield ROLE_REF_PLUGIN, ("plugins", plugin, *at, "permissions", list_name, index), name, f"plugin {plugin} ({list_name}) names"


ROLE_REF_PLUGIN = rule("ROLE-REF-PLUGIN", Severity.WARNING, "plugin permission lists name roles of the template (§4.10)", "Template")


@ROLE_REF_PLUGIN.checks
def role_references(t: dict) -> Iterator[Diagnostic]:
    if "roles" not in t:
        return
    roles = list(_roles(t))
    known = set(roles)
    for found_by, path, name, who in _role_refs(t):
        if isinstance(name, str) and name not in known and not _recorder_slot(path, name):
            yield found_by(f"{who} `{name}`, which is not a role of this template{did_you_mean(name, roles)}", path)


# §10.3.17: the API accepts translation with other modes and it has no effect: a warning, not a 400.
TRANSCRIPTION_TRANSLATION_MODE = rule("TRANSCRIPTION-TRANSLATION-MODE", Severity.WARNING, "translation has no effect without the `caption` mode (§4.9, §10.3.17)", "Template")


@TRANSCRIPTION_TRANSLATION_MODE.checks
def translation_needs_caption(t: dict) -> Iterator[Diagnostic]:
    for key, trans in _map(dig(t, "destinations", "transcriptions")).items():
        trans = _map(trans)
        if dig(trans, "translation", "enabled") is True and "caption" not in _list(trans.get("modes")):
            here = ("destinations", "transcriptions", key, "translation", "enabled")
            yield TRANSCRIPTION_TRANSLATION_MODE(said(here, "has no effect: translation works only with `caption` in modes"), here)


TRANSCRIPTION_RECORDED_ONLY = rule("TRANSCRIPTION-RECORDED-ONLY", Severity.WARNING, "outputModes and summary only apply to the `recorded` mode (§4.9)", "Template")


@TRANSCRIPTION_RECORDED_ONLY.checks
def recorded_only_fields(t: dict) -> Iterator[Diagnostic]:
    for key, trans in _map(dig(t, "destinations", "transcriptions")).items():
        trans = _map(trans)
        if "recorded" in _list(trans.get("modes")):
            continue
        for field in ("outputModes", "summary"):
            if field in trans:
                here = ("destinations", "transcriptions", key, field)
                yield TRANSCRIPTION_RECORDED_ONLY(said(here, "has no effect without `recorded` in modes"), here)


DEPRECATED_BROWSER_RECORDINGS = rule("DEPRECATED-BROWSER-RECORDINGS", Severity.WARNING, "destinations.browserRecordings is deprecated; use `recordings`", "Template")


@DEPRECATED_BROWSER_RECORDINGS.checks
def deprecated_browser_recordings(t: dict) -> Iterator[Diagnostic]:
    if dig(t, "destinations", "browserRecordings"):
        yield DEPRECATED_BROWSER_RECORDINGS("destinations.browserRecordings is deprecated; use `recordings` (the recordings endpoint)", ("destinations", "browserRecordings"))


DEPRECATED_RECORDING_ENABLED = rule("DEPRECATED-RECORDING-ENABLED", Severity.WARNING, "settings.recording.enabled is deprecated (§9.25); use `recordings`", "Template")


@DEPRECATED_RECORDING_ENABLED.checks
def deprecated_recording_enabled(t: dict) -> Iterator[Diagnostic]:
    if "enabled" in _map(dig(t, "settings", "recording")):
        yield DEPRECATED_RECORDING_ENABLED("settings.recording.enabled is deprecated; configure `recordings` (customComposite) instead", ("settings", "recording", "enabled"))


DEPRECATED_SUMMARY_ENABLE = rule("DEPRECATED-SUMMARY-ENABLE", Severity.WARNING, "summary.enable is the docs' misprint of `enabled` (§9.1)", "Template")


@DEPRECATED_SUMMARY_ENABLE.checks
def summary_enable_alias(t: dict) -> Iterator[Diagnostic]:
    for key, trans in _map(dig(t, "destinations", "transcriptions")).items():
        if "enable" in _map(dig(trans, "summary")):
            here = ("destinations", "transcriptions", key, "summary", "enable")
            yield DEPRECATED_SUMMARY_ENABLE(said(here, "is read as `enabled`; write `enabled`"), here)


NO_EFFECT_PLAYLIST_SEGMENTS = rule("NO-EFFECT-PLAYLIST-SEGMENTS", Severity.WARNING, "numPlaylistSegments only applies to `playlistType: live` (§4.5)", "Template")


@NO_EFFECT_PLAYLIST_SEGMENTS.checks
def playlist_segments_need_live(t: dict) -> Iterator[Diagnostic]:
    for key, hls in _map(dig(t, "destinations", "hlsDestinations")).items():
        hls = _map(hls)
        if "numPlaylistSegments" in hls and hls.get("playlistType") != "live":
            here = ("destinations", "hlsDestinations", key, "numPlaylistSegments")
            yield NO_EFFECT_PLAYLIST_SEGMENTS(said(here, "has no effect unless playlistType is `live`"), here)


# §10.2.13: `pollRead: true` beside `pollWrite: true` is what the dashboard and every docs
# example send; only `pollRead: false` there misleads (the role can read anyway).
NO_EFFECT_POLL_READ = rule("NO-EFFECT-POLL-READ", Severity.WARNING, "pollRead: false has no effect beside pollWrite: true (§4.12, §10.2.13)", "Template", "RolePreset")


@NO_EFFECT_POLL_READ.checks
def poll_read_beside_write(t: dict) -> Iterator[Diagnostic]:
    for role_path, role in _role_items(t):
        perms = _map(dig(role, "permissions"))
        if perms.get("pollWrite") is True and perms.get("pollRead") is False:
            here = (*role_path, "permissions", "pollRead")
            yield NO_EFFECT_POLL_READ(said(here, "false has no effect: pollWrite already includes pollRead, so the role can read polls"), here)


# --- semantic rules: rooms -------------------------------------------------------------------


ROOM_NAME_CHARSET = rule("ROOM-NAME-CHARSET", Severity.ERROR, "room names use a-z A-Z 0-9 . - : _ and no space (§6.1)", "Room")


@ROOM_NAME_CHARSET.checks
def room_name_charset(r: dict) -> Iterator[Diagnostic]:
    name = r.get("name")
    if isinstance(name, str) and not _ROOM_NAME.match(name):
        yield ROOM_NAME_CHARSET(f"room name `{name}` may only use letters, digits, `.`, `-`, `:` and `_` (no spaces)", ("name",))


ROOM_SIZE = rule("ROOM-SIZE", Severity.ERROR, "size 0-2500, or up to 20000 with large_room: true (§4.14)", "Room")


@ROOM_SIZE.checks
def room_size(r: dict) -> Iterator[Diagnostic]:
    size = _int(r.get("size"))
    if size is None:
        return
    if size < 0:
        yield ROOM_SIZE(f"size {size} is below the minimum 0", ("size",), api_message="Invalid body param: room size less than 0")
    elif size > 20000:
        yield ROOM_SIZE(f"size {size} is above the maximum 20000", ("size",), api_message="Invalid body param: room size greater than 20000")
    elif size > 2500 and r.get("large_room") is not True:
        yield ROOM_SIZE(f"size {size} is above 2500: set `large_room: true`", ("size",),
                    api_message="Invalid body param: room size greater than 2500, set large_room flag as true")


ROOM_DURATION = rule("ROOM-DURATION", Severity.ERROR, "max_duration_seconds 120-43200 (§4.14)", "Room")


@ROOM_DURATION.checks
def room_duration(r: dict) -> Iterator[Diagnostic]:
    value = _int(r.get("max_duration_seconds"))
    if value is not None and value < 120:
        yield ROOM_DURATION(f"max_duration_seconds {value} is below the minimum 120", ("max_duration_seconds",),
                    api_message="Invalid body param: max_duration_seconds less than 120 seconds")
    elif value is not None and value > 43200:
        yield ROOM_DURATION(f"max_duration_seconds {value} is above the maximum 43200 (12 h)", ("max_duration_seconds",),
                    api_message="Invalid body param: max_duration_seconds greater than 43200 seconds")


ROOM_REGION = rule("ROOM-REGION", Severity.ERROR, "region is in, us, eu or auto (§6.1)", "Room")


@ROOM_REGION.checks
def room_region(r: dict) -> Iterator[Diagnostic]:
    region = r.get("region")
    if isinstance(region, str) and region not in ("in", "us", "eu", "auto"):
        yield ROOM_REGION(f"region `{region}` is not one of in, us, eu, auto", ("region",), api_message="Error: region not supported")


# §10.2.12: room responses carry `template` (the name) and `template_id` together, so a room
# pasted from a response holds both; the name wins and the id (workspace-specific) is ignored.
ROOM_TEMPLATE_REF = rule("ROOM-TEMPLATE-REF", Severity.WARNING, "`template_id` beside `template` is ignored: ids differ per workspace (§10.2.12)", "Room")


@ROOM_TEMPLATE_REF.checks
def room_template_reference(r: dict) -> Iterator[Diagnostic]:
    if "template" in r and "template_id" in r:
        yield ROOM_TEMPLATE_REF("template_id is workspace-specific and ignored: the room uses template "
                      f"`{r.get('template')}` by name; remove template_id", ("template_id",))


ROOM_UPLOAD = rule("ROOM-UPLOAD", Severity.ERROR, "recording_info.upload_info needs a type and a location (§6.3)", "Room")


@ROOM_UPLOAD.checks
def room_upload(r: dict) -> Iterator[Diagnostic]:
    info = _map(r.get("recording_info"))
    if "upload_info" not in info:
        return
    upload = _map(info.get("upload_info"))
    base = ("recording_info", "upload_info")
    if not upload.get("location"):
        yield ROOM_UPLOAD("recording_info.upload_info needs `location` (the bucket)", base, api_message="Bucket location is missing")
    kind = upload.get("type")
    if kind not in ("s3", "gs", "oss", "azure"):
        yield ROOM_UPLOAD(f"recording_info.upload_info.type {_describe(kind)} is not one of s3, gs, oss, azure",
                    (*base, "type"), api_message="Invalid upload configuration")


ROOM_TEMPLATE_KEY = rule("ROOM-TEMPLATE-KEY", Severity.ERROR, "the API takes `template_id`; `template` is hmsconf's name reference", "Room")


# --- issue 14: fidelity rules (what the docs state that the first build missed) ----------------
# Kept together so the parallel rule additions elsewhere in this file stay easy to merge.

# §10.2.11: the dashboard's hidden recorder role; the docs' GET example shows it on an HLS
# destination and public scripts name it as the browserRecordings/transcriptions role.
INTERNAL_RECORDER = "__internal_recorder"
_RECORDER_SLOTS = (("destinations", "transcriptions"), ("destinations", "browserRecordings"), ("destinations", "hlsDestinations"), ("recordings",))


def _recorder_slot(path: Path, name: str) -> bool:
    """True where ``name`` is the internal recorder named in a recorder-role place."""
    return name == INTERNAL_RECORDER and path[-1:] == ("role",) and any(path[: len(s)] == s for s in _RECORDER_SLOTS)


DEST_NAME_REQUIRED = rule("DEST-NAME-REQUIRED", Severity.ERROR, "RTMP, HLS, transcription and browser-recording destinations carry `name` (§3.7, §10.3.15)", "Template")


@DEST_NAME_REQUIRED.checks
def destination_name_required(t: dict) -> Iterator[Diagnostic]:
    # §10.3.15: `name` is required and the server does not fill it from the map key.
    for kind, label in _DESTINATION_LABEL.items():
        for key, dest in _map(dig(t, "destinations", kind)).items():
            if isinstance(dest, dict) and dest.get("name") is None:
                yield DEST_NAME_REQUIRED(f"{label} `{key}`: needs `name: {key}` (the API requires it and does not take it from the key)",
                            ("destinations", kind, key))


UPLOAD_REQUIRED = rule("UPLOAD-REQUIRED", Severity.ERROR, "template storage: upload.prefix and credentials (key, secretKey) are required; room storage credentials need `secret` (§3.6, §6.3, §10.3.15)", "Template", "Room")


@UPLOAD_REQUIRED.checks
def upload_required(doc: dict) -> Iterator[Diagnostic]:
    recording = _map(dig(doc, "settings", "recording"))
    if isinstance(recording.get("upload"), dict):  # a template's own bucket
        upload, base = recording["upload"], ("settings", "recording", "upload")
        # §3.6 marks prefix Y in the template table (§9.12: optional for rooms and in the storage
        # guide); §10.3.15 decides it: required for templates, and the server does not fill it.
        if upload.get("prefix") is None:
            yield UPLOAD_REQUIRED("settings.recording.upload needs `prefix` (a path in the bucket; the template API requires it)", base)
        creds = upload.get("credentials")
        if creds is None:  # §3.6: credentials.key and credentials.secretKey are both Y
            yield UPLOAD_REQUIRED("settings.recording.upload needs `credentials` with `key` and `secretKey`", base)
        elif isinstance(creds, dict) and creds.get("secretKey") is None and "secret" not in creds:
            yield UPLOAD_REQUIRED("settings.recording.upload.credentials needs `secretKey`", (*base, "credentials"))
    upload_info = _map(dig(doc, "recording_info", "upload_info"))
    creds = upload_info.get("credentials")
    if isinstance(creds, dict) and creds.get("secret") is None and "secretKey" not in creds:
        # §6.3: credentials.key and credentials.secret are both required when credentials is present.
        yield UPLOAD_REQUIRED("recording_info.upload_info.credentials needs `secret`", ("recording_info", "upload_info", "credentials"))


CREDENTIALS_KEY_NAME = rule("CREDENTIALS-KEY-NAME", Severity.ERROR, "templates send credentials.secretKey, rooms credentials.secret (§5, §9.2)", "Template", "Room")


@CREDENTIALS_KEY_NAME.checks
def credentials_key_name(doc: dict) -> Iterator[Diagnostic]:
    # §9.2/§5: the request tables and examples send `secretKey` for templates and `secret` for
    # rooms; only responses mix them. A file is a request body, so the other name is an error
    # (the server may drop a key its request table does not list, leaving the bucket without a
    # secret) rather than an alias. Reading a response still accepts both (normalisation).
    template_creds = _map(dig(doc, "settings", "recording", "upload", "credentials"))
    if "secret" in template_creds:
        here: Path = ("settings", "recording", "upload", "credentials", "secret")
        yield CREDENTIALS_KEY_NAME("settings.recording.upload.credentials: templates take `secretKey`, not `secret` (the rooms' name); rename it", here)
    room_creds = _map(dig(doc, "recording_info", "upload_info", "credentials"))
    if "secretKey" in room_creds:
        here = ("recording_info", "upload_info", "credentials", "secretKey")
        yield CREDENTIALS_KEY_NAME("recording_info.upload_info.credentials: rooms take `secret`, not `secretKey` (the templates' name); rename it", here)


def _recording_roles(t: dict) -> set[str]:
    """Roles a recording joins with: recording configs, browser recordings, HLS recorders."""
    roles = {dig(c, "role") for c in _list(t.get("recordings"))}
    destinations = _map(t.get("destinations"))
    roles |= {dig(b, "role") for b in _map(destinations.get("browserRecordings")).values()}
    roles |= {dig(h, "role") or INTERNAL_RECORDER for h in _map(destinations.get("hlsDestinations")).values() if dig(h, "recording")}
    return {r for r in roles if isinstance(r, str)}


TRANSCRIPTION_NO_RECORDING = rule("TRANSCRIPTION-NO-RECORDING", Severity.WARNING, "a `recorded` transcription has a recording with its role behind it (§3.7, §4.9)", "Template")


@TRANSCRIPTION_NO_RECORDING.checks
def transcription_needs_recording(t: dict) -> Iterator[Diagnostic]:
    # §4.9 (enable-transcription-and-summary.mdx): post-call transcription transcribes a
    # recording, and its `role` should match the role of that recording. Only `recorded` needs
    # one (`live`/`caption` transcribe the session). Guess: when the file does not manage
    # `recordings` and declares no browser or HLS recording, the live template decides: no warning.
    transcriptions = _map(dig(t, "destinations", "transcriptions"))
    if not transcriptions:
        return
    recorders = _recording_roles(t)
    if "recordings" not in t and not recorders:
        return
    for key, trans in transcriptions.items():
        trans = _map(trans)
        role = trans.get("role")
        if "recorded" not in _list(trans.get("modes")) or not isinstance(role, str) or role in recorders:
            continue
        here = ("destinations", "transcriptions", key, "role")
        if recorders:
            text = f"role `{role}` records nothing: post-call transcription transcribes a recording made with the same role ({', '.join(sorted(recorders))})"
        else:
            text = f"no recording is configured: post-call (`recorded`) transcription transcribes a recording; add a recording config with role `{role}`"
        yield TRANSCRIPTION_NO_RECORDING(said(here, text), here)


PLUGINS_IN_DESTINATIONS = rule("PLUGINS-IN-DESTINATIONS", Severity.WARNING, "`plugins` belongs at the template's top level, not inside destinations (§9.16, §10.2.8); `fmt` moves it", "Template")


@PLUGINS_IN_DESTINATIONS.checks
def plugins_in_destinations(t: dict) -> Iterator[Diagnostic]:
    # §10.2.8: the docs' create response nests plugins in destinations; it is read from either
    # place, and `hmsconf fmt` moves it up.
    if "plugins" in _map(t.get("destinations")):
        yield PLUGINS_IN_DESTINATIONS("destinations.plugins belongs at the top level of the template (as `plugins:`); `hmsconf fmt` moves it",
                      ("destinations", "plugins"))


# §10.2.9: keys of templates made before Feb 2023, and what replaced them. Deprecated: a
# warning, never sent, never compared (the model accepts them; see model/template.py).
DEPRECATED_KEYS: dict[tuple[str, ...], str] = {
    ("publishParams", "videoSimulcastLayers"): "publishParams.simulcast.video",
    ("publishParams", "screenSimulcastLayers"): "publishParams.simulcast.screen",
    ("settings", "videoSimulcastLayers"): "each role's publishParams.simulcast.video",
    ("settings", "screenSimulcastLayers"): "each role's publishParams.simulcast.screen",
    ("settings", "subscribeDegradation"): "each role's subscribeParams.subscribeDegradation",
}


DEPRECATED_SIMULCAST_LAYERS = rule("DEPRECATED-SIMULCAST-LAYERS", Severity.WARNING, "videoSimulcastLayers/screenSimulcastLayers (publishParams or settings) are replaced by publishParams.simulcast; never sent (§10.2.9)", "Template", "RolePreset")


@DEPRECATED_SIMULCAST_LAYERS.checks
def deprecated_simulcast_layers(t: dict) -> Iterator[Diagnostic]:
    yield from _deprecated(t, DEPRECATED_SIMULCAST_LAYERS, ("videoSimulcastLayers", "screenSimulcastLayers"))


DEPRECATED_SETTINGS_DEGRADATION = rule("DEPRECATED-SETTINGS-DEGRADATION", Severity.WARNING, "settings.subscribeDegradation is replaced by each role's subscribeParams.subscribeDegradation; never sent (§10.2.9)", "Template")


@DEPRECATED_SETTINGS_DEGRADATION.checks
def deprecated_settings_degradation(t: dict) -> Iterator[Diagnostic]:
    yield from _deprecated(t, DEPRECATED_SETTINGS_DEGRADATION, ("subscribeDegradation",))


def _deprecated(t: dict, found_by: Rule, keys: tuple[str, ...]) -> Iterator[Diagnostic]:
    places: list[tuple[Path, dict, str]] = [(("settings",), _map(t.get("settings")), "settings")]
    places += [((*role_path, "publishParams"), _map(dig(role, "publishParams")), "publishParams") for role_path, role in _role_items(t)]
    for base, node, section in places:
        for key in keys:
            replacement = DEPRECATED_KEYS.get((section, key))
            if replacement and key in node:
                here = (*base, key)
                yield found_by(said(here, f"is deprecated (templates before 2023) and is never sent: use {replacement}"), here)


ROOM_PASTED_RECORDING_INFO = rule("ROOM-PASTED-RECORDING-INFO", Severity.WARNING, "recording_info {enabled: false} beside recording_source_template: true is a response's echo; sending it pins the room (§6.3, §10.1.4)", "Room")


@ROOM_PASTED_RECORDING_INFO.checks
def room_pasted_recording_info(r: dict) -> Iterator[Diagnostic]:
    # §10.1.4: every room that follows its template's recording settings answers
    # `recording_info: {enabled: false}` with `recording_source_template: true`; §6.3: a room that
    # is sent recording_info stops following the template. A file pasted from a response would pin it.
    info = r.get("recording_info")
    if r.get("recording_source_template") is True and info == {"enabled": False}:
        yield ROOM_PASTED_RECORDING_INFO("recording_info {enabled: false} is what the API answers for a room that follows its "
                      "template's recording settings; sending it pins the room to its own (§6.3): remove recording_info", ("recording_info",))


ROOM_CODES = rule("ROOM-CODES", Severity.ERROR, "room_codes is true, false or {disabled: [role, ...]} (hmsconf; §7)", "Room")


@ROOM_CODES.checks
def room_codes_shape(r: dict) -> Iterator[Diagnostic]:
    value = r.get("room_codes")
    if "room_codes" not in r or isinstance(value, bool):
        return
    text = "room_codes must be true (a code per role), false (no codes) or {disabled: [role, ...]}"
    if not isinstance(value, dict):
        yield ROOM_CODES(f"{text}, not {_describe(value)}", ("room_codes",))
        return
    for key in value:
        if key != "disabled":
            yield ROOM_CODES(f"unknown key `{key}` in room_codes; {text}", ("room_codes", key))
    disabled = value.get("disabled")
    if "disabled" in value and not (isinstance(disabled, list) and all(isinstance(v, str) for v in disabled)):
        yield ROOM_CODES("room_codes.disabled must be a list of role names", ("room_codes", "disabled"))


def api_only_room_keys(data: dict) -> list[Diagnostic]:
    """hmsconf's own Room keys that must never reach the API (the emulator rejects them)."""
    return [UNKNOWN_KEY(f"unknown key `{key}`", (key,)) for key in ("room_codes",) if key in data]


# --- end of issue 14 block ------------------------------------------------------------------------


# --- mistakes caught where they are cheap (issue 15) ---------------------------------------
# Rules of the files that the API may well accept: checked by `validate`, never
# by the emulator (which answers as the API does), hence `file_only=True`.

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


RESERVED_NAME = rule("RESERVED-NAME", Severity.ERROR, "`hmsconf-calibration` is the template and room `hmsconf calibrate` writes: "
      "files never declare it, so plan and apply never touch it", "Template", "Room", file_only=True)


@RESERVED_NAME.checks
def reserved_name(doc: dict) -> Iterator[Diagnostic]:
    from hmsconf.model.calibration import CALIBRATION_NAME

    name = doc.get("name")
    if isinstance(name, str) and name.lower() == CALIBRATION_NAME:
        yield RESERVED_NAME(f"`{CALIBRATION_NAME}` is reserved for `hmsconf calibrate` (its probe of the "
                    "workspace's server defaults); choose another name", ("name",))


WEBHOOK_URL = rule("WEBHOOK-URL", Severity.ERROR, "a room webhook URL is https:// with a host (http:// only to localhost): "
      "100ms sends the custom headers with every event (§6.5)", "Room", file_only=True)


@WEBHOOK_URL.checks
def webhook_url(r: dict) -> Iterator[Diagnostic]:
    from urllib.parse import urlsplit

    url = dig(r, "webhook", "url")
    if not isinstance(url, str) or "${" in url:
        return
    here = ("webhook", "url")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("http", "https") or not host:
        yield WEBHOOK_URL("webhook.url is not a URL 100ms can deliver to; write https://host/path", here)
    elif parts.scheme == "http" and host not in _LOCAL_HOSTS:
        yield WEBHOOK_URL(f"webhook.url is plain http to `{host}`: events and their secret headers would travel "
                    "in clear; use https:// (http:// is accepted only for localhost)", here)


RTMP_URL_FORMAT = rule("RTMP-URL-FORMAT", Severity.ERROR, "an rtmpUrls entry is rtmp(s)://host/app/stream-key (§3.7: the server URL plus the stream key)", "Template", file_only=True)


@RTMP_URL_FORMAT.checks
def rtmp_url_format(t: dict) -> Iterator[Diagnostic]:
    from urllib.parse import urlsplit

    for key, dest in _map(dig(t, "destinations", "rtmpDestinations")).items():
        for index, url in enumerate(_list(dig(dest, "rtmpUrls"))):
            if not isinstance(url, str) or not url.startswith(("rtmp://", "rtmps://")) or "${" in url:
                continue  # RTMP-URLS says what is wrong with the scheme
            here = ("destinations", "rtmpDestinations", key, "rtmpUrls", index)
            try:
                parts = urlsplit(url)
                host = parts.hostname or ""
                port_ok = parts.port is None or 0 < parts.port < 65536
            except ValueError:
                parts, host, port_ok = None, "", False
            if parts is None or not host or not port_ok or " " in url:
                yield RTMP_URL_FORMAT(said(here, "is not a valid RTMP URL (rtmp://host[:port]/app/stream-key)"), here)
            elif not parts.path.strip("/"):
                yield RTMP_URL_FORMAT(said(here, "has no application and stream key after the host "
                            "(rtmp://host/app/stream-key)"), here)


# The reference documents no range for maxDuration, only its default (4 h, the
# webhook docs) and that sessions end after 12 h (§6.1: 43200 s): a stream
# limit beyond that can never be reached.
SESSION_LIMIT_SECONDS = 43200


RTMP_MAX_DURATION = rule("RTMP-MAX-DURATION", Severity.ERROR, "an RTMP destination's maxDuration is at most 43200 s: sessions end at 12 h (§3.7, §6.1)", "Template", file_only=True)


@RTMP_MAX_DURATION.checks
def rtmp_max_duration(t: dict) -> Iterator[Diagnostic]:
    for key, dest in _map(dig(t, "destinations", "rtmpDestinations")).items():
        value = _int(dig(dest, "maxDuration"))
        if value is not None and value > SESSION_LIMIT_SECONDS:
            here = ("destinations", "rtmpDestinations", key, "maxDuration")
            yield RTMP_MAX_DURATION(said(here, f"{value} s is beyond 12 h ({SESSION_LIMIT_SECONDS} s), where every "
                        "session ends; the default is 4 h (14400)"), here)


ROLE_LIST_DUPLICATE = rule("ROLE-LIST-DUPLICATE", Severity.WARNING, "no name twice in subscribeToRoles or allowed (they are sets)", "Template", "RolePreset")


@ROLE_LIST_DUPLICATE.checks
def role_list_duplicates(t: dict) -> Iterator[Diagnostic]:
    for role_path, role in _role_items(t):
        role = _map(role)
        for base in ((*role_path, "subscribeParams", "subscribeToRoles"), (*role_path, "publishParams", "allowed")):
            seen: set = set()
            for index, value in enumerate(_list(dig(role, base[-2], base[-1]))):
                if isinstance(value, str) and value in seen:
                    yield ROLE_LIST_DUPLICATE(said((*base, index), f"names `{value}` twice; remove this one"), (*base, index))
                seen.add(value if isinstance(value, str) else None)


UPLOAD_LOCATION_EMPTY = rule("UPLOAD-LOCATION-EMPTY", Severity.ERROR, "a storage location (bucket) is not empty (§3.6, §6.3: required)", "Template", "Room")


@UPLOAD_LOCATION_EMPTY.checks
def upload_location_empty(d: dict) -> Iterator[Diagnostic]:
    for path in (("settings", "recording", "upload", "location"), ("recording_info", "upload_info", "location")):
        node = dig(d, *path[:-1])
        if isinstance(node, dict) and isinstance(node.get("location"), str) and not node["location"].strip() \
                and (path[0] == "settings" or node["location"] != ""):  # a room's "" is ROOM-UPLOAD's
            yield UPLOAD_LOCATION_EMPTY(f"{dotted(path)} is empty; name the bucket (the container for Azure)", path)


# --- entry points ---------------------------------------------------------------------------


# An AWS access key id: a literal one in a file is almost always a leak.
_AWS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")


# Checked across the documents of a workspace (hmsconf.config.check), so no check of their own here.
TEMPLATE_DEFAULT_TWICE = rule("TEMPLATE-DEFAULT-TWICE", Severity.ERROR, "one template per workspace says `default: true` (§10.2.10)",
                              "Template", file_only=True)
ROOM_TEMPLATE_UNDECLARED = rule("ROOM-TEMPLATE-UNDECLARED", Severity.ERROR,
                                "a room's template is declared in the project, or listed under `live_templates:` in hmsconf.yaml",
                                "Room", file_only=True)

SECRET_LITERAL = rule("SECRET-LITERAL", Severity.WARNING, "secrets come from `${env:...}`, not from the file",
                      *_EVERY_FILE, file_only=True)


def literal_secrets(kind: str, body: Any, from_env: set[Path] | None = None) -> list[Diagnostic]:
    """SECRET-LITERAL: a secret written into a file instead of read from the environment.

    The secret places are the catalogue's (``kind`` is a document kind or
    ``hmsconf.yaml``); a URL counts when it holds secret pieces (a stream key,
    credentials). A value holding any ``${env:...}`` came from the environment.
    """
    from_env = from_env or set()
    flagged: dict[Path, str] = {}
    for path, value in catalogue.secret_values(kind, body):
        if not isinstance(value, str) or not value or path in from_env or "${env:" in value:
            continue
        url = catalogue.known_node(kind, path).mark(facts.SecretInUrl)
        if url is None:
            flagged[path] = "holds a secret"
        elif url_parts(value, url.stream_key)[1]:
            flagged[path] = "holds a stream key" if url.stream_key else "holds credentials in its URL"
    text = json.dumps(body, default=str)
    if ("AKIA" in text or "ASIA" in text) and _AWS_KEY.search(text):  # substring test first: 30x cheaper than the regex
        for p, v in _walk(body, ()):
            if isinstance(v, str) and _AWS_KEY.search(v) and p not in from_env:
                flagged.setdefault(p, "holds a secret")
    return [
        SECRET_LITERAL(f"{'.'.join(map(str, path))} {what} written in the file; read it from the environment instead: `${{env:NAME}}`",
                       path)
        for path, what in sorted(flagged.items(), key=lambda kv: str(kv[0]))
    ]


def _walk(value: Any, path: Path) -> Iterable[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, path + (index,))
    else:
        yield path, value


def check_document(kind: str, data: Any, *, api: bool = False) -> list[Diagnostic]:
    """Schema + semantic rules for one document body (no ``kind`` key). Never raises."""
    if not isinstance(data, dict):
        return [SCHEMA_TYPE(f"a {kind} must be a mapping, not {_describe(data)}")]
    found: list[Diagnostic] = []
    if api and kind == "Room" and "template" in data:
        found.append(ROOM_TEMPLATE_KEY("`template` is read-only; send template_id", ("template",),
                           api_message="Invalid body param: template. Use template_id"))
        data = {k: v for k, v in data.items() if k != "template"}
    if api and kind == "Template":
        data = {k: v for k, v in data.items() if k != "renamed_from"}
    if api and kind == "Room":
        found.extend(api_only_room_keys(data))
    found.extend(schema_diagnostics(kind, data))
    for check, file_only in _CHECKS.get(kind, ()):
        if api and file_only:
            continue
        try:
            found.extend(check(data))
        except Exception as exc:  # a rule must never turn bad input into a crash
            found.append(error("INTERNAL", f"rule {check.__name__} could not run ({type(exc).__name__}); please report this"))
    return found


# found by check_project_config (hmsconf.yaml is not a document kind)
CONFIG_WORKSPACE = rule("CONFIG-WORKSPACE", Severity.ERROR, "each workspace has one connection (api credentials, management_token or file); default_workspace is declared")


def check_project_config(data: Any) -> list[Diagnostic]:
    """hmsconf.yaml: schema, and that every workspace says how to connect."""
    if not isinstance(data, dict):
        return [SCHEMA_TYPE("hmsconf.yaml must be a mapping")]
    found: list[Diagnostic] = _config_schema(data)
    spaces = _map(data.get("workspaces"))
    default = data.get("default_workspace")
    if isinstance(default, str) and spaces and default not in spaces and default != "local":
        found.append(CONFIG_WORKSPACE(f"default_workspace `{default}` is not declared under workspaces{did_you_mean(default, list(spaces))}", ("default_workspace",)))
    for name, entry in spaces.items():
        entry = _map(entry)
        kinds = [k for k in ("file", "management_token") if k in entry]
        if "access_key" in entry or "secret" in entry:
            kinds.append("access_key/secret")
            if not ("access_key" in entry and "secret" in entry):
                found.append(CONFIG_WORKSPACE(f"workspace `{name}` needs both access_key and secret", ("workspaces", name)))
        if len(kinds) > 1:
            found.append(CONFIG_WORKSPACE(f"workspace `{name}` has several connections ({', '.join(kinds)}); keep one", ("workspaces", name)))
    return found


def _config_schema(data: dict) -> list[Diagnostic]:
    model = compiled("ProjectConfig")
    out = []
    for err in model.errors(data):
        path = _model_path(err["loc"])
        if err["type"] == "extra_forbidden":
            allowed = model.allowed_keys(path[:-1])
            out.append(UNKNOWN_KEY(f"unknown key `{path[-1]}` in hmsconf.yaml{did_you_mean(str(path[-1]), allowed)}", path))
        else:
            out.append(SCHEMA_TYPE(f"{dotted(path)}: {err['msg']}", path))
    return out


def rules_markdown() -> str:
    """docs/rules.md: every rule id, its severity and what it checks."""
    lines = [
        "# Validation rules",
        "",
        "Every diagnostic of `hmsconf validate` carries one of these ids. Generated from `hmsconf.config.rules.RULES`;",
        "`tests/test_rules.py` fails when this page is stale.",
        "",
        "| rule | severity | applies to | checks |",
        "|---|---|---|---|",
    ]
    for info in sorted(RULES.values(), key=lambda r: r.id):
        kinds = ", ".join(info.kinds) or "hmsconf.yaml"
        lines.append(f"| `{info.id}` | {info.severity.value} | {kinds} | {info.summary} |")
    lines += ["", "Loading and resolving add these (files, YAML, variables, presets):", "",
              "| rule | checks |", "|---|---|"]
    lines += [f"| `{rid}` | {text} |" for rid, text in LOAD_RULES.items()]
    return "\n".join(lines) + "\n"
