"""Every error class of the emulator (``emulator/exceptions.py``), provoked over real HTTP:
the status and the body the client gets are the class's, and the documented ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import httpx
import pytest

from hmsconf.api.auth import management_token
from hmsconf.emulator import exceptions
from hmsconf.emulator.exceptions import ErrorAnswer
from tests.conftest import ACCESS_KEY, RunningEmulator


@dataclass
class World:
    """A workspace with template `t` (roles host, guest) and room `r` using it."""

    http: httpx.Client
    running: RunningEmulator
    tid: str
    rid: str


@pytest.fixture()
def world(emulator, http) -> World:
    template = http.post("/templates", json={"name": "t", "roles": {"host": {}, "guest": {}}}).json()
    room = http.post("/rooms", json={"name": "r", "template_id": template["id"]}).json()
    return World(http, emulator, template["id"], room["id"])


def _too_many_codes(w: World) -> httpx.Response:
    for _ in range(100):
        w.running.store.create_code(w.rid, "host")
    return w.http.post(f"/room-codes/room/{w.rid}/role/host")


def _disabled_room(w: World) -> httpx.Response:
    assert w.http.post(f"/rooms/{w.rid}", json={"enabled": False}).status_code == 200
    return w.http.post(f"/room-codes/room/{w.rid}")


def _removed_role(w: World) -> httpx.Response:
    codes = w.http.post(f"/room-codes/room/{w.rid}").json()["data"]
    host = next(c["code"] for c in codes if c["role"] == "host")
    assert w.http.post("/room-codes/code", json={"code": host, "enabled": False}).status_code == 200
    assert w.http.delete(f"/templates/{w.tid}/roles/host").status_code == 204
    return w.http.post("/room-codes/code", json={"code": host, "enabled": True})


def _taken_template_name(w: World) -> httpx.Response:
    w.http.post("/templates", json={"name": "other", "roles": {"host": {}}})
    return w.http.post(f"/templates/{w.tid}", json={"name": "other", "roles": {"host": {}}, "settings": {}})


def _taken_room_name(w: World) -> httpx.Response:
    w.http.post("/rooms", json={"name": "other", "template_id": w.tid})
    return w.http.post(f"/rooms/{w.rid}", json={"name": "OTHER"})


def _expired_token(w: World) -> httpx.Response:
    token = management_token(ACCESS_KEY, "another-secret-of-sufficient-length-000")
    return httpx.get(f"{w.running.url}/templates", headers={"Authorization": f"Bearer {token}"})


# (the error the answer must be, how to provoke it, the documented body, word for word)
CASES: list[tuple[ErrorAnswer, Callable[[World], httpx.Response], dict]] = [
    (exceptions.InvalidQuery("limit must be between 10 and 100"),
     lambda w: w.http.get("/templates", params={"limit": 5}),
     {"code": 400, "message": "Invalid query param", "details": ["limit must be between 10 and 100"]}),
    (exceptions.InvalidBody("the body is not valid JSON"),
     lambda w: w.http.post("/templates", content=b"{"),
     {"code": 400, "message": "Invalid body param", "details": ["the body is not valid JSON"]}),
    (exceptions.IncompleteTemplate(["roles", "settings"]),
     lambda w: w.http.post(f"/templates/{w.tid}", json={"name": "t"}),
     {"code": 400, "message": "Invalid body param",
      "details": ["roles is required: send the complete template", "settings is required: send the complete template"]}),
    (exceptions.UnknownRoomTemplate(),
     lambda w: w.http.post("/rooms", json={"name": "x", "template_id": "nope"}),
     {"code": 400, "message": "Invalid body param", "details": ["Error: template not found"]}),
    (exceptions.TooManyRoomCodes(100), _too_many_codes,
     {"code": 400, "message": "Invalid request", "details": ["a room has at most 100 room codes"]}),
    (exceptions.MissingToken(),
     lambda w: httpx.get(f"{w.running.url}/templates"),
     {"code": 401, "message": "Authentication error", "details": ["no management token"]}),
    (exceptions.InvalidToken(exceptions.InvalidToken.UNREADABLE), _expired_token,
     {"code": 401, "message": "Token validation error", "details": ["not found"]}),
    (exceptions.RoomDisabled("ROOM"), _disabled_room,
     {"code": 403, "message": "room is disabled", "details": ["room ROOM is disabled"]}),
    (exceptions.RoleRemoved("host"), _removed_role,
     {"code": 403, "message": "role not found", "details": ["role host no longer exists in the room's template"]}),
    (exceptions.TemplateNotFound("nope"),
     lambda w: w.http.get("/templates/nope"),
     {"code": 404, "message": "template not found", "details": ["template nope not found"]}),
    (exceptions.RoleNotFound("nope"),
     lambda w: w.http.get(f"/templates/{w.tid}/roles/nope"),
     {"code": 404, "message": "role not found", "details": ["role nope not found"]}),
    (exceptions.RoomNotFound("nope"),
     lambda w: w.http.get("/rooms/nope"),
     {"code": 404, "message": "room not found", "details": ["room nope not found"]}),
    (exceptions.CodeNotFound(),
     lambda w: w.http.post("/room-codes/code", json={"code": "abc-defg-hij", "enabled": False}),
     {"code": 404, "message": "code not found", "details": ["code not found"]}),
    (exceptions.NameTaken.template("other"), _taken_template_name,
     {"code": 409, "message": "overwrite error", "details": ["a template named other already exists"]}),
    (exceptions.NameTaken.role("guest"),
     lambda w: w.http.post(f"/templates/{w.tid}/roles/host", json={"name": "guest"}),
     {"code": 409, "message": "overwrite error", "details": ["role guest already exists"]}),
    (exceptions.NameTaken.room("OTHER"), _taken_room_name,
     {"code": 409, "message": "overwrite error", "details": ["a room named OTHER already exists"]}),
]


@pytest.mark.parametrize("error, provoke, documented", CASES, ids=[f"{type(e).__name__}-{i}" for i, (e, _, _) in enumerate(CASES)])
def test_each_error_class_is_its_status_and_documented_body(world, error, provoke, documented):
    answer = provoke(world)
    body = answer.json()
    if isinstance(error, exceptions.RoomDisabled):  # the room's id is only known now
        documented = {**documented, "details": [f"room {world.rid} is disabled"]}
        error = exceptions.RoomDisabled(world.rid)
    assert (answer.status_code, body) == (documented["code"], documented)
    assert (error.status, error.body()) == (answer.status_code, body)
    assert answer.headers["content-type"] == "application/json"


@pytest.mark.parametrize("kind, error, documented", [
    ("429", exceptions.RateLimited(0.05),
     {"code": 429, "message": "rate limit exceeded", "details": ["injected by the emulator"]}),
    ("502", exceptions.InjectedServerError(502),
     {"code": 502, "message": "injected server error", "details": ["injected by the emulator"]}),
])
def test_injected_faults_are_their_status_body_and_headers(faulty_emulator, kind, error, documented):
    running = faulty_emulator(1.0, kinds=(kind,), retry_after=0.05)
    answer = httpx.get(f"{running.url}/templates", headers={"Authorization": f"Bearer {management_token(ACCESS_KEY, running.secret)}"})
    assert (answer.status_code, answer.json()) == (documented["code"], documented)
    assert (error.status, error.body()) == (answer.status_code, answer.json())
    assert answer.headers.get("retry-after") == (error.headers or {}).get("Retry-After")
    assert (answer.headers.get("retry-after") is not None) == (kind == "429")


ABSTRACT = {exceptions.Unauthorized, exceptions.NotFound, exceptions.InjectedFault}  # groups, never raised


def _descendants(cls: type[ErrorAnswer]) -> set[type[ErrorAnswer]]:
    return set().union(*({c} | _descendants(c) for c in cls.__subclasses__()))


def test_every_error_class_is_provoked_by_a_test():
    tested = {type(error) for error, _, _ in CASES} | {exceptions.RateLimited, exceptions.InjectedServerError}
    assert _descendants(ErrorAnswer) - ABSTRACT == tested


def test_the_tree_in_the_docstring_names_every_class():
    import re

    for cls in _descendants(ErrorAnswer) | {ErrorAnswer}:
        assert re.search(rf"^\s*(├── |└── |│   )*{cls.__name__}\b", exceptions.__doc__, re.MULTILINE), cls.__name__


def test_a_room_code_that_is_not_text_is_a_400_not_a_server_error(world):
    answer = world.http.post("/room-codes/code", json={"code": {"x": 1}, "enabled": True})
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == exceptions.InvalidBody("send exactly `code` and `enabled`").message


def test_a_template_update_with_its_default_flag_is_one_write(world):
    before = world.running.store.version
    answer = world.http.post(f"/templates/{world.tid}", json={"name": "t", "roles": {"host": {}}, "settings": {}, "default": True})
    assert answer.status_code == 200, answer.text
    assert world.running.store.version == before + 1  # body and flag in one transaction: a crash keeps both or neither
    assert world.running.store.tables.default_template() == world.tid
