"""Every error answer the emulator gives, one class each, like moto's ``exceptions.py``.

The store, the token check and the fault injector raise these; one middleware
(``middleware.ErrorResponses``) turns any of them into the answer, so the status,
the message and the shape of the body are written once, here. The body is the
documented error shape (reference §8)::

    {"code": <status>, "message": <message>, "details": [<detail>, ...]}

The tree (status, message)::

    ErrorAnswer
    ├── InvalidQuery            400 "Invalid query param"     a bad limit, start, flag or time
    ├── InvalidBody             400 "Invalid body param"      not JSON, not an object, breaks a rule
    │   ├── IncompleteTemplate  400                           a whole-template update without roles/settings
    │   └── UnknownRoomTemplate 400                           a room's template does not exist
    ├── TooManyRoomCodes        400 "Invalid request"         a room's 101st code
    ├── Unauthorized            401
    │   ├── MissingToken        401 "Authentication error"    no Bearer token
    │   └── InvalidToken        401 "Token validation error"  expired, not yet valid, bad signature, ...
    ├── RoomDisabled            403 "room is disabled"        a room-code write on a disabled room
    ├── RoleRemoved             403 "role not found"          enabling a code whose role is gone
    ├── NotFound                404
    │   ├── TemplateNotFound    404 "template not found"
    │   ├── RoleNotFound        404 "role not found"
    │   ├── RoomNotFound        404 "room not found"
    │   └── CodeNotFound        404 "code not found"
    ├── NameTaken               409 "overwrite error"         a template, role or room renamed to a taken name
    └── InjectedFault                                         ours, not 100ms's: rehearsing failure
        ├── RateLimited         429 "rate limit exceeded"     with Retry-After
        └── InjectedServerError 500/502/503 "injected server error"

These are the fake API's answers, not hmsconf's failures (``hmsconf.errors``);
the client turns any of them, once received, into ``errors.ApiError``.
"""

from __future__ import annotations


class ErrorAnswer(Exception):
    """An error answer of the API: its status, message and details (the body's three keys)."""

    status: int = 500
    message: str = "internal error"

    def __init__(self, *details: str) -> None:
        super().__init__(self.message, *details)
        self.details = list(details)

    @property
    def headers(self) -> dict[str, str] | None:
        """Headers the answer carries besides its body's (None: only those)."""
        return None

    def body(self) -> dict[str, object]:
        return {"code": self.status, "message": self.message, "details": self.details}


class InvalidQuery(ErrorAnswer):
    """A query parameter out of range or of the wrong kind (§1.5: `limit` is 10 to 100)."""

    status = 400
    message = "Invalid query param"


class InvalidBody(ErrorAnswer):
    """A body that is not JSON, not an object, or breaks a rule of ``hmsconf validate``."""

    status = 400
    message = "Invalid body param"


class IncompleteTemplate(InvalidBody):
    """§2.1, §10.3.16: a whole-template update (T4) must send `roles` and `settings`."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(*(f"{key} is required: send the complete template" for key in missing))


class UnknownRoomTemplate(InvalidBody):
    """§6.1: a room's template_id names no template, or the workspace has none to default to."""

    def __init__(self) -> None:
        super().__init__("Error: template not found")


class TooManyRoomCodes(ErrorAnswer):
    """§7: a room has at most ``limit`` room codes (the 400 for one more is a guess)."""

    status = 400
    message = "Invalid request"

    def __init__(self, limit: int) -> None:
        super().__init__(f"a room has at most {limit} room codes")


class Unauthorized(ErrorAnswer):
    """§1.3, §8: the request carries no valid management token."""

    status = 401


class MissingToken(Unauthorized):
    """No `Authorization: Bearer <token>` header."""

    message = "Authentication error"

    def __init__(self) -> None:
        super().__init__("no management token")


class InvalidToken(Unauthorized):
    """A token that does not verify; the detail says why (one of the reasons below)."""

    message = "Token validation error"
    EXPIRED = "token is expired"
    NOT_YET_VALID = "token is not valid yet"
    UNREADABLE = "not found"  # a bad signature or a malformed token: what the API says
    NOT_MANAGEMENT = "not a management token"
    UNKNOWN_ACCESS_KEY = "unknown access key"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class RoomDisabled(ErrorAnswer):
    """§7: room codes of a disabled room cannot be written."""

    status = 403
    message = "room is disabled"

    def __init__(self, room_id: str) -> None:
        super().__init__(f"room {room_id} is disabled")


class RoleRemoved(ErrorAnswer):
    """§7: a room code cannot be enabled once its role left the room's template."""

    status = 403
    message = "role not found"

    def __init__(self, role: str) -> None:
        super().__init__(f"role {role} no longer exists in the room's template")


class NotFound(ErrorAnswer):
    """The path names an object the workspace does not hold."""

    status = 404


class TemplateNotFound(NotFound):
    message = "template not found"

    def __init__(self, template_id: str) -> None:
        super().__init__(f"template {template_id} not found")


class RoleNotFound(NotFound):
    message = "role not found"

    def __init__(self, role: str) -> None:
        super().__init__(f"role {role} not found")


class RoomNotFound(NotFound):
    message = "room not found"

    def __init__(self, room_id: str) -> None:
        super().__init__(f"room {room_id} not found")


class CodeNotFound(NotFound):
    message = "code not found"

    def __init__(self) -> None:
        super().__init__("code not found")


class NameTaken(ErrorAnswer):
    """§2.1, §8: renaming a template, role or room to a name another one has."""

    status = 409
    message = "overwrite error"

    @classmethod
    def template(cls, name: str) -> NameTaken:
        return cls(f"a template named {name} already exists")

    @classmethod
    def role(cls, name: str) -> NameTaken:
        return cls(f"role {name} already exists")

    @classmethod
    def room(cls, name: str) -> NameTaken:
        return cls(f"a room named {name} already exists")


class InjectedFault(ErrorAnswer):
    """An answer the fault injector (``faults.Faults``) chose for this request."""

    def __init__(self) -> None:
        super().__init__("injected by the emulator")


class RateLimited(InjectedFault):
    """429 with the Retry-After the emulator was started with."""

    status = 429
    message = "rate limit exceeded"

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": f"{self.retry_after:g}"}


class InjectedServerError(InjectedFault):
    """500, 502 or 503, as a busy or failing API answers."""

    message = "injected server error"

    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status
