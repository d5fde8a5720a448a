"""The planner: normalisation, field diffs, risks, requests (pure; no network)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hmsconf.api.live import LiveRoom, LiveTemplate, LiveWorkspace
from hmsconf.model import catalogue
from hmsconf.model.copies import plain
from hmsconf.plan import normalize
from hmsconf.plan.changes import Plan, make_plan, requests_for
from tests.helpers import desired_from


def live_template(name: str, body: dict, tid: str = "a" * 24, recordings=None) -> LiveTemplate:
    """A template as the server returns it: defaults filled, read-only keys added."""
    stored = {
        "id": tid,
        "_id": tid,
        "name": name,
        "customerId": "c" * 24,
        "roles": catalogue.fill("Template", plain(body.get("roles") or {}), ("roles",), server=True),
        "settings": catalogue.fill("Template", plain(body.get("settings") or {}), ("settings",), server=True),
        "destinations": catalogue.fill("Template", plain(body.get("destinations") or {}), ("destinations",), server=True),
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
    }
    if "plugins" in body:
        stored["plugins"] = body["plugins"]
    return LiveTemplate(tid, name, stored, recordings)


def plan_for(tmp_path, files, live: LiveWorkspace, **kwargs) -> Plan:
    desired, problems = desired_from(tmp_path, files)
    assert not [p for p in problems if p.is_error], problems
    plan, errors = make_plan(desired, live, **kwargs)
    assert not errors
    return plan


TEMPLATE = """
    kind: Template
    name: webinar
    roles:
      host:
        permissions: {endRoom: true, mute: true}
      guest:
        publishParams: {allowed: [audio]}
        subscribeParams: {subscribeToRoles: [host, guest]}
    settings: {region: in}
"""


def test_server_defaults_are_no_change(tmp_path):
    live = LiveWorkspace(templates={"webinar": live_template("webinar", {
        "roles": {
            "host": {"permissions": {"endRoom": True, "mute": True}},
            # the server returns set-like lists in any order
            "guest": {"publishParams": {"allowed": ["audio"]}, "subscribeParams": {"subscribeToRoles": ["guest", "host"]}},
        },
        "settings": {"region": "in"},
    })})
    plan = plan_for(tmp_path, {"t.yaml": TEMPLATE}, live)
    assert not plan.has_changes, plan.changes


@pytest.mark.parametrize(
    "role",
    [
        {},
        {"permissions": {"browserRecording": True, "rtmpStreaming": True, "hlsStreaming": True}},
        {"permissions": {"endRoom": False}},
        {"publishParams": {"video": {"bitRate": 256}}},
        {"priority": 1, "maxPeerCount": 0},
        {"subscribeParams": {"maxSubsBitRate": 3200}},
        {"publishParams": {"simulcast": {"video": {"layers": []}, "screen": {}}}},
    ],
)
def test_every_role_default_written_or_omitted_is_no_change(role):
    def served(body):  # as the server stores and answers it
        return normalize.role(catalogue.fill("Template", plain(body), ("roles", "r"), server=True), "r")

    for in_file, sent in ((role, {}), ({}, role), (role, role)):
        want = normalize.role(in_file, "r")
        assert normalize.compare("Template", {"roles": {"r": want}}, {"roles": {"r": served(sent)}}) == {"roles": {"r": want}}


def test_an_unsettled_default_the_file_omits_is_not_compared_but_a_permission_is():
    # §10.1.3: the server may fill video size differently; it may not grant endRoom
    live = normalize.role({"publishParams": {"video": {"width": 480, "height": 270}}, "permissions": {"endRoom": True}}, "r")
    want = normalize.role({}, "r")
    have = normalize.compare("Template", {"roles": {"r": want}}, {"roles": {"r": live}})["roles"]["r"]
    assert have["publishParams"]["video"] == want["publishParams"]["video"]
    assert have["permissions"]["endRoom"] is True and want["permissions"]["endRoom"] is False


def test_permission_gain_is_a_risk_and_uses_the_role_endpoint(tmp_path):
    live = LiveWorkspace(templates={"webinar": live_template("webinar", {
        "roles": {"host": {"permissions": {"endRoom": True, "mute": True}}, "guest": {"publishParams": {"allowed": ["audio"]}, "subscribeParams": {"subscribeToRoles": ["host", "guest"]}}},
        "settings": {"region": "in"},
    })})
    files = {"t.yaml": TEMPLATE.replace("publishParams: {allowed: [audio]}", "publishParams: {allowed: [audio, screen]}\n        permissions: {endRoom: true}")}
    plan = plan_for(tmp_path, files, live)
    (change,) = [c for c in plan.changes if c.is_change]
    assert change.action == "update"
    assert [f.dotted for f in change.fields] == ["roles.guest.publishParams.allowed", "roles.guest.permissions.endRoom"]
    assert "role `guest` gains `endRoom`" in [r.text for r in change.risks]
    assert "role `guest` can now publish screen" in [r.text for r in change.risks]
    assert [str(r) for r in requests_for(change)] == [f"POST /templates/{'a' * 24}/roles/guest"]
    assert change.effective_permissions["guest"]["endRoom"] is True
    assert change.effective_permissions["guest"]["hlsStreaming"] is True  # a default, shown


def test_several_parts_become_one_complete_update(tmp_path):
    live = LiveWorkspace(templates={"webinar": live_template("webinar", {"roles": {"host": {}}, "settings": {"region": "eu"}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: webinar\nroles:\n  host: {priority: 2}\nsettings: {region: in}\n"}, live)
    (change,) = plan.changes
    assert [str(r) for r in requests_for(change)] == [f"POST /templates/{'a' * 24}"]


def test_removed_role_needs_destroy_and_is_a_delete(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"host": {}, "old": {}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\n"}, live)
    (change,) = plan.changes
    assert change.role_changes == {"old": "removed"}
    assert change.destroys == ("role `old`",)
    assert [r.method for r in requests_for(change)] == ["DELETE"]


def test_rename_with_renamed_from(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"guest": {"priority": 3}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  attendee: {priority: 3, renamed_from: guest}\n"}, live)
    (change,) = plan.changes
    assert change.role_changes == {"attendee": "renamed from `guest`"}
    assert [str(r) for r in requests_for(change)] == [f"POST /templates/{'a' * 24}/roles/guest"]
    assert [(f.dotted, f.old, f.new) for f in change.fields] == [("roles.attendee.name", "guest", "attendee")]
    # a renamed role is a role that changes: the access matrix shows it under its new name, and the
    # file's silence on the streaming permissions is said as for any changed role
    assert list(change.effective_permissions) == ["attendee"]
    assert [(r.code.value, r.subject) for r in change.risks] == [("role-streams-by-default", "attendee")]
    (request,) = requests_for(change)  # typed: apply sends the new role's body to the old name's path
    assert (request.part, request.role, request.path_role, request.object_id) == ("role", "attendee", "guest", "a" * 24)
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.risks = ()  # type: ignore[misc]


def test_rename_without_renamed_from_is_remove_and_add(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"guest": {}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  attendee: {}\n"}, live)
    (change,) = plan.changes
    assert change.role_changes == {"attendee": "added", "guest": "removed"}


def test_unmanaged_parts_are_not_read_or_compared(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"host": {}}, "destinations": {"rtmpDestinations": {"yt": {"name": "yt"}}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\n"}, live)
    assert not plan.has_changes


def test_explicitly_empty_part_means_empty(tmp_path):
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"host": {}}, "destinations": {"rtmpDestinations": {"yt": {"name": "yt", "recordingEnabled": True}}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\ndestinations: {}\n"}, live)
    (change,) = plan.changes
    assert "RTMP destination `yt` is removed" in [r.text for r in change.risks]
    assert [r.part for r in requests_for(change)] == ["destinations"]


def test_new_template_and_room_are_created_in_order(tmp_path):
    files = {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {permissions: {endRoom: true}}\nrecordings: []\n", "r.yaml": "kind: Room\nname: lobby\ntemplate: t\n"}
    plan = plan_for(tmp_path, files, LiveWorkspace())
    assert [(c.kind, c.action) for c in plan.changes] == [("Template", "create"), ("Room", "create")]
    assert [str(r) for r in requests_for(plan.changes[0])] == ["POST /templates", "POST /templates/{id}/recordings"]
    assert "new role `host` has `endRoom`" in [r.text for r in plan.changes[0].risks]
    assert plan.summary() == "Plan: 2 to create, 0 to update, 0 to disable."


def _room(name="lobby", **fields) -> LiveRoom:
    body = {"id": "r" * 24, "name": name, "template_id": "a" * 24, "enabled": True, "description": "",
            "region": "auto", "large_room": False, "size": 0, **fields}
    return LiveRoom(body["id"], name, body)


def test_room_disable_template_switch_and_webhook(tmp_path):
    live = LiveWorkspace(
        templates={"a": live_template("a", {"roles": {"h": {}}}), "b": live_template("b", {"roles": {"h": {}}}, tid="b" * 24)},
        rooms={"lobby": _room(webhook={"url": "https://old", "headers": {"X": "v"}})},
    )
    files = {"r.yaml": "kind: Room\nname: Lobby\ntemplate: b\nwebhook: {url: 'https://new', headers: {X: v2}}\n"}
    plan = plan_for(tmp_path, files, live)
    (change,) = [c for c in plan.changes if c.is_change]
    assert change.action == "update"
    assert "room `Lobby` moves from template `a` to `b`" in [r.text for r in change.risks]
    assert any("webhook URL changes" in r.text for r in change.risks)
    assert [str(r) for r in requests_for(change)] == ["POST /rooms"]
    # header values are write-only: only the url differs
    assert sorted(f.dotted for f in change.fields) == ["template", "webhook.url"]

    plan = plan_for(tmp_path, {"r.yaml": "kind: Room\nname: lobby\nenabled: false\n"}, live)
    (change,) = [c for c in plan.changes if c.is_change]
    assert change.action == "disable" and change.destroys


def test_unmanaged_live_objects_are_listed_not_changed(tmp_path):
    live = LiveWorkspace(templates={"legacy": live_template("legacy", {})}, rooms={"old": _room("old")})
    plan = plan_for(tmp_path, {"r.yaml": "kind: Template\nname: t\n"}, live)
    assert {(c.name, c.action) for c in plan.changes} == {("t", "create"), ("legacy", "unmanaged"), ("old", "unmanaged")}
    only_unmanaged = plan_for(tmp_path, {"r.yaml": "kind: Template\nname: legacy\n"}, live)
    assert not only_unmanaged.has_changes


def test_blast_radius_counts_enabled_rooms(tmp_path):
    live = LiveWorkspace(templates={"a": live_template("a", {"roles": {"h": {}}})},
                         rooms={"x": _room("x"), "y": _room("y"), "z": _room("z", enabled=False)})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: a\nroles:\n  h: {priority: 2}\n"}, live)
    change = next(c for c in plan.changes if c.is_change)
    assert change.blast_radius == 2 and "2 live rooms use this template" in [r.text for r in change.risks]


def test_plan_round_trips_through_json(tmp_path):
    live = LiveWorkspace(templates={"a": live_template("a", {"roles": {"h": {}}})})
    plan = plan_for(tmp_path, {"t.yaml": "kind: Template\nname: a\nroles:\n  h: {priority: 2}\n"}, live)
    again = Plan.from_json(plan.to_json())
    assert again.to_json() == plan.to_json()


def test_a_role_field_sent_as_null_plans_like_one_left_out(tmp_path):
    # found by the bad-input campaign: `allowed: null` made the risk notes raise
    files = {"t.yaml": "kind: Template\nname: t\nroles:\n  host:\n    publishParams: {allowed: null}\n    priority: null\n"}
    plan = plan_for(tmp_path, files, LiveWorkspace())
    (change,) = plan.changes
    assert change.action == "create"
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"host": {}}})})
    assert plan_for(tmp_path / "again", files, live).changes == []


def test_noise_cancellation_is_a_managed_plugin(tmp_path):
    # §10.2.6: added to the model with one edit; the catalogue carries it everywhere
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"h": {}}, "plugins": {"noiseCancellation": {"enabled": False}}})})
    files = {"t.yaml": "kind: Template\nname: t\nroles: {h: {}}\nplugins: {noiseCancellation: {enabled: true}}\n"}
    (change,) = [c for c in plan_for(tmp_path, files, live).changes if c.is_change]
    assert [(f.dotted, f.old, f.new) for f in change.fields] == [("plugins.noiseCancellation.enabled", False, True)]


@pytest.mark.parametrize("live_form", [
    {"permissions": {"admin": ["host", "cohost"]}, "mode": "caption"},
    [{"permissions": {"admin": ["cohost", "host"]}, "mode": "caption"}],
])
def test_the_transcriptions_plugin_compares_by_meaning_in_either_form(tmp_path, live_form):
    # §10.2.7: object in the REST docs, a one-item array in the policy clients receive
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"host": {}, "cohost": {}}, "plugins": {"transcriptions": live_form}})})
    for file_form in ("{permissions: {admin: [host, cohost]}, mode: caption}", "[{permissions: {admin: [cohost, host]}, mode: caption}]"):
        files = {"t.yaml": f"kind: Template\nname: t\nroles: {{host: {{}}, cohost: {{}}}}\nplugins:\n  transcriptions: {file_form}\n"}
        assert not plan_for(tmp_path, files, live).has_changes, file_form


def test_an_undeclared_settings_region_is_never_compared(tmp_path):
    # §10.1.2: no default is documented; an EU workspace's template must not plan a move
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"h": {}}, "settings": {"region": "eu"}})})
    files = {"t.yaml": "kind: Template\nname: t\nroles: {h: {}}\nsettings: {roomState: {enabled: false}}\n"}
    assert not plan_for(tmp_path, files, live).has_changes
    declared = {"t.yaml": "kind: Template\nname: t\nroles: {h: {}}\nsettings: {region: in}\n"}
    (change,) = [c for c in plan_for(tmp_path, declared, live).changes if c.is_change]
    assert [(f.dotted, f.old, f.new) for f in change.fields] == [("settings.region", "eu", "in")]


def test_actions_are_values_that_read_as_their_word():
    from hmsconf.plan.changes import Action

    assert [a.symbol for a in Action] == ["+", "~", "-", "+", "?"]
    assert f"{Action.DISABLE}" == "disable" and json.dumps([Action.CREATE]) == '["create"]'


def test_a_room_without_a_template_in_an_empty_workspace_is_stopped_at_plan(tmp_path):
    # found by a newcomer run: it used to pass plan and fail at apply with the API's 400
    desired, problems = desired_from(tmp_path, {"r.yaml": "kind: Room\nname: lobby\n"})
    assert not [p for p in problems if p.is_error]
    plan, errors = make_plan(desired, LiveWorkspace())
    assert errors and "names no template, and the workspace has none to default to" in errors[0]
    live = LiveWorkspace(templates={"t": live_template("t", {"roles": {"h": {}}})})
    assert make_plan(desired, live)[1] == []  # the workspace's default template serves


def test_the_readme_lists_every_risk_code_with_its_meaning():
    from pathlib import Path

    from hmsconf.plan.risks import RiskCode

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("##### Risk codes", 1)[1].split("\n\n", 2)[1]
    listed = [line for line in section.splitlines() if line.startswith("- ")]
    assert listed == [f"- `{code.value}`: {code.meaning}" for code in RiskCode]
