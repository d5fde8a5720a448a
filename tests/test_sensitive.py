"""Secrets as marks: found by their place in the model, masked exactly, never matched as text."""

from __future__ import annotations

import json

import pytest

from hmsconf.api.live import LiveWorkspace
from hmsconf.config import rules
from hmsconf.model import catalogue, facts
from hmsconf.model.sensitive import WRITE_ONLY, Sensitive, scrub, url_parts
from hmsconf.render.plan import FORMATS
from tests.helpers import write_project
from tests.test_plan import _room, live_template, plan_for


@pytest.mark.parametrize(
    ("url", "stream_key", "shown"),
    [
        ("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop", True, "rtmp://a.rtmp.youtube.com/live2/(sensitive)"),
        ("rtmp://live.twitch.tv/app/live_123_abcdef", True, "rtmp://live.twitch.tv/app/(sensitive)"),
        ("rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab", True, "rtmps://live-api-s.facebook.com:443/rtmp/(sensitive)"),
        # one segment: the key cannot be told from an application path, so all of the path is hidden
        ("rtmp://ingest.example.com/streamkey", True, "rtmp://ingest.example.com/(sensitive)"),
        ("rtmp://ingest.example.com/", True, "rtmp://ingest.example.com/"),
        ("not a url at all", True, "(sensitive)"),
        ("https://user:pass@hooks.example.com/in", False, "https://(sensitive)@hooks.example.com/in"),
        ("https://hooks.example.com/in?token=t0k3n&team=a&X-Signature=s1g", False,
         "https://hooks.example.com/in?token=(sensitive)&team=a&X-Signature=(sensitive)"),
        ("https://hooks.example.com/in?team=a", False, "https://hooks.example.com/in?team=a"),
    ],
)
def test_urls_show_their_host_and_hide_their_secret_pieces(url, stream_key, shown):
    assert url_parts(url, stream_key)[0] == shown


def test_scrubbing_ignores_short_secrets_and_masks_long_ones():
    message = "role `presenter` not found; secret abcdefgh12 was rejected"
    assert scrub(message, ["e", "o", "abcdefgh12"]) == "role `presenter` not found; secret (sensitive) was rejected"


def test_marks_compare_by_value_without_holding_it():
    a, b = Sensitive.of("key-1", "x/(sensitive)"), Sensitive.of("key-2", "x/(sensitive)")
    assert a == Sensitive.of("key-1", "x/(sensitive)") and a != b
    assert "key-1" not in repr(a.__dict__ if hasattr(a, "__dict__") else [getattr(a, s) for s in a.__slots__])
    assert WRITE_ONLY != "(sensitive)" and Sensitive() == WRITE_ONLY


def test_a_description_that_reads_sensitive_is_plain_text(tmp_path):
    live = LiveWorkspace(templates={"a": live_template("a", {"roles": {"h": {}}})}, rooms={"lobby": _room(description="(sensitive)")})
    plan = plan_for(tmp_path, {"r.yaml": "kind: Room\nname: lobby\ntemplate: a\ndescription: plain words\n"}, live)
    (change,) = [c for c in plan.changes if c.is_change]
    (field,) = change.fields
    assert field.dotted == "description" and not field.sensitive
    assert "~ description: \"(sensitive)\" -> \"plain words\"" in FORMATS["text"](plan, False)
    assert json.loads(FORMATS["json"](plan, False))["changes"][0]["fields"][0] == {
        "path": "description", "old": "(sensitive)", "new": "plain words", "sensitive": False}


STREAM = "rtmp://a.rtmp.youtube.com/live2/{key}"


def _template_with_key(key: str) -> dict:
    return {"roles": {"h": {}}, "destinations": {"rtmpDestinations": {"yt": {"name": "yt", "rtmpUrls": [STREAM.format(key=key)]}}}}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_rotated_stream_key_is_a_sensitive_change_in_every_renderer(tmp_path, fmt):
    live = LiveWorkspace(templates={"t": live_template("t", _template_with_key("old-key-0123456789"))})
    files = {"t.yaml": "kind: Template\nname: t\nroles: {h: {}}\ndestinations:\n  rtmpDestinations:\n"
                       "    yt: {name: yt, rtmpUrls: ['rtmp://a.rtmp.youtube.com/live2/new-key-9876543210']}\n"}
    plan = plan_for(tmp_path, files, live)
    (change,) = [c for c in plan.changes if c.is_change]
    (field,) = change.fields
    assert field.sensitive and field.dotted == "destinations.rtmpDestinations.yt.rtmpUrls"
    out = FORMATS[fmt](plan, False)
    assert "old-key" not in out and "new-key" not in out
    assert "a.rtmp.youtube.com/live2/(sensitive)" in out or fmt == "github"


def test_the_same_stream_key_is_no_change(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", _template_with_key("same-key-0123456789"))})
    files = {"t.yaml": "kind: Template\nname: t\nroles: {h: {}}\ndestinations:\n  rtmpDestinations:\n"
                       "    yt: {name: yt, rtmpUrls: ['rtmp://a.rtmp.youtube.com/live2/same-key-0123456789']}\n"}
    assert not plan_for(tmp_path, files, live).has_changes


def test_url_credentials_in_a_room_webhook_never_print(tmp_path):
    live = LiveWorkspace(templates={"a": live_template("a", {"roles": {"h": {}}})},
                         rooms={"lobby": _room(webhook={"url": "https://hooks.example.com/x?token=old-token-123456"})})
    files = {"r.yaml": "kind: Room\nname: lobby\ntemplate: a\nwebhook: {url: 'https://hooks.example.com/x?token=new-token-654321'}\n"}
    plan = plan_for(tmp_path, files, live)
    for fmt, render in FORMATS.items():
        out = render(plan, False)
        assert "old-token" not in out and "new-token" not in out, fmt
    assert any("hooks.example.com/x?token=(sensitive)" in r for r in [r.text for r in plan.changes[0].risks])


def test_literal_stream_keys_and_connection_secrets_get_secret_literal():
    body = {"name": "t", "destinations": {"rtmpDestinations": {"yt": {"rtmpUrls": [STREAM.format(key="k" * 12), "rtmp://host/live/${env:K}"]}}}}
    found = rules.literal_secrets("Template", body)
    assert [d.path for d in found] == [("destinations", "rtmpDestinations", "yt", "rtmpUrls", 0)]
    assert "stream key" in found[0].message
    config = {"workspaces": {"prod": {"access_key": "ak", "secret": "literal-secret", "management_token": "${env:T}",
                                      "webhook": {"url": "https://h", "headers": {"Authorization": "Bearer literal"}}}}}
    assert {d.path for d in rules.literal_secrets(catalogue.CONFIG, config)} == {
        ("workspaces", "prod", "secret"), ("workspaces", "prod", "webhook", "headers", "Authorization")}


def test_a_literal_connection_secret_in_hmsconf_yaml_is_warned_at_its_line(tmp_path):
    from hmsconf.config.check import validate_paths

    project = write_project(tmp_path, {"hmsconf.yaml": "workspaces:\n  prod:\n    access_key: ak\n    secret: literal-secret-value\n",
                                       "t.yaml": "kind: Template\nname: t\n"})
    found = [d for d in validate_paths([str(project)], {}) if d.rule == "SECRET-LITERAL"]
    assert [(d.line, d.path) for d in found] == [(4, ("workspaces", "prod", "secret"))]
    assert "literal-secret-value" not in found[0].message


# --- one description per field ----------------------------------------------------------------


def _schema_defaults(schema: dict, node: dict, defs: dict) -> dict:
    """The `default`s of a generated schema as a tree shaped like the catalogue's."""
    out: dict = {}
    node = defs.get(node.get("$ref", "").split("/")[-1], node) if "$ref" in node else node
    for arm in node.get("anyOf", []):
        if "$ref" in arm or "properties" in arm or "additionalProperties" in arm or "items" in arm:
            node = defs.get(arm.get("$ref", "").split("/")[-1], arm) if "$ref" in arm else arm
    for key, prop in (node.get("properties") or {}).items():
        sub = _schema_defaults(schema, prop, defs)
        if sub:
            out[key] = sub
        elif prop.get("default") is not None:
            out[key] = prop["default"]
        elif sub:
            out[key] = sub
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        sub = _schema_defaults(schema, extra, defs)
        if sub:
            out[catalogue.STAR] = sub
    if isinstance(node.get("items"), dict):
        sub = _schema_defaults(schema, node["items"], defs)
        if sub:
            out[catalogue.STAR] = sub
    return out


def _without_nulls(tree: dict) -> dict:
    return {k: (_without_nulls(v) if isinstance(v, dict) else v) for k, v in tree.items() if v is not None}


@pytest.mark.parametrize("kind", ["Template", "Room"])
def test_the_json_schema_defaults_are_the_catalogue_defaults(kind):
    from hmsconf.model.room import Room
    from hmsconf.model.template import Template

    schema = (Template if kind == "Template" else Room).model_json_schema(by_alias=True)
    assert _schema_defaults(schema, schema, schema.get("$defs", {})) == _without_nulls(catalogue.defaults(kind))


def test_the_emulator_fills_exactly_the_catalogue_defaults(emulator):
    import asyncio

    async def go():
        async with emulator.client() as client:
            created = await client.create_template({"name": "empty", "roles": {"r": {}}, "settings": {}})
            room = await client.create_room({"name": "bare", "template_id": created["id"]})
            return created, room

    created, room = asyncio.run(go())
    role_defaults = catalogue.defaults("Template", ("roles", catalogue.STAR))
    echoed = {k: v for k, v in role_defaults["permissions"].items()
              if catalogue.node_at("Template", ("roles", "r", "permissions", k)).default.echoed}
    role = created["roles"]["r"]
    assert role["permissions"] == echoed  # §3.5: only the default-true trio is answered for an empty role
    for part in ("audio", "video", "screen"):
        assert role["publishParams"][part] == role_defaults["publishParams"][part]
    assert set(role["publishParams"]["allowed"]) == set(role_defaults["publishParams"]["allowed"])
    assert role["priority"] == role_defaults["priority"] and role["maxPeerCount"] == role_defaults["maxPeerCount"]
    settings_defaults = catalogue.defaults("Template", ("settings",))
    assert created["settings"]["roomState"] == settings_defaults["roomState"]
    assert "region" not in created["settings"]  # §10.1.2: never filled
    for key in catalogue.fields_marked("Room", (), facts.Default):
        expected = catalogue.defaults("Room")[key]
        assert room[key] == ("us" if key == "region" else expected), key  # §10.1.1: the region comes back resolved


def test_every_secret_place_is_found_by_the_catalogue():
    assert catalogue.secret_paths("Template") == (
        ("settings", "recording", "upload", "credentials", "key"),
        ("settings", "recording", "upload", "credentials", "secretKey"),
        ("settings", "recording", "upload", "credentials", "secret"),
        ("destinations", "rtmpDestinations", "*", "rtmpUrls", "*"),
    )
    assert ("webhook", "headers", "*") in catalogue.secret_paths("Room")
    assert catalogue.write_only_objects("Room") == (("recording_info", "upload_info", "credentials"),)
