"""apply: safety checks, convergence under faults, and apply-then-plan-is-empty as a property."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsconf.api.connection import Connection, open_client
from hmsconf.errors import ApiError, ConnectionFailed, SafetyError
from hmsconf.plan.apply import Applier, SafetyThresholds, check_safety
from hmsconf.plan.changes import requests_for
from hmsconf.usecases import plan as planning
from tests.helpers import write_project


async def plan_and_apply(root, client, allow_destroy=True, force=True):
    prepared = planning.prepare(str(root), None)
    project, name, desired = prepared.project, prepared.workspace, prepared.desired
    live, plan = await planning.plan_with(client, project, name, desired)
    check_safety(plan, live, desired, SafetyThresholds(allow_destroy=allow_destroy, force=force))
    outcome = await Applier(client, plan, desired, live).run()
    return plan, outcome


async def fresh_plan(root, client):
    prepared = planning.prepare(str(root), None)
    project, name, desired = prepared.project, prepared.workspace, prepared.desired
    return (await planning.plan_with(client, project, name, desired))[1]


def local(tmp_path):
    return open_client(Connection(file=str(tmp_path / "ws.db")))


ROLE_NAMES = st.sampled_from(["host", "guest", "viewer", "co-host", "bot"])
PERMS = st.dictionaries(st.sampled_from(["endRoom", "mute", "unmute", "pollRead", "hlsStreaming", "rtmpStreaming"]), st.booleans(), max_size=4)
ROLE = st.fixed_dictionaries({}, optional={
    "permissions": PERMS,
    "priority": st.integers(1, 5),
    "maxPeerCount": st.integers(-1, 50),
    "publishParams": st.fixed_dictionaries({}, optional={
        "allowed": st.lists(st.sampled_from(["audio", "video", "screen"]), unique=True),
        "video": st.fixed_dictionaries({}, optional={"bitRate": st.integers(30, 2000), "width": st.integers(50, 1920)}),
    }),
})


@st.composite
def templates(draw):
    # `host` always exists: a recordings config left unmanaged in one project may name it
    # (removing the role a live recording config uses is refused by the API, rightly)
    roles = {"host": draw(ROLE), **draw(st.dictionaries(ROLE_NAMES, ROLE, max_size=3))}
    names = list(roles)
    for body in roles.values():
        if draw(st.booleans()):
            body["subscribeParams"] = {"subscribeToRoles": draw(st.lists(st.sampled_from(names), unique=True))}
    doc = {"kind": "Template", "name": draw(st.sampled_from(["alpha", "beta"])), "roles": roles}
    if draw(st.booleans()):
        doc["settings"] = {"region": draw(st.sampled_from(["in", "us", "eu"])),
                           "roomState": {"messageInterval": draw(st.sampled_from([5, 10, 60])), "enabled": draw(st.booleans())}}
    if draw(st.booleans()):
        doc["recordings"] = [] if draw(st.booleans()) else [{"name": "rec", "role": "host", "trackRecording": {"enabled": draw(st.booleans())}}]
    if draw(st.booleans()):
        doc["destinations"] = {} if draw(st.booleans()) else {"rtmpDestinations": {"yt": {"name": "yt", "rtmpUrls": ["rtmps://a/b"], "recordingEnabled": draw(st.booleans())}}}
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=st.lists(templates(), min_size=1, max_size=2), after=st.lists(templates(), min_size=1, max_size=2))
def test_apply_then_plan_is_empty_from_any_live_state(tmp_path_factory, before, after):
    """A random live state (made by applying one random project), then another random project."""
    root = tmp_path_factory.mktemp("p")

    def project(docs):
        unique = {d["name"]: d for d in docs}
        write_project(root, {"templates.yaml": yaml.safe_dump_all(list(unique.values()), sort_keys=False)})

    async def go():
        async with open_client(Connection(file=str(root / "ws.db"))) as client:
            project(before)
            await plan_and_apply(root, client)
            project(after)
            _, outcome = await plan_and_apply(root, client)
            assert outcome.ok, outcome.failed
            # the emulator stores what the catalogue says: reading back finds nothing stored differently
            assert not outcome.inconsistent, [i.to_json() for i in outcome.inconsistent]
            stored = {t["name"]: t for t in await client.list_templates()}
            for name in stored:
                stored[name]["recordings"] = await client.get_recordings(stored[name]["id"])
            return stored, await fresh_plan(root, client)

    stored, plan = asyncio.run(go())
    # judged against what the emulator stored, with no hmsconf code in between ...
    for doc in {d["name"]: d for d in after}.values():
        assert_stored(doc, stored[doc["name"]])
    # ... and by the planner: nothing left to do
    assert not plan.has_changes, [(c.name, [f.dotted for f in c.fields]) for c in plan.changes if c.is_change]


def assert_stored(doc: dict, live: dict) -> None:
    """What the file declares is what the server holds: the roles exactly (roles are
    authoritative), every declared value equal, lists of names as sets; a declared empty
    part is empty."""
    assert set(live["roles"]) == set(doc["roles"]), (doc["name"], set(live["roles"]))
    for key in ("roles", "settings", "recordings"):
        if key in doc:
            assert_holds(live[key], doc[key], f"{doc['name']}.{key}")
    if "destinations" in doc:
        rtmp = doc["destinations"].get("rtmpDestinations", {})
        assert set((live.get("destinations") or {}).get("rtmpDestinations") or {}) == set(rtmp), doc["name"]
        assert_holds(live["destinations"], doc["destinations"], f"{doc['name']}.destinations")


# Reference §3.5, written out here so the judge shares no code with hmsconf: a response lists the
# flags that were sent plus the three default-true ones; a flag never sent is absent and means its default.
PERMISSION_DEFAULTS = {flag: False for flag in ("endRoom", "removeOthers", "mute", "unmute", "changeRole",
                                                "sendRoomState", "pollRead", "pollWrite")}
PERMISSION_DEFAULTS |= {"browserRecording": True, "rtmpStreaming": True, "hlsStreaming": True}


def assert_holds(live, declared, where: str) -> None:
    if isinstance(declared, dict):
        assert isinstance(live, dict), where
        if where.endswith(".permissions"):
            live = {**PERMISSION_DEFAULTS, **live}
        for key, value in declared.items():
            assert key in live, f"{where}.{key} missing"
            assert_holds(live[key], value, f"{where}.{key}")
    elif isinstance(declared, list) and all(isinstance(v, str) for v in declared):
        assert sorted(set(live)) == sorted(declared), where
    elif isinstance(declared, list):
        assert isinstance(live, list) and len(live) == len(declared), where
        for index, (have, want) in enumerate(zip(live, declared)):
            assert_holds(have, want, f"{where}[{index}]")
    else:
        assert live == declared, f"{where}: {live!r} != {declared!r}"


PROJECT = {
    "t.yaml": "\n---\n".join(
        f"kind: Template\nname: t{i}\nroles:\n  host: {{permissions: {{endRoom: true}}}}\n  guest: {{priority: 3}}\n"
        f"settings: {{region: eu}}\nrecordings: [{{name: r, role: host, trackRecording: {{enabled: true}}}}]\n"
        for i in range(5)
    ),
    "r.yaml": "\n---\n".join(f"kind: Room\nname: room-{i}\ntemplate: t{i % 5}\nsize: {10 + i}\n" for i in range(10)),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_apply_under_faults_converges_with_reruns(tmp_path, faulty_emulator, seed):
    emulator = faulty_emulator(0.3, seed=seed)
    write_project(tmp_path, PROJECT)

    async def go():
        runs = 0
        for runs in range(1, 12):
            async with emulator.client(retry_seconds=2, retry_attempts=3) as client:
                try:
                    _, outcome = await plan_and_apply(tmp_path, client)
                except (ApiError, ConnectionFailed) as exc:  # reading ran out of retries: the next run goes on
                    assert str(exc)
                    continue
                if outcome.ok:
                    break
                assert all(label and message for label, message in outcome.failed)
        emulator.faults.rate = 0
        async with emulator.client() as client:
            plan = await fresh_plan(tmp_path, client)
            templates = await client.list_templates()
            rooms = await client.list_rooms()
        return runs, plan, templates, rooms

    runs, plan, templates, rooms = asyncio.run(go())
    assert not plan.has_changes
    assert sum(emulator.faults.injected.values()) > 0
    assert sorted(t["name"] for t in templates) == [f"t{i}" for i in range(5)]
    assert sorted(r["name"] for r in rooms) == [f"room-{i}" for i in range(10)]


def test_role_removal_needs_allow_destroy(tmp_path):
    write_project(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\n  guest: {}\n"})

    async def go():
        async with local(tmp_path) as client:
            await plan_and_apply(tmp_path, client)
            write_project(tmp_path, {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {}\n"})
            with pytest.raises(SafetyError, match="--allow-destroy"):
                await plan_and_apply(tmp_path, client, allow_destroy=False)
            plan, outcome = await plan_and_apply(tmp_path, client, allow_destroy=True)
            return plan, outcome

    plan, outcome = asyncio.run(go())
    assert outcome.ok and [str(r).split()[0] for r in requests_for(plan.changes[0])] == ["DELETE"]


def test_large_share_of_changes_needs_force(tmp_path):
    files = {"t.yaml": "\n---\n".join(f"kind: Template\nname: t{i}\nsettings: {{region: in}}\n" for i in range(10))}
    write_project(tmp_path, files)

    async def go():
        async with local(tmp_path) as client:
            await plan_and_apply(tmp_path, client)
            write_project(tmp_path, {"t.yaml": files["t.yaml"].replace("region: in", "region: eu")})
            with pytest.raises(SafetyError, match="--force"):
                await plan_and_apply(tmp_path, client, force=False)

    asyncio.run(go())


def test_protected_objects_are_never_touched(tmp_path):
    write_project(tmp_path, {"hmsconf.yaml": "protect: {templates: [t]}\n", "t.yaml": "kind: Template\nname: t\nsettings: {region: in}\n"})

    async def go():
        async with local(tmp_path) as client:
            await plan_and_apply(tmp_path, client)  # creating it is allowed
            write_project(tmp_path, {"t.yaml": "kind: Template\nname: t\nsettings: {region: eu}\n"})
            with pytest.raises(SafetyError, match="protected"):
                await plan_and_apply(tmp_path, client)

    asyncio.run(go())


def test_room_template_switch_and_disable_apply(tmp_path):
    base = "kind: Template\nname: a\n---\nkind: Template\nname: b\n"
    write_project(tmp_path, {"t.yaml": base, "r.yaml": "kind: Room\nname: lobby\ntemplate: a\n"})

    async def go():
        async with local(tmp_path) as client:
            await plan_and_apply(tmp_path, client)
            write_project(tmp_path, {"r.yaml": "kind: Room\nname: lobby\ntemplate: b\nenabled: false\n"})
            plan, outcome = await plan_and_apply(tmp_path, client)
            assert outcome.ok, outcome.failed
            room = (await client.list_rooms(enabled=False))[0]
            return plan, room, await fresh_plan(tmp_path, client)

    plan, room, after = asyncio.run(go())
    assert room["template"] == "b" and room["enabled"] is False
    assert not after.has_changes
