"""The risks a plan points out, as values: a code, the thing it is about, the facts that vary.

Each code below is the one place that says what a risk means and how it reads in English, so
the planner only detects (``Risk(RiskCode.ROLE_REMOVED, "stage")``) and every renderer gets the
same sentence from ``Risk.text``. A new risk is one member here and the line in ``changes.py`` (or
``room_codes.py``) that detects it; the README's "Risk codes" list is checked against this enum.

``subject`` is the name the risk is about (a role, a destination, a recording config, a room);
a risk about a whole template has the template's name. ``detail`` holds the facts the sentence
needs beyond the name (the powers gained, the old and new size), JSON scalars in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Mapping, Union

Scalar = Union[str, int, None]
Detail = tuple[Scalar, ...]


def _names(detail: Detail) -> str:
    return ", ".join(f"`{name}`" for name in detail)


def _rooms(count: Scalar, where: str) -> str:
    n = count if isinstance(count, int) else 0
    return f"{n} {where.format(s='s' * (n != 1))} use{'s' * (n == 1)} this template"


# The destination kinds whose loss is a risk, and the switches of a recording config whose turning
# off is one (the planner walks these; the sentences name them).
DESTINATION_LABELS = {
    "rtmpDestinations": "RTMP destination",
    "hlsDestinations": "HLS destination",
    "transcriptions": "transcription",
    "browserRecordings": "browser recording",
}
RECORDING_SWITCH_LABELS = {
    "trackRecording.enabled": "track recording",
    "streamRecording.enabled": "stream recording",
    "compositeRecording.customComposite.enabled": "custom composite recording",
    "compositeRecording.browserComposite.autoStart": "browser composite auto-start",
}

Sentence = Callable[[str, Detail], str]


class RiskCode(str, Enum):
    """What a risk means (``meaning``, for the README and the JSON reader) and how it reads (``sentence``)."""

    meaning: str
    sentence: Sentence

    def __new__(cls, code: str, meaning: str, sentence: Sentence) -> "RiskCode":
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        member.sentence = sentence
        return member

    def __str__(self) -> str:
        return str.__str__(self)

    # --- roles of a template ---------------------------------------------------------------------
    ROLE_GAINS_POWERS = (
        "role-gains-powers", "an existing role gains moderator powers (detail: the permissions)",
        lambda s, d: f"role `{s}` gains {_names(d)}")
    NEW_ROLE_HAS_POWERS = (
        "new-role-has-powers", "a new role comes with moderator powers (detail: the permissions)",
        lambda s, d: f"new role `{s}` has {_names(d)}")
    ROLE_CAN_PUBLISH = (
        "role-can-publish", "an existing role may now publish video or screen (detail: the track)",
        lambda s, d: f"role `{s}` can now publish {d[0]}")
    ROLE_PEERS_UNLIMITED = (
        "role-peers-unlimited", "a role's maxPeerCount becomes 0, no limit (detail: the old limit)",
        lambda s, d: f"role `{s}` maxPeerCount becomes unlimited (was {d[0]})")
    ROLE_PEERS_RAISED = (
        "role-peers-raised", "a role's maxPeerCount is raised (detail: old, new)",
        lambda s, d: f"role `{s}` maxPeerCount raised from {d[0]} to {d[1]}")
    ROLE_REMOVED = (
        "role-removed", "a role is removed: peers holding tokens for it can no longer join",
        lambda s, d: f"role `{s}` is removed: peers can no longer join with it")
    ROLE_STREAMS_BY_DEFAULT = (
        "role-streams-by-default", "a new or changed role can start recording, RTMP or HLS only because "
        "the file is silent and these permissions default to true (detail: the permissions)",
        lambda s, d: f"role `{s}` can start {_names(d)}: the file does not say, and these default to true; "
                     "write `false` to deny")
    # --- a template as a whole -------------------------------------------------------------------
    DEFAULT_TEMPLATE = (
        "default-template", "the template becomes the workspace default, used by rooms created without a template",
        lambda s, d: "becomes the workspace default template: rooms created without a template_id use it")
    LIVE_ROOMS_USE_TEMPLATE = (
        "live-rooms-use-template", "live rooms use the changed template, so they change too (detail: how many)",
        lambda s, d: _rooms(d[0], "live room{s}"))
    PROJECT_ROOMS_USE_TEMPLATE = (
        "project-rooms-use-template", "`hmsconf diff`: rooms of the project use the changed template (detail: how many)",
        lambda s, d: _rooms(d[0], "room{s} of the project"))
    CREDENTIALS_SENT_AGAIN = (
        "credentials-sent-again", "the template's storage credentials are sent again (write-only: they cannot be compared)",
        lambda s, d: "storage credentials are sent again (write-only, not comparable)")
    # --- destinations and recordings of a template -----------------------------------------------
    DESTINATION_REMOVED = (
        "destination-removed", "an RTMP, HLS, transcription or browser recording destination is removed "
        "(detail: its kind, e.g. rtmpDestinations)",
        lambda s, d: f"{DESTINATION_LABELS.get(str(d[0]), str(d[0]))} `{s}` is removed")
    DESTINATION_STOPS_RECORDING = (
        "destination-stops-recording", "a destination stops recording (detail: its kind)",
        lambda s, d: f"{DESTINATION_LABELS.get(str(d[0]), str(d[0]))} `{s}` stops recording")
    RECORDING_CONFIG_REMOVED = (
        "recording-config-removed", "a recording config is removed",
        lambda s, d: f"recording config `{s}` is removed")
    RECORDING_SWITCHED_OFF = (
        "recording-switched-off", "a recording config switches off track, stream or composite recording "
        "(detail: the key, e.g. trackRecording.enabled)",
        lambda s, d: f"recording config `{s}`: {RECORDING_SWITCH_LABELS.get(str(d[0]), str(d[0]))} is switched off")
    RECORDINGS_TO_100MS_STORAGE = (
        "recordings-to-100ms-storage", "recordings go back to 100ms storage instead of your own bucket",
        lambda s, d: "recordings go back to 100ms storage instead of your own bucket")
    RECORDINGS_BUCKET_CHANGED = (
        "recordings-bucket-changed", "recordings are uploaded to another bucket (type or location)",
        lambda s, d: "recordings are uploaded to a different bucket")
    # --- rooms -----------------------------------------------------------------------------------
    ROOM_TEMPLATE_CHANGED = (
        "room-template-changed", "a room moves to another template (detail: old, new)",
        lambda s, d: f"room `{s}` moves from template `{d[0]}` to `{d[1]}`")
    ROOM_WEBHOOK_REMOVED = (
        "room-webhook-removed", "a room stops sending its own webhooks; the workspace webhook applies",
        lambda s, d: f"room `{s}` stops sending its own webhooks (the workspace webhook applies)")
    ROOM_WEBHOOK_ADDED = (
        "room-webhook-added", "a room sends its events to its own URL instead of the workspace webhook (detail: the URL)",
        lambda s, d: f"room `{s}` sends its events to {d[0]} instead of the workspace webhook")
    ROOM_WEBHOOK_CHANGED = (
        "room-webhook-changed", "a room's webhook URL changes (detail: old, new)",
        lambda s, d: f"room `{s}` webhook URL changes: {d[0]} -> {d[1]}")
    ROOM_DISABLED = (
        "room-disabled", "a room is disabled: nobody can join it once its current session ends",
        lambda s, d: f"room `{s}` is disabled: nobody can join it once its current session ends")
    ROOM_PINS_RECORDING = (
        "room-pins-recording", "a room declares its own recording settings and stops following its template's (§6.3)",
        lambda s, d: f"room `{s}` pins its own recording settings and stops following the template's (§6.3)")
    ROOM_CREDENTIALS_SENT = (
        "room-credentials-sent", "a room's storage credentials are sent (write-only: they cannot be compared)",
        lambda s, d: f"room `{s}`: storage credentials are sent (write-only, not comparable)")
    ROOM_SIZE_RAISED = (
        "room-size-raised", "a room's size is raised (detail: old, new)",
        lambda s, d: f"room `{s}` size raised from {d[0]} to {d[1]}")
    ROOM_CODES_ENABLED = (
        "room-codes-enabled", "roles of an existing room get an enabled room code: anyone with it can join "
        "(detail: the roles)",
        lambda s, d: f"room `{s}`: role(s) {_names(d)} get a room code (anyone with it can join)")


@dataclass(frozen=True)
class Risk:
    """One risk of a change: what kind (``code``), about what (``subject``), with which facts (``detail``)."""

    code: RiskCode
    subject: str
    detail: Detail = ()

    @property
    def text(self) -> str:
        """The sentence every renderer shows."""
        return self.code.sentence(self.subject, self.detail)

    def to_json(self) -> dict[str, object]:
        return {"code": self.code.value, "subject": self.subject, "detail": list(self.detail), "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Risk":
        return cls(_BY_CODE[data["code"]], data["subject"], tuple(data.get("detail") or ()))


_BY_CODE = {code.value: code for code in RiskCode}  # (RiskCode(value) works too, but mypy reads it as a new member)
