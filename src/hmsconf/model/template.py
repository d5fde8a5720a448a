"""The template object of the 100ms API (reference §3), as typed models.

These models are the single source of the file format and of every fact
hmsconf knows about a field: validation runs them, the JSON Schema in
``schemas/`` is generated from them, and ``model.catalogue`` derives the
server defaults, secret places, set-like lists, read-only keys and key order
from the marks of ``model.facts`` written beside each field. Field names are
the API's own. Strict types: YAML ``"5"`` is not the integer 5, ``yes`` is not
``true`` (the loader keeps YAML 1.2 scalars).

Server defaults are marks, never injected: the rules and the planner see
exactly what the file says; the normaliser fills them on both sides of a diff.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from hmsconf.model.facts import (
    AliasOf,
    Default,
    Deprecated,
    EchoesKey,
    ModeratorPower,
    Ours,
    PassThrough,
    ReadOnly,
    Secret,
    SecretInUrl,
    SetLike,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        """The schema says what the marks say: server defaults, write-only, read-only."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        properties = schema.get("properties", {})
        for name, info in cls.model_fields.items():
            prop = properties.get(info.alias or name)
            if prop is None:
                continue
            for mark in info.metadata:
                if isinstance(mark, Default):
                    prop["default"] = mark.value
                elif isinstance(mark, (Secret, SecretInUrl)):
                    prop["writeOnly"] = True
                elif isinstance(mark, ReadOnly):
                    prop["readOnly"] = True
        return schema


def doc(description: str, **extra: Any) -> dict[str, Any]:
    return {"json_schema_extra": {"description": description, **extra}}


Int = Optional[int]
Bool = Optional[bool]
Str = Optional[str]
Names = Optional[list[str]]
RoleNames = Annotated[Names, SetLike()]
# A permission flag that defaults to false and is echoed only when sent (§3.5 wire behaviour).
Flag = Annotated[Bool, Default(False, echoed=False)]
Power = Annotated[Bool, Default(False, echoed=False), ModeratorPower()]
# Response-only keys: accepted so a copied object validates, then ignored.
Returned = Annotated[Any, ReadOnly()]

# --- role (§3.2–§3.5) ---------------------------------------------------------------
# §9.8/§10.1.3: the v2 tables and the only empty-role response disagree on video size,
# frame rate and bitrate, screen size and bitrate: those defaults are unsettled.


class Audio(Strict):
    bitRate: Annotated[Int, Default(32)] = Field(None, ge=16, le=128, **doc("kbps"))
    codec: Annotated[Optional[Literal["opus"]], Default("opus")] = Field(None, **doc("audio codec"))


class Video(Strict):
    bitRate: Annotated[Int, Default(256, settled=False)] = Field(None, ge=30, le=2000, **doc("kbps"))
    codec: Annotated[Optional[Literal["vp8"]], Default("vp8")] = Field(None, **doc("video codec"))
    frameRate: Annotated[Int, Default(25, settled=False)] = Field(None, ge=1, le=30, **doc("fps"))
    width: Annotated[Int, Default(320, settled=False)] = Field(None, ge=50, le=1920, **doc("px"))
    height: Annotated[Int, Default(180, settled=False)] = Field(None, ge=50, le=1080, **doc("px"))


class Screen(Strict):
    bitRate: Annotated[Int, Default(1024, settled=False)] = Field(None, ge=500, **doc("kbps"))
    codec: Annotated[Optional[Literal["vp8"]], Default("vp8")] = Field(None, **doc("screen codec"))
    frameRate: Annotated[Int, Default(10)] = Field(None, ge=1, le=30, **doc("fps"))
    width: Annotated[Int, Default(1280, settled=False)] = Field(None, ge=480, le=1920, **doc("px"))
    height: Annotated[Int, Default(720, settled=False)] = Field(None, ge=270, le=1080, **doc("px"))


class SimulcastLayer(Strict):
    rid: Literal["f", "h", "q"]
    # §9.10: the docs say "long integer", but it is a scaling factor.
    scaleResolutionDownBy: float = Field(ge=1.0, le=12.0)
    maxBitrate: Annotated[Int, Default(0)] = Field(None, ge=0, le=2000, **doc("kbps"))
    maxFramerate: int = Field(ge=1, le=30)


class SimulcastTrack(Strict):
    layers: Optional[list[SimulcastLayer]] = Field(None, max_length=3)


class Simulcast(Strict):
    video: Optional[SimulcastTrack] = None
    screen: Optional[SimulcastTrack] = None  # §9.10: `{}` in every example


class PublishParams(Strict):
    # Not stated in v2; the v1 empty-role example returned these three (§3.3). It guards
    # what a peer may publish, so it stays compared (§10.1.3).
    allowed: Annotated[
        Optional[list[Literal["audio", "video", "screen", "simulcast"]]], Default(["audio", "video", "screen"]), SetLike()
    ] = Field(None, **doc("track types the role may publish"))
    # The server answers every role with the three track objects (§3.3 examples).
    audio: Annotated[Optional[Audio], Default({})] = None
    video: Annotated[Optional[Video], Default({})] = None
    screen: Annotated[Optional[Screen], Default({})] = None
    simulcast: Optional[Simulcast] = None
    # §10.2.9 legacy keys (templates made before Feb 2023): accepted, DEPRECATED-* warning, never sent or compared.
    videoSimulcastLayers: Annotated[Optional[dict[str, Any]], Deprecated("publishParams.simulcast.video")] = Field(
        None, **doc("deprecated: use publishParams.simulcast.video; never sent"))
    screenSimulcastLayers: Annotated[Optional[dict[str, Any]], Deprecated("publishParams.simulcast.screen")] = Field(
        None, **doc("deprecated: use publishParams.simulcast.screen; never sent"))


class SubscribeDegradation(Strict):
    # §3.4: the table says 50, every example sends 25: unsettled.
    packetLossThreshold: Annotated[Int, Default(50, settled=False)] = Field(None, ge=1, le=100, **doc("%"))
    degradeGracePeriodSeconds: Annotated[Int, Default(1)] = Field(None, ge=1, le=10, **doc("s"))
    recoverGracePeriodSeconds: Annotated[Int, Default(4)] = Field(None, ge=1, le=10, **doc("s"))


class SubscribeParams(Strict):
    # §10.1.3: v2 implies none, the v1 empty-role response gave ["guest"]: unsettled.
    subscribeToRoles: Annotated[RoleNames, Default([], settled=False)] = Field(None, **doc("roles whose tracks this role receives"))
    # §3.4: "not stated; 3200 (ex)", 5200 also appears: unsettled.
    maxSubsBitRate: Annotated[Int, Default(3200, settled=False)] = Field(None, ge=0, **doc("kbps"))
    subscribeDegradation: Optional[SubscribeDegradation] = None


class Permissions(Strict):
    endRoom: Power = Field(None, **doc("end the session for everyone"))
    removeOthers: Power = Field(None, **doc("remove other peers"))
    mute: Power = Field(None, **doc("ask others to mute"))
    unmute: Power = Field(None, **doc("ask others to unmute"))
    changeRole: Power = Field(None, **doc("ask others to change role"))
    sendRoomState: Flag = Field(None, **doc("receive room state (peer count and list)"))
    pollRead: Flag = Field(None, **doc("read and answer polls"))
    pollWrite: Flag = Field(None, **doc("create and edit polls (includes pollRead)"))
    # §3.5: the streaming trio defaults to true and is always returned.
    browserRecording: Annotated[Bool, Default(True)] = Field(None, **doc("start/stop browser recording"))
    rtmpStreaming: Annotated[Bool, Default(True)] = Field(None, **doc("start/stop RTMP streaming"))
    hlsStreaming: Annotated[Bool, Default(True)] = Field(None, **doc("start/stop HLS"))


class RoleFields(Strict):
    publishParams: Annotated[Optional[PublishParams], Default({})] = None
    subscribeParams: Annotated[Optional[SubscribeParams], Default({})] = None
    permissions: Annotated[Optional[Permissions], Default({})] = None
    # §9.9: v2 says 1–5 (v1 allowed 1–10); the v2 range is enforced. §3.2: "not stated; 1 (ex)".
    priority: Annotated[Int, Default(1, settled=False)] = Field(None, ge=1, le=5, **doc("1 is the highest; the order in which roles degrade"))
    maxPeerCount: Annotated[Int, Default(0)] = Field(None, ge=-1, **doc("0 = no limit, -1 = nobody may join with this role"))


class Role(RoleFields):
    name: Annotated[Str, EchoesKey()] = Field(None, **doc("repeats the map key"))
    renamed_from: Annotated[Str, Ours()] = Field(None, **doc("hmsconf: the role's previous name; plan renames instead of remove + add"))


# --- settings (§3.6) ---------------------------------------------------------------


class Credentials(Strict):
    key: Annotated[str, Secret()] = Field(**doc("access key id (storage account name for Azure); secret"))
    # §9.2: templates send `secretKey`, the settings response shows `secret`; read either.
    secretKey: Annotated[Str, Secret()] = Field(None, **doc("secret access key; write-only secret"))
    secret: Annotated[Str, Secret(), AliasOf("secretKey")] = Field(None, **doc("alias of secretKey seen in responses"))


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
    enabled: Annotated[Bool, Default(False)] = Field(None, **doc("deprecated: use `recordings`"))
    upload: Optional[Upload] = None


class RoomState(Strict):
    # §3.6: every roomState value is "not stated" (examples only): unsettled.
    messageInterval: Annotated[Int, Default(5, settled=False)] = Field(None, ge=5, le=3600, **doc("seconds, a multiple of 5", multipleOf=5))
    sendPeerList: Annotated[Bool, Default(False, settled=False)] = Field(None, **doc("send the peer list, not just the count"))
    enabled: Annotated[Bool, Default(False, settled=False)] = Field(None, **doc("the room-state master switch"))
    stopRoomStateOnJoin: Annotated[Bool, Default(True, settled=False)] = Field(None, **doc("undocumented (§3.6)"))


class Settings(Strict):
    # §10.1.2: no server default is documented; workspaces live in in, us or eu. Never filled.
    region: Annotated[Optional[Literal["in", "us", "eu", "auto"]], Default(None, settled=False, echoed=False)] = Field(
        None, **doc("default region of the rooms; the server chooses when left out"))
    recording: Annotated[Optional[RecordingSettings], Default(None)] = Field(None, **doc("null: 100ms storage"))
    roomState: Annotated[Optional[RoomState], Default({})] = None
    # §3.6: undocumented; the server always returns `{}`. Sent as declared, never compared.
    retry: Annotated[Optional[dict[str, Any]], Default({}), PassThrough()] = Field(None, **doc("undocumented pass-through; ignored"))
    # §10.2.9 legacy keys (templates made before Feb 2023): accepted, DEPRECATED-* warning, never sent or compared.
    subscribeDegradation: Annotated[Optional[dict[str, Any]], Deprecated("each role's subscribeParams.subscribeDegradation")] = Field(
        None, **doc("deprecated: use each role's subscribeParams.subscribeDegradation; never sent"))
    videoSimulcastLayers: Annotated[Optional[dict[str, Any]], Deprecated("each role's publishParams.simulcast.video")] = Field(
        None, **doc("deprecated: use each role's publishParams.simulcast.video; never sent"))
    screenSimulcastLayers: Annotated[Optional[dict[str, Any]], Deprecated("each role's publishParams.simulcast.screen")] = Field(
        None, **doc("deprecated: use each role's publishParams.simulcast.screen; never sent"))


# --- destinations (§3.7) ----------------------------------------------------------------


class Thumbnails(Strict):
    enabled: Bool = None
    width: Int = Field(None, ge=0)
    height: Int = Field(None, ge=0)
    offsets: Optional[list[int]] = None
    fps: Int = Field(None, ge=0)


class RecordingThumbnails(Thumbnails):
    # §3.8: a recording config's thumbnails are off unless enabled.
    enabled: Annotated[Bool, Default(False)] = None


class HlsLayer(Strict):
    width: Int = Field(None, ge=0)
    height: Int = Field(None, ge=0)
    videoBitrate: Int = Field(None, ge=0, **doc("kbps"))
    audioBitrate: Int = Field(None, ge=0, **doc("kbps"))


class HlsRecording(Strict):
    hlsVod: Bool = None
    singleFilePerLayer: Bool = None
    enableZipUpload: Annotated[Bool, Default(False)] = Field(None, **doc("needs your own storage (settings.recording.upload)"))
    layers: Optional[list[HlsLayer]] = Field(None, **doc("subset of the destination's layers; default all"))
    thumbnails: Optional[Thumbnails] = None
    presignDuration: Int = Field(None, ge=0)


class RtmpDestination(Strict):
    name: Str = None  # §10.3.15: required, not filled by the server (DEST-NAME-REQUIRED)
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)
    maxDuration: Int = Field(None, ge=1, **doc("seconds; 4 h per the webhook docs"))
    # §10.4.19: ingest services put the stream key last in the URL.
    rtmpUrls: Optional[list[Annotated[str, SecretInUrl(stream_key=True)]]] = Field(
        None, **doc("at most 3, rtmp:// or rtmps://; the stream key (the last path segment) is a secret", maxItems=3)
    )
    recordingEnabled: Bool = None
    autoStopTimeout: Int = Field(None, ge=0)


class HlsDestination(Strict):
    name: Str = None
    maxDuration: Int = Field(None, ge=1)
    layers: Optional[list[HlsLayer]] = None
    playlistType: Optional[Literal["event", "live"]] = None
    numPlaylistSegments: Annotated[Int, Default(5)] = Field(None, ge=3, le=150, **doc("only for live playlists; 2 s each"))
    videoFrameRate: Int = Field(None, ge=1)
    enableMetadataInsertion: Bool = None
    enableStaticUrl: Bool = Field(None, **doc("undocumented (§9.14)"))
    recording: Optional[HlsRecording] = None
    autoStopTimeout: Int = Field(None, ge=0)
    role: Annotated[Str, ReadOnly()] = Field(None, **doc("undocumented, returned by GET (§9.17); ignored"))


class SummarySection(Strict):
    title: str = Field(max_length=100)
    format: Literal["bullets", "paragraph"]


class Summary(Strict):
    enabled: Bool = None
    enable: Annotated[Bool, AliasOf("enabled")] = Field(None, **doc("§9.1: the docs' table name; use `enabled`"))
    context: Str = Field(None, max_length=300)
    temperature: Annotated[Optional[float], Default(0.5)] = Field(None, ge=0.1, le=1.0)
    sections: Optional[list[SummarySection]] = Field(None, max_length=6)


class Translation(Strict):
    enabled: Bool = None
    roleLanguages: Optional[dict[str, str]] = None


class Transcription(Strict):
    name: Str = None
    role: str
    modes: Annotated[Optional[list[Literal["recorded", "live", "caption"]]], SetLike()] = None
    outputModes: Annotated[Optional[list[Literal["txt", "srt", "json"]]], SetLike()] = None
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
    # Never sent from here, never compared here: `fmt` moves it to the top level, where it is managed.
    plugins: Annotated[Optional[Plugins], Deprecated("the template's top-level plugins")] = Field(
        None, **doc("belongs at the template's top level"))


# --- recordings (§3.8) and plugins (§3.9) ---------------------------------------------------


class BrowserComposite(Strict):
    autoStart: Annotated[Bool, Default(False)] = None
    autoStopTimeout: Int = Field(None, ge=0)
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)
    enabled: Annotated[Bool, ReadOnly()] = Field(None, **doc("seen only in a GET example; ignored"))


class Toggle(Strict):
    enabled: Bool = None


class OffToggle(Strict):
    enabled: Annotated[Bool, Default(False)] = None


class CompositeRecording(Strict):
    browserComposite: Annotated[Optional[BrowserComposite], Default({})] = None
    customComposite: Annotated[Optional[OffToggle], Default({})] = None


class StreamRecording(Strict):
    enabled: Annotated[Bool, Default(False)] = None
    width: Int = Field(None, ge=1)
    height: Int = Field(None, ge=1)


class RecordingConfig(Strict):
    name: str
    role: str = Field(**doc("a role of the template; the recorder joins with it"))
    maxDuration: Int = Field(None, ge=1)
    presignDuration: Int = Field(None, ge=0)
    thumbnails: Optional[RecordingThumbnails] = None
    # §3.8: every recording kind is off unless enabled.
    compositeRecording: Annotated[Optional[CompositeRecording], Default({})] = None
    trackRecording: Annotated[Optional[OffToggle], Default({})] = None
    streamRecording: Annotated[Optional[StreamRecording], Default({})] = None


class WhiteboardPermissions(Strict):
    admin: RoleNames = None
    writer: RoleNames = None
    reader: RoleNames = None


class Whiteboard(Strict):
    permissions: Optional[WhiteboardPermissions] = None


class TranscriptionPluginPermissions(Strict):
    admin: RoleNames = None


class TranscriptionPlugin(Strict):
    permissions: Optional[TranscriptionPluginPermissions] = None
    mode: Optional[Literal["caption"]] = None
    # §10.2.7: seen only in the policy clients receive; its shape is not documented.
    translation: Optional[dict[str, Any]] = Field(None, **doc("as the server's policy carries it; passed through"))


class Plugins(Strict):
    whiteboard: Optional[Whiteboard] = None
    # §10.2.7: the REST docs show an object, the policy clients receive an array of them; both
    # are accepted and compared by meaning (a one-item array is the object).
    transcriptions: Optional[TranscriptionPlugin | list[TranscriptionPlugin]] = None
    # §10.2.6: the dashboard's noise-cancellation toggle, in the policy the server sends.
    noiseCancellation: Optional[Toggle] = None


# --- the template (§3.1) -----------------------------------------------------------------------


class Template(Strict):
    name: str = Field(**doc("unique in the workspace; a-z A-Z 0-9 space - . _ :"))
    roles: Optional[dict[str, Role]] = None
    settings: Optional[Settings] = None
    destinations: Optional[Destinations] = None
    plugins: Optional[Plugins] = None
    recordings: Optional[list[RecordingConfig]] = Field(None, **doc("the recordings endpoint's list; one item today"))
    # Read-only keys of an API response: accepted so a copied template validates, then ignored.
    id: Returned = None
    id_: Returned = Field(None, alias="_id")
    customerId: Returned = None
    customer_id: Returned = None
    customer: Returned = None
    createdAt: Returned = None
    updatedAt: Returned = None
    appId: Returned = None
    # §10.2.10: the workspace's default template (rooms created without template_id use it). The
    # server decides which template is the default when no file says: compared only when declared.
    default: Annotated[Bool, Default(False, settled=False)] = Field(
        None, **doc("this is the workspace's default template (one per workspace)"))


class RolePreset(RoleFields):
    name: str
    extends: Optional[str | list[str]] = None
