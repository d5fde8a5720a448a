"""The 100ms server's defaults, in one place.

Two users: the emulator fills these in on every write, as the API does, and
the normaliser fills them in on both sides of a diff so that a field left out
of a file is not reported as a change (reference §3, §8).

Where the reference says "not stated" we pick the value its examples show and
say so next to it; the emulator and the normaliser share the pick, so the two
stay consistent even where the real server might differ.
"""

from __future__ import annotations

from typing import Any

from hmsconf.model.tree import plain

# §3.5: all eleven flags. Only the streaming trio defaults to true.
PERMISSION_DEFAULTS: dict[str, bool] = {
    "endRoom": False,
    "removeOthers": False,
    "mute": False,
    "unmute": False,
    "changeRole": False,
    "sendRoomState": False,
    "pollRead": False,
    "pollWrite": False,
    "browserRecording": True,
    "rtmpStreaming": True,
    "hlsStreaming": True,
}
# §3.5 wire behaviour: a response lists the flags that were sent plus these.
ALWAYS_RETURNED_PERMISSIONS = ("browserRecording", "rtmpStreaming", "hlsStreaming")

MODERATOR_POWERS = ("endRoom", "removeOthers", "mute", "unmute", "changeRole")

# §3.3 (v2 table values; §9.8 records the v1 disagreement, we follow v2).
AUDIO_DEFAULTS = {"bitRate": 32, "codec": "opus"}
VIDEO_DEFAULTS = {"bitRate": 256, "codec": "vp8", "frameRate": 25, "width": 320, "height": 180}
SCREEN_DEFAULTS = {"bitRate": 1024, "codec": "vp8", "frameRate": 10, "width": 1280, "height": 720}
# Not stated in v2; the v1 empty-role example returned these three (§3.3, §9.8).
ALLOWED_DEFAULT = ["audio", "video", "screen"]
# §3.4: "not stated; 3200 (ex)".
MAX_SUBS_BITRATE_DEFAULT = 3200
SUBSCRIBE_DEGRADATION_DEFAULTS = {
    "packetLossThreshold": 50,
    "degradeGracePeriodSeconds": 1,
    "recoverGracePeriodSeconds": 4,
}
# §3.2: priority "not stated; 1 (ex)"; maxPeerCount 0 = no limit.
PRIORITY_DEFAULT = 1
MAX_PEER_COUNT_DEFAULT = 0

# §3.6: region "not stated; in (ex)"; roomState values from the examples.
SETTINGS_REGION_DEFAULT = "in"
ROOM_STATE_DEFAULTS = {
    "messageInterval": 5,
    "sendPeerList": False,
    "enabled": False,
    "stopRoomStateOnJoin": True,
}

# §3.7
HLS_NUM_PLAYLIST_SEGMENTS_DEFAULT = 5
SUMMARY_TEMPERATURE_DEFAULT = 0.5

# §6.1 room fields the server fills when they are left out.
ROOM_DEFAULTS: dict[str, Any] = {
    "description": "",
    "region": "auto",
    "large_room": False,
    # §9.24: what size 0 means is undocumented; we read it as "no declared size".
    "size": 0,
    "enabled": True,
}

# Read-only keys a response carries; a file copied from a response may hold them.
TEMPLATE_READ_ONLY = ("id", "_id", "customerId", "customer_id", "customer", "createdAt", "updatedAt", "appId", "default")
ROOM_READ_ONLY = (
    "id",
    "template",
    "customer_id",
    "customer",
    "app_id",
    "created_at",
    "updated_at",
    "recording_source_template",
    "enabled_source_template",
    "key",
)


def _fill(target: dict, defaults: dict) -> dict:
    # A key sent as null gets the default, as if left out: the reference does not
    # say what the server does with null (§3); treating both alike keeps a file
    # with `allowed: null` planning the same as one without the key.
    for key, value in defaults.items():
        if key not in target or target[key] is None:
            target[key] = plain(value)
    return target


def fill_role(role: dict | None, name: str) -> dict:
    """A role as the server stores it after a write (§3.2–§3.5).

    Permissions keep the wire behaviour of §3.5: flags that were sent, plus the
    three that are always returned. Everything else is filled in.
    """
    out = plain(role) if role else {}
    out["name"] = name
    pub = out.setdefault("publishParams", {}) or {}
    out["publishParams"] = pub
    _fill(pub, {"allowed": ALLOWED_DEFAULT})
    for key, defaults in (("audio", AUDIO_DEFAULTS), ("video", VIDEO_DEFAULTS), ("screen", SCREEN_DEFAULTS)):
        pub[key] = _fill(dict(pub.get(key) or {}), defaults)
    sub = out.get("subscribeParams") or {}
    out["subscribeParams"] = sub
    _fill(sub, {"subscribeToRoles": [], "maxSubsBitRate": MAX_SUBS_BITRATE_DEFAULT})
    if sub.get("subscribeDegradation"):
        sub["subscribeDegradation"] = _fill(dict(sub["subscribeDegradation"]), SUBSCRIBE_DEGRADATION_DEFAULTS)
    perms = dict(out.get("permissions") or {})
    _fill(perms, {flag: PERMISSION_DEFAULTS[flag] for flag in ALWAYS_RETURNED_PERMISSIONS})
    out["permissions"] = perms
    _fill(out, {"priority": PRIORITY_DEFAULT, "maxPeerCount": MAX_PEER_COUNT_DEFAULT})
    return out


def fill_settings(settings: dict | None) -> dict:
    out = plain(settings) if settings else {}
    out.setdefault("region", SETTINGS_REGION_DEFAULT)
    out.setdefault("recording", None)
    out["roomState"] = _fill(dict(out.get("roomState") or {}), ROOM_STATE_DEFAULTS)
    out.setdefault("retry", {})
    return out


def fill_destinations(destinations: dict | None) -> dict:
    out = plain(destinations) if destinations else {}
    for name, hls in (out.get("hlsDestinations") or {}).items():
        hls.setdefault("name", name)
        hls.setdefault("numPlaylistSegments", HLS_NUM_PLAYLIST_SEGMENTS_DEFAULT)
        rec = hls.get("recording")
        if isinstance(rec, dict):
            rec.setdefault("enableZipUpload", False)
    for kind in ("rtmpDestinations", "transcriptions", "browserRecordings"):
        for name, dest in (out.get(kind) or {}).items():
            dest.setdefault("name", name)
    for trans in (out.get("transcriptions") or {}).values():
        summary = trans.get("summary")
        if isinstance(summary, dict):
            # §9.1: the table says `enable`, every example `enabled`.
            if "enable" in summary and "enabled" not in summary:
                summary["enabled"] = summary.pop("enable")
            summary.setdefault("temperature", SUMMARY_TEMPERATURE_DEFAULT)
    return out


RECORDING_FALSE_FLAGS = (
    ("compositeRecording", "browserComposite", "autoStart"),
    ("compositeRecording", "customComposite", "enabled"),
    ("trackRecording", "enabled"),
    ("streamRecording", "enabled"),
)


def fill_recording(config: dict) -> dict:
    """One recording config with the §3.8 false defaults made explicit."""
    out = plain(config)
    for path in RECORDING_FALSE_FLAGS:
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(path[-1], False)
    thumbs = out.get("thumbnails")
    if isinstance(thumbs, dict):
        thumbs.setdefault("enabled", False)
    return out


def fill_room(room: dict) -> dict:
    out = plain(room)
    _fill(out, ROOM_DEFAULTS)
    out.setdefault("polls", [])
    return out


def effective_permissions(role: dict | None) -> dict[str, bool]:
    """Every flag of a role with defaults applied: what a peer can actually do."""
    perms = dict(PERMISSION_DEFAULTS)
    perms.update({k: bool(v) for k, v in ((role or {}).get("permissions") or {}).items() if k in perms})
    return perms
