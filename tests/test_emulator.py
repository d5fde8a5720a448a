"""The emulator's routes, over real HTTP, checked against the reference."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from hmsconf.api.auth import management_token
from tests.conftest import ACCESS_KEY, SECRET


def test_create_fills_defaults_and_returns_deprecated_duplicates(http):
    created = http.post("/templates", json={"name": "web", "roles": {"guest": {}}}).json()
    assert len(created["id"]) == 24 and created["_id"] == created["id"] and created["customer"] == created["customerId"]
    guest = created["roles"]["guest"]
    assert guest["publishParams"]["video"] == {"bitRate": 256, "codec": "vp8", "frameRate": 25, "width": 320, "height": 180}
    # §3.5 wire behaviour: unsent flags absent, the streaming trio present
    assert guest["permissions"] == {"browserRecording": True, "rtmpStreaming": True, "hlsStreaming": True}
    assert created["settings"]["retry"] == {} and created["destinations"] == {}


def test_create_with_existing_name_overwrites_and_keeps_id(http):
    first = http.post("/templates", json={"name": "web", "roles": {"a": {}}}).json()
    second = http.post("/templates", json={"name": "web", "roles": {"b": {}}}).json()
    assert second["id"] == first["id"] and list(second["roles"]) == ["b"]
    assert len(http.get("/templates").json()["data"]) == 1


def test_rename_to_taken_name_is_a_conflict(http):
    http.post("/templates", json={"name": "a"})
    b = http.post("/templates", json={"name": "b"}).json()
    answer = http.post(f"/templates/{b['id']}", json={"name": "a", "roles": {}, "settings": {}})
    assert answer.status_code == 409 and answer.json()["message"] == "overwrite error"


def test_role_post_delete_204_then_404(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"host": {}}}).json()["id"]
    role = http.post(f"/templates/{tid}/roles/guest", json={"priority": 2}).json()
    assert role["name"] == "guest" and role["publishParams"]["allowed"] == ["audio", "video", "screen"]
    assert http.delete(f"/templates/{tid}/roles/guest").status_code == 204
    assert http.delete(f"/templates/{tid}/roles/guest").status_code == 404


def test_role_rename_through_body_name(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"guest": {}, "host": {}}}).json()["id"]
    assert http.post(f"/templates/{tid}/roles/guest", json={"name": "host"}).status_code == 409
    http.post(f"/templates/{tid}/roles/guest", json={"name": "attendee"})
    assert list(http.get(f"/templates/{tid}").json()["roles"]) == ["attendee", "host"]


def test_recordings_are_separate_and_drop_false_in_post_response(http):
    tid = http.post("/templates", json={"name": "t", "roles": {"bot": {}}}).json()["id"]
    posted = http.post(f"/templates/{tid}/recordings", json=[{"name": "r", "role": "bot", "trackRecording": {"enabled": False}}]).json()
    assert posted == [{"name": "r", "role": "bot", "compositeRecording": {"browserComposite": {}, "customComposite": {}}, "trackRecording": {}, "streamRecording": {}}]
    assert http.get(f"/templates/{tid}/recordings").json()[0]["trackRecording"] == {"enabled": False}
    assert "recordings" not in http.get(f"/templates/{tid}").json()
    bad = http.post(f"/templates/{tid}/recordings", json=[{"name": "r", "role": "nobody"}])
    assert bad.status_code == 400


def test_credentials_are_stored_but_not_returned(http):
    settings = {"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": "AKIAEXAMPLE", "secretKey": "s3cr3t"}}}}
    tid = http.post("/templates", json={"name": "t"}).json()["id"]
    echoed = http.post(f"/templates/{tid}/settings", json=settings).json()
    assert echoed["recording"]["upload"]["credentials"]["secret"] == "s3cr3t"  # §5: echoed as `secret`
    assert "credentials" not in http.get(f"/templates/{tid}/settings").json()["recording"]["upload"]
    assert "s3cr3t" not in http.get(f"/templates/{tid}").text


def test_rooms_upsert_by_case_insensitive_name_and_hide_disabled(http):
    a = http.post("/templates", json={"name": "a"}).json()["id"]
    b = http.post("/templates", json={"name": "b"}).json()["id"]
    room = http.post("/rooms", json={"name": "Lobby", "template_id": a}).json()
    assert room["template"] == "a" and room["region"] == "us"  # §10.1.1: the resolved region and room["enabled"] is True
    again = http.post("/rooms", json={"name": "lobby", "template_id": b}).json()
    assert again["id"] == room["id"] and again["template_id"] == b
    http.post(f"/rooms/{room['id']}", json={"enabled": False})
    assert http.get("/rooms").json()["data"] == []
    assert [r["name"] for r in http.get("/rooms", params={"enabled": "false"}).json()["data"]] == ["Lobby"]


def test_room_bad_bodies_answer_the_documented_messages(http):
    http.post("/templates", json={"name": "a"})
    answer = http.post("/rooms", json={"name": "big", "size": 3000})
    assert answer.status_code == 400
    assert answer.json()["details"] == ["Invalid body param: room size greater than 2500, set large_room flag as true"]
    assert http.post("/rooms", json={"name": "x", "template": "a"}).json()["details"] == ["Invalid body param: template. Use template_id"]


def test_room_codes_and_disabled_room_403(http):
    tid = http.post("/templates", json={"name": "a", "roles": {"host": {}, "guest": {}}}).json()["id"]
    room = http.post("/rooms", json={"name": "r", "template_id": tid}).json()
    codes = http.post(f"/room-codes/room/{room['id']}", json={}).json()["data"]
    assert sorted(c["role"] for c in codes) == ["guest", "host"]
    http.post(f"/rooms/{room['id']}", json={"enabled": False})
    assert http.post(f"/room-codes/room/{room['id']}", json={}).status_code == 403


@pytest.mark.parametrize("limit,status", [(9, 400), (10, 200), (100, 200), (101, 400)])
def test_pagination_limits(http, limit, status):
    assert http.get("/templates", params={"limit": limit}).status_code == status


def test_no_delete_routes_for_templates_or_rooms(http):
    tid = http.post("/templates", json={"name": "a"}).json()["id"]
    assert http.delete(f"/templates/{tid}").status_code == 405


@pytest.mark.parametrize(
    "claims",
    [
        {"type": "app"},
        {"version": 1},
        {"access_key": "someone-else"},
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
    ],
)
def test_bad_tokens_get_the_documented_401(emulator, claims):
    now = int(time.time())
    body = {"access_key": ACCESS_KEY, "type": "management", "version": 2, "iat": now, "nbf": now, "exp": now + 600, "jti": "x", **claims}
    token = jwt.encode(body, SECRET.encode(), algorithm="HS256")
    answer = httpx.get(f"{emulator.url}/templates", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json()["message"] == "Token validation error"


def test_wrong_signature_is_401(emulator):
    token = management_token(ACCESS_KEY, "another-secret-of-sufficient-length-000")
    answer = httpx.get(f"{emulator.url}/templates", headers={"Authorization": f"Bearer {token}"})
    assert answer.json() == {"code": 401, "message": "Token validation error", "details": ["not found"]}


def test_state_survives_restart(tmp_path):
    from hmsconf.emulator.store import Store

    store = Store(tmp_path / "s.db")
    store.create_template({"name": "kept"})
    store.close()
    again = Store(tmp_path / "s.db")
    assert [t["name"] for t in again.list_templates(10, None)["data"]] == ["kept"] and again.integrity_ok()
