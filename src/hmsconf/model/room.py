"""The room object of the Rooms API (reference §6) and the project file, as typed models."""

from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import Field

from hmsconf.model.facts import AliasOf, Default, Ours, Secret, SecretInUrl, SetLike
from hmsconf.model.template import (
    Bool,
    Int,
    Names,
    Returned,
    Str,
    Strict,
    UploadOptions,
    doc,
)


class RoomCredentials(Strict):
    key: Annotated[str, Secret()] = Field(**doc("access key id; secret"))
    secret: Annotated[Str, Secret()] = Field(None, **doc("secret access key; write-only secret"))
    secretKey: Annotated[Str, Secret(), AliasOf("secret")] = Field(None, **doc("§9.2: accepted as an alias of secret"))


class UploadInfo(Strict):
    # Kept loose here so the documented 400 messages come from the ROOM-UPLOAD rule.
    type: Optional[str] = Field(None, **doc("s3, gs, oss or azure", enum=["s3", "gs", "oss", "azure"]))
    location: Optional[str] = Field(None, **doc("bucket; required"))
    prefix: Str = None
    options: Optional[UploadOptions] = None
    credentials: Optional[RoomCredentials] = None


class RecordingInfo(Strict):
    enabled: Annotated[Bool, Default(False)] = Field(None, **doc("legacy SFU recording"))
    upload_info: Optional[UploadInfo] = None


class Webhook(Strict):
    # §10.4.20: credentials inside the URL (user:pass@, token/key/secret/sig parameters) are secret.
    url: Annotated[str, SecretInUrl()]
    headers: Optional[dict[str, Annotated[str, Secret()]]] = Field(None, **doc("values are secrets"))


class Room(Strict):
    name: str = Field(**doc("case-insensitive, unique; a-z A-Z 0-9 . - : _ (no space)"))
    description: Annotated[Str, Default("")] = None
    template: Annotated[Str, Ours()] = Field(None, **doc("hmsconf: the template's name in this project or workspace"))
    template_id: Str = None
    # Region, size and duration are checked by rules that answer with the API's documented messages.
    # §10.1.1: a room created without a region comes back with the resolved one (`us`), and a
    # declared `auto` resolves too: an omitted region is not compared, `auto` matches any.
    region: Annotated[Optional[str], Default("auto", settled=False, matches_any=True)] = Field(
        None, **doc("in, us, eu or auto", enum=["in", "us", "eu", "auto"])
    )
    # §9.24: what size 0 means is undocumented; we read it as "no declared size".
    size: Annotated[Int, Default(0)] = Field(None, **doc("expected peers; up to 2500, or 20000 with large_room", minimum=0, maximum=20000))
    large_room: Annotated[Bool, Default(False)] = Field(None, **doc("needed above 2500 peers"))
    max_duration_seconds: Int = Field(None, **doc("120-43200", minimum=120, maximum=43200))
    recording_info: Optional[RecordingInfo] = Field(None, **doc("pins the room's recording settings (§6.3)"))
    webhook: Optional[Webhook] = None
    enabled: Annotated[Bool, Default(True)] = Field(None, **doc("false disables the room"))
    polls: Annotated[Optional[list[str]], Default([]), SetLike()] = None
    # hmsconf (§7): room codes per role, managed through /v2/room-codes; never sent in a room body.
    # Shape checked by the ROOM-CODES rule (one clear message instead of one per union branch).
    room_codes: Annotated[Any, Ours()] = Field(None, **doc(
        "hmsconf: true = an enabled code per role (the default for rooms hmsconf creates), false = none, {disabled: [role, ...]}",
        anyOf=[{"type": "boolean"}, {"type": "object", "additionalProperties": False,
                                      "properties": {"disabled": {"type": "array", "items": {"type": "string"}}}}]))
    # read-only keys of an API response
    id: Returned = None
    customer_id: Returned = None
    customer: Returned = None
    app_id: Returned = None
    created_at: Returned = None
    updated_at: Returned = None
    recording_source_template: Returned = None
    enabled_source_template: Returned = None
    key: Returned = None


class WorkspaceEntry(Strict):
    api_url: Str = Field(None, **doc("default https://api.100ms.live/v2"))
    access_key: Str = None
    secret: Annotated[Str, Secret()] = Field(None, **doc("use ${env:NAME}"))
    management_token: Annotated[Str, Secret()] = Field(None, **doc("use ${env:NAME}"))
    file: Str = Field(None, **doc("a local workspace file (SQLite), relative to the project"))
    vars: Optional[dict[str, Any]] = None
    webhook: Optional[Webhook] = Field(None, **doc("the workspace-level webhook: dashboard-only, printed as a manual step"))
    parallelism: Int = Field(None, ge=1, **doc("requests in flight at most (--parallelism)", default=32))
    max_rate: Optional[float] = Field(None, gt=0, **doc("requests per second at most, evenly spaced (--max-rate); default no limit"))


class Safety(Strict):
    max_change_share: Optional[float] = Field(None, ge=0, le=1, **doc("share of managed objects one apply may change without --force", default=0.3))
    min_objects: Int = Field(None, ge=0, **doc("projects smaller than this are exempt", default=10))


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
