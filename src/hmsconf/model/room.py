"""The room object of the Rooms API (reference §6) and the project file, as typed models."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from hmsconf.model.template import Bool, Int, Names, Str, Strict, doc


class RoomCredentials(Strict):
    key: str = Field(**doc("access key id; secret"))
    secret: Str = Field(None, **doc("secret access key; write-only secret"))
    secretKey: Str = Field(None, **doc("§9.2: accepted as an alias of secret"))


class UploadOptions(Strict):
    region: Str = None


class UploadInfo(Strict):
    # Kept loose here so the documented 400 messages come from the ROOM-UPLOAD rule.
    type: Optional[str] = Field(None, **doc("s3, gs, oss or azure", enum=["s3", "gs", "oss", "azure"]))
    location: Optional[str] = Field(None, **doc("bucket; required"))
    prefix: Str = None
    options: Optional[UploadOptions] = None
    credentials: Optional[RoomCredentials] = None


class RecordingInfo(Strict):
    enabled: Bool = Field(None, **doc("legacy SFU recording", False))
    upload_info: Optional[UploadInfo] = None


class Webhook(Strict):
    url: str
    headers: Optional[dict[str, str]] = Field(None, **doc("values are secrets"))


class Room(Strict):
    name: str = Field(**doc("case-insensitive, unique; a-z A-Z 0-9 . - : _ (no space)"))
    description: Str = None
    template: Str = Field(None, **doc("hmsconf: the template's name in this project or workspace"))
    template_id: Str = None
    # Region, size and duration are checked by rules that answer with the API's documented messages.
    region: Optional[str] = Field(None, **doc("in, us, eu or auto", "auto", enum=["in", "us", "eu", "auto"]))
    size: Int = Field(None, **doc("expected peers; up to 2500, or 20000 with large_room", 0, minimum=0, maximum=20000))
    large_room: Bool = Field(None, **doc("needed above 2500 peers", False))
    max_duration_seconds: Int = Field(None, **doc("120-43200", minimum=120, maximum=43200))
    recording_info: Optional[RecordingInfo] = Field(None, **doc("pins the room's recording settings (§6.3)"))
    webhook: Optional[Webhook] = None
    enabled: Bool = Field(None, **doc("false disables the room", True))
    polls: Optional[list[str]] = None
    # read-only keys of an API response
    id: Any = None
    customer_id: Any = None
    customer: Any = None
    app_id: Any = None
    created_at: Any = None
    updated_at: Any = None
    recording_source_template: Any = None
    enabled_source_template: Any = None
    key: Any = None


class WorkspaceEntry(Strict):
    api_url: Str = Field(None, **doc("default https://api.100ms.live/v2"))
    access_key: Str = None
    secret: Str = Field(None, **doc("use ${env:NAME}"))
    management_token: Str = Field(None, **doc("use ${env:NAME}"))
    file: Str = Field(None, **doc("a local workspace file (SQLite), relative to the project"))
    vars: Optional[dict[str, Any]] = None
    webhook: Optional[Webhook] = Field(None, **doc("the workspace-level webhook: dashboard-only, printed as a manual step"))


class Safety(Strict):
    max_change_share: Optional[float] = Field(None, ge=0, le=1, **doc("share of managed objects one apply may change without --force", 0.3))
    min_objects: Int = Field(None, ge=0, **doc("projects smaller than this are exempt", 10))


class Protect(Strict):
    templates: Optional[list[str]] = None
    rooms: Optional[list[str]] = None


class ProjectConfig(Strict):
    default_workspace: Str = None
    workspaces: Optional[dict[str, WorkspaceEntry]] = None
    vars: Optional[dict[str, Any]] = None
    safety: Optional[Safety] = None
    protect: Optional[Protect] = None
    include: Names = Field(None, **doc("globs (relative to the project) of the files that are documents; "
                                       "default templates/*, rooms/*, presets/*"))
    exclude: Names = Field(None, **doc("globs of files that are never documents"))
    live_templates: Names = Field(None, **doc("templates rooms may use that exist only in the live workspaces"))
