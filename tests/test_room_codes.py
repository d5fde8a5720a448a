"""Room codes (reference §7) through plan and apply against the emulator over HTTP: which roles have
an enabled code is planned and applied; the codes themselves never appear in a plan."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from hmsconf.plan.apply import Applier
from hmsconf.plan.changes import requests_for
from hmsconf.render.plan import FORMATS
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import write_project

TEMPLATE = """
    kind: Template
    name: talk
    roles:
      host: {}
      guest: {}
      viewer: {}
"""


def room(codes: str | None = None, enabled: str | None = None) -> str:
    text = "kind: Room\nname: town-hall\ntemplate: talk\n"
    if codes is not None:
        text += f"room_codes: {codes}\n"
    if enabled is not None:
        text += f"enabled: {enabled}\n"
    return text


@pytest.fixture()
def project(tmp_path, emulator, monkeypatch):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)
    root = write_project(tmp_path / "p", {"hmsconf.yaml": "default_workspace: local\n", "templates/talk.yaml": TEMPLATE})

    def set_room(text: str) -> Path:
        (root / "rooms").mkdir(exist_ok=True)
        (root / "rooms" / "r.yaml").write_text(text)
        return root

    return set_room


def plan(root: Path, emulator):
    return planning.plan_workspace(str(root), None, emulator.url)


def apply(planned, emulator):
    async def go():
        async with emulator.client() as client:
            return await Applier(client, planned.plan, planned.desired, planned.live).run()

    outcome = asyncio.run(go())
    assert outcome.ok, outcome.failed
    return outcome


def live_codes(emulator) -> list[dict]:
    async def go():
        async with emulator.client() as client:
            found = await client.find_room_by_name("town-hall")
            return await client.list_room_codes(found["id"])

    return asyncio.run(go())


def enabled_roles(emulator) -> set[str]:
    return {c["role"] for c in live_codes(emulator) if c["enabled"]}


def code_fields(planned) -> dict[str, tuple]:
    change = next(c for c in planned.plan.changes if c.kind == "Room")
    return {".".join(map(str, f.path)): (f.old, f.new) for f in change.fields if f.path[0] == "room_codes"}


def test_a_new_room_gets_a_code_per_role_and_then_plans_nothing(project, emulator):
    root = project(room())
    planned = plan(root, emulator)
    room_change = next(c for c in planned.plan.changes if c.kind == "Room")
    assert code_fields(planned) == {f"room_codes.{r}": (None, "enabled") for r in ("host", "guest", "viewer")}
    assert [r.part for r in requests_for(room_change)] == ["room", "room-codes"]  # one request: a code per role
    apply(planned, emulator)
    assert enabled_roles(emulator) == {"host", "guest", "viewer"}
    # an existing room that does not declare room_codes is not managed: nothing to read or change
    again = plan(root, emulator)
    assert not again.plan.has_changes
    assert again.live.room_codes == {}


def test_disabled_roles_get_no_code_and_changes_converge(project, emulator):
    root = project(room("{disabled: [viewer]}"))
    planned = plan(root, emulator)
    assert code_fields(planned) == {"room_codes.host": (None, "enabled"), "room_codes.guest": (None, "enabled")}
    apply(planned, emulator)
    assert enabled_roles(emulator) == {"host", "guest"}
    assert not plan(root, emulator).plan.has_changes

    project(room("{disabled: [guest]}"))
    swapped = plan(root, emulator)
    assert code_fields(swapped) == {"room_codes.viewer": (None, "enabled"), "room_codes.guest": ("enabled", "disabled")}
    change = next(c for c in swapped.plan.changes if c.kind == "Room")
    assert change.action == "update" and {r.part for r in requests_for(change)} == {"room-code", "room-code-disable"}
    assert any("`viewer` get a room code" in r.text for r in change.risks)
    apply(swapped, emulator)
    assert enabled_roles(emulator) == {"host", "viewer"}
    assert not plan(root, emulator).plan.has_changes

    project(room("false"))
    off = plan(root, emulator)
    assert set(code_fields(off).values()) == {("enabled", "disabled")}
    apply(off, emulator)
    assert enabled_roles(emulator) == set()
    assert not plan(root, emulator).plan.has_changes


def test_no_codes_for_room_codes_false_or_a_disabled_room(project, emulator):
    for text in (room("false"), room(enabled="false")):
        planned = plan(project(text), emulator)
        assert code_fields(planned) == {}
        assert all(r.part not in ("room-codes", "room-code") for c in planned.plan.changes for r in requests_for(c))


def test_plan_output_never_holds_a_code(project, emulator):
    root = project(room())
    apply(plan(root, emulator), emulator)
    project(room("{disabled: [host]}"))
    planned = plan(root, emulator)
    codes = [c["code"] for c in live_codes(emulator)]
    assert codes
    rendered = [FORMATS[f](planned.plan, False) for f in ("text", "json", "markdown", "github")]
    rendered.append(json.dumps(planned.plan.to_json()))
    for text in rendered:
        assert not any(code in text for code in codes)
    assert "room_codes.host" in rendered[0] and '"enabled" -> "disabled"' in rendered[0]


def test_a_saved_plan_is_stale_once_the_codes_change(project, emulator):
    from hmsconf.errors import StalePlanError
    from hmsconf.plan.apply import check_fresh

    root = project(room("true"))
    apply(plan(root, emulator), emulator)
    project(room("{disabled: [guest]}"))
    saved = plan(root, emulator).plan
    guest = next(c["code"] for c in live_codes(emulator) if c["role"] == "guest")

    async def disable_by_hand():
        async with emulator.client() as client:
            await client.set_room_code_enabled(guest, False)
            found = await client.find_room_by_name("town-hall")
            await client.create_room_code(found["id"], "viewer")

    asyncio.run(disable_by_hand())
    with pytest.raises(StalePlanError):
        check_fresh(saved, plan(root, emulator).plan)


def test_codes_command_prints_them(project, emulator):
    root = project(room())
    apply(plan(root, emulator), emulator)
    from tests import cli

    env = {**os.environ, "NO_COLOR": "1", "HMS_ACCESS_KEY": ACCESS_KEY, "HMS_SECRET": SECRET}
    done = cli.run(["codes", "town-hall", "--project", str(root), "--api-url", emulator.url, "--format", "json"], env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert sorted(c["role"] for c in shown["codes"]) == ["guest", "host", "viewer"]
    assert {c["code"] for c in shown["codes"]} == {c["code"] for c in live_codes(emulator)}
    missing = cli.run(["codes", "nowhere", "--project", str(root), "--api-url", emulator.url], env=env, timeout=60)
    assert missing.returncode == 1 and "no room named `nowhere`" in missing.stderr and "Traceback" not in missing.stderr
