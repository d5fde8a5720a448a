"""The template object of the 100ms API (reference §3), as typed models.

These models are the single source of the file format: validation runs them,
and the JSON Schema in ``schemas/`` is generated from them. Field names are
the API's own. Strict types: YAML ``"5"`` is not the integer 5, ``yes`` is not
``true`` (the loader keeps YAML 1.2 scalars).

Defaults are documented here (``json_schema_extra``) but never injected: the
rules and the planner see exactly what the file says.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def doc(description: str, default: Any = None, **extra: Any) -> dict:
    out: dict = {"description": description}
    if default is not None:
        out["default"] = default
    out.update(extra)
    return {"json_schema_extra": out}


Int = Optional[int]
Bool = Optional[bool]
Str = Optional[str]
Names = Optional[list[str]]

# --- role (§3.2–§3.5) ---------------------------------------------------------------


class Audio(Strict):
    bitRate: Int = Field(None, ge=16, le=128, **doc("kbps", 32))
    codec: Optional[Literal["opus"]] = Field(None, **doc("audio codec", "opus"))


class Video(Strict):
    bitRate: Int = Field(None, ge=30, le=2000, **doc("kbps", 256))
    codec: Optional[Literal["vp8"]] = Field(None, **doc("video codec", "vp8"))
    frameRate: Int = Field(None, ge=1, le=30, **doc("fps", 25))
    width: Int = Field(None, ge=50, le=1920, **doc("px", 320))
    height: Int = Field(None, ge=50, le=1080, **doc("px", 180))


class Screen(Strict):
    bitRate: Int = Field(None, ge=500, **doc("kbps", 1024))
    codec: Optional[Literal["vp8"]] = Field(None, **doc("screen codec", "vp8"))
    frameRate: Int = Field(None, ge=1, le=30, **doc("fps", 10))
    width: Int = Field(None, ge=480, le=1920, **doc("px", 1280))
    height: Int = Field(None, ge=270, le=1080, **doc("px", 720))


class SimulcastLayer(Strict):
    rid: Literal["f", "h", "q"]
    # §9.10: the docs say "long integer", but it is a scaling factor.
    scaleResolutionDownBy: float = Field(ge=1.0, le=12.0)
    maxBitrate: Int = Field(None, ge=0, le=2000, **doc("kbps", 0))
    maxFramerate: int = Field(ge=1, le=30)


class SimulcastTrack(Strict):
    layers: Optional[list[SimulcastLayer]] = Field(None, max_length=3)


class Simulcast(Strict):
    video: Optional[SimulcastTrack] = None
    screen: Optional[SimulcastTrack] = None  # §9.10: `{}` in every example


class PublishParams(Strict):
    allowed: Optional[list[Literal["audio", "video", "screen", "simulcast"]]] = Field(
        None, **doc("track types the role may publish", ["audio", "video", "screen"])
    )
    audio: Optional[Audio] = None
    video: Optional[Video] = None
    screen: Optional[Screen] = None
    simulcast: Optional[Simulcast] = None
    # §10.2.9 legacy keys (templates made before Feb 2023): accepted, DEPRECATED-* warning, never sent or compared.
    videoSimulcastLayers: Optional[dict[str, Any]] = Field(None, **doc("deprecated: use publishParams.simulcast.video; never sent"))
    screenSimulcastLayers: Optional[dict[str, Any]] = Field(None, **doc("deprecated: use publishParams.simulcast.screen; never sent"))


class SubscribeDegradation(Strict):
    packetLossThreshold: Int = Field(None, ge=1, le=100, **doc("%", 50))
    degradeGracePeriodSeconds: Int = Field(None, ge=1, le=10, **doc("s", 1))
    recoverGracePeriodSeconds: Int = Field(None, ge=1, le=10, **doc("s", 4))


class SubscribeParams(Strict):
    subscribeToRoles: Names = Field(None, **doc("roles whose tracks this role receives"))
    maxSubsBitRate: Int = Field(None, ge=0, **doc("kbps; not stated, 3200 in the examples", 3200))
    subscribeDegradation: Optional[SubscribeDegradation] = None


class Permissions(Strict):
    endRoom: Bool = Field(None, **doc("end the session for everyone", False))
    removeOthers: Bool = Field(None, **doc("remove other peers", False))
    mute: Bool = Field(None, **doc("ask others to mute", False))
    unmute: Bool = Field(None, **doc("ask others to unmute", False))
    changeRole: Bool = Field(None, **doc("ask others to change role", False))
    sendRoomState: Bool = Field(None, **doc("receive room state (peer count and list)", False))
    pollRead: Bool = Field(None, **doc("read and answer polls", False))
    pollWrite: Bool = Field(None, **doc("create and edit polls (includes pollRead)", False))
    browserRecording: Bool = Field(None, **doc("start/stop browser recording", True))
    rtmpStreaming: Bool = Field(None, **doc("start/stop RTMP streaming", True))
    hlsStreaming: Bool = Field(None, **doc("start/stop HLS", True))


class RoleFields(Strict):
    publishParams: Optional[PublishParams] = None
    subscribeParams: Optional[SubscribeParams] = None
    permissions: Optional[Permissions] = None
    # §9.9: v2 says 1–5 (v1 allowed 1–10); the v2 range is enforced.
    priority: Int = Field(None, ge=1, le=5, **doc("1 is the highest; the order in which roles degrade", 1))
    maxPeerCount: Int = Field(None, ge=-1, **doc("0 = no limit, -1 = nobody may join with this role", 0))


class Role(RoleFields):
    name: Str = Field(None, **doc("repeats the map key"))
    renamed_from: Str = Field(None, **doc("hmsconf: the role's previous name; plan renames instead of remove + add"))


# --- settings (§3.6) ---------------------------------------------------------------


class Credentials(Strict):
    key: str = Field(**doc("access key id (storage account name for Azure); secret"))
    # §9.2: templates send `secretKey`, the settings response shows `secret`; read either.
    secretKey: Str = Field(None, **doc("secret access key; write-only secret"))
    secret: Str = Field(None, **doc("alias of secretKey seen in responses"))


class UploadOptions(Strict):
    region: Str = Field(None, **doc("bucket region, e.g. ap-south-1"))


class Upload(Strict):
    type: Literal["s3", "gs", "oss", "azure"]
    location: str = Field(**doc("bucket (container for Azure)"))
    # §9.12: required in the template table, optional everywhere else; optional here.
    prefix: Str = None
    options: Optional[UploadOptions] = None
    credentials: Optional[Credentials] = None


class RecordingSettings(Strict):
    enabled: Bool = Field(None, **doc("deprecated: use `recordings`", False))
    upload: Optional[Upload] = None


class RoomState(Strict):
    messageInterval: Int = Field(None, ge=5, le=3600, **doc("seconds, a multiple of 5", 5, multipleOf=5))
    sendPeerList: Bool = Field(None, **doc("send the peer list, not just the count", False))
    enabled: Bool = Field(None, **doc("the room-state master switch", False))
    stopRoomStateOnJoin: Bool = Field(None, **doc("undocumented (§3.6)", True))


class Settings(Strict):
    region: Optional[Literal["in", "us", "eu", "auto"]] = Field(None, **doc("default region of the rooms", "in"))
    recording: Optional[RecordingSettings] = Field(None, **doc("null: 100ms storage"))
    roomState: Optional[RoomState] = None
    retry: Optional[dict[str, Any]] = Field(None, **doc("undocumented pass-through; ignored"))
    # §10.2.9 legacy keys (templates made before Feb 2023): accepted, DEPRECATED-* warning, never sent or compared.
    subscribeDegradation: Optional[dict[str, Any]] = Field(None, **doc("deprecated: use each role's subscribeParams.subscribeDegradation; never sent"))
    videoSimulcastLayers: Optional[dict[str, Any]] = Field(None, **doc("deprecated: use each role's publishParams.simulcast.video; never sent"))
    screenSimulcastLayers: Optional[dict[str, Any]] = Field(None, **doc("deprecated: use each role's publishParams.simulcast.screen; never sent"))


# --- destinations (§3.7) ----------------------------------------------------------------


class Thumbnails(Strict):
    enabled: Bool = None
    width: Int = Field(None, ge=0)
    height: Int = Field(None, ge=0)
    offsets: Optional[list[int]] = None
    fps: Int = Field(None, ge=0)


class HlsLayer(Strict):
    width: Int = Field(None, ge=0)
    height: Int = Field(None, ge=0)
    videoBitrate: Int = Field(None, ge=0, **doc("kbps"))
    audioBitrate: Int = Field(None, ge=0, **doc("kbps"))


class HlsRecording(Strict):
    hlsVod: Bool = None
    singleFilePerLayer: Bool = None
    enableZipUpload: Bool = Field(None, **doc("needs your own storage (settings.recording.upload)", False))
    layers: Optional[list[HlsLayer]] = Field(None, **doc("subset of the destination's layers; default all"))
    thumbnails: Optional[Thumbnails] = None
    presignDuration: Int = Field(None, ge=0)


class RtmpDestination(Strict):
    name: Str = None
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)
    maxDuration: Int = Field(None, ge=1, **doc("seconds; 4 h per the webhook docs"))
    rtmpUrls: Names = Field(None, **doc("at most 3, rtmp:// or rtmps://", maxItems=3))
    recordingEnabled: Bool = None
    autoStopTimeout: Int = Field(None, ge=0)


class HlsDestination(Strict):
    name: Str = None
    maxDuration: Int = Field(None, ge=1)
    layers: Optional[list[HlsLayer]] = None
    playlistType: Optional[Literal["event", "live"]] = None
    numPlaylistSegments: Int = Field(None, ge=3, le=150, **doc("only for live playlists; 2 s each", 5))
    videoFrameRate: Int = Field(None, ge=1)
    enableMetadataInsertion: Bool = None
    enableStaticUrl: Bool = Field(None, **doc("undocumented (§9.14)"))
    recording: Optional[HlsRecording] = None
    autoStopTimeout: Int = Field(None, ge=0)
    role: Str = Field(None, **doc("undocumented, returned by GET (§9.17); ignored"))


class SummarySection(Strict):
    title: str = Field(max_length=100)
    format: Literal["bullets", "paragraph"]


class Summary(Strict):
    enabled: Bool = None
    enable: Bool = Field(None, **doc("§9.1: the docs' table name; use `enabled`"))
    context: Str = Field(None, max_length=300)
    temperature: Optional[float] = Field(None, ge=0.1, le=1.0, **doc("", 0.5))
    sections: Optional[list[SummarySection]] = Field(None, max_length=6)


class Translation(Strict):
    enabled: Bool = None
    roleLanguages: Optional[dict[str, str]] = None


class Transcription(Strict):
    name: Str = None
    role: str
    modes: Optional[list[Literal["recorded", "live", "caption"]]] = None
    outputModes: Optional[list[Literal["txt", "srt", "json"]]] = None
    customVocabulary: Names = None
    summary: Optional[Summary] = None
    translation: Optional[Translation] = None


class BrowserRecording(Strict):
    name: Str = None
    role: str
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)
    maxDuration: Int = Field(None, ge=1)
    thumbnails: Optional[Thumbnails] = None
    presignDuration: Int = Field(None, ge=0)
    autoStart: Bool = None
    autoStopTimeout: Int = Field(None, ge=0)


class Destinations(Strict):
    rtmpDestinations: Optional[dict[str, RtmpDestination]] = None
    hlsDestinations: Optional[dict[str, HlsDestination]] = None
    transcriptions: Optional[dict[str, Transcription]] = None
    browserRecordings: Optional[dict[str, BrowserRecording]] = Field(None, **doc("deprecated: use `recordings`"))
    # §10.2.8: the docs' create response nests plugins here; PLUGINS-IN-DESTINATIONS warns, fmt moves it up.
    plugins: Optional[Plugins] = Field(None, **doc("belongs at the template's top level; read from here too"))


# --- recordings (§3.8) and plugins (§3.9) ---------------------------------------------------


class BrowserComposite(Strict):
    autoStart: Bool = None
    autoStopTimeout: Int = Field(None, ge=0)
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)
    enabled: Bool = Field(None, **doc("seen only in a GET example; ignored"))


class Toggle(Strict):
    enabled: Bool = None


class CompositeRecording(Strict):
    browserComposite: Optional[BrowserComposite] = None
    customComposite: Optional[Toggle] = None


class StreamRecording(Strict):
    enabled: Bool = None
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)


class RecordingConfig(Strict):
    name: str
    role: str = Field(**doc("a role of the template; the recorder joins with it"))
    maxDuration: Int = Field(None, ge=1)
    presignDuration: Int = Field(None, ge=0)
    thumbnails: Optional[Thumbnails] = None
    compositeRecording: Optional[CompositeRecording] = None
    trackRecording: Optional[Toggle] = None
    streamRecording: Optional[StreamRecording] = None


class WhiteboardPermissions(Strict):
    admin: Names = None
    writer: Names = None
    reader: Names = None


class Whiteboard(Strict):
    permissions: Optional[WhiteboardPermissions] = None


class TranscriptionPluginPermissions(Strict):
    admin: Names = None


class TranscriptionPlugin(Strict):
    permissions: Optional[TranscriptionPluginPermissions] = None
    mode: Optional[Literal["caption"]] = None


class Plugins(Strict):
    whiteboard: Optional[Whiteboard] = None
    transcriptions: Optional[TranscriptionPlugin] = None


# --- the template (§3.1) -----------------------------------------------------------------------


class Template(Strict):
    name: str = Field(**doc("unique in the workspace; a-z A-Z 0-9 space - . _ :"))
    roles: Optional[dict[str, Role]] = None
    settings: Optional[Settings] = None
    destinations: Optional[Destinations] = None
    plugins: Optional[Plugins] = None
    recordings: Optional[list[RecordingConfig]] = Field(None, **doc("the recordings endpoint's list; one item today"))
    # Read-only keys of an API response: accepted so a copied template validates, then ignored.
    id: Any = None
    id_: Any = Field(None, alias="_id")
    customerId: Any = None
    customer_id: Any = None
    customer: Any = None
    createdAt: Any = None
    updatedAt: Any = None
    appId: Any = None
    default: Any = None


class RolePreset(RoleFields):
    name: str
    extends: Optional[str | list[str]] = None
