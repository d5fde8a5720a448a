"""apply against every fault kind of the emulator (emulator/faults.py) on every endpoint apply
uses: the fault is injected exactly once, on the first request to that endpoint, by the
emulator's own fault machinery (a Faults that knows which request it is answering); apply must
still finish, leave the workspace as the files say (plan empty), and duplicate nothing (a create
whose answer was lost is found by name, not made twice; one enabled room code per role)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import pytest
import yaml

from hmsconf.emulator.faults import FAULTS, Faults
from hmsconf.emulator.store import Store
from tests.conftest import start_emulator
from tests.helpers import write_project
from tests.test_apply import fresh_plan, plan_and_apply

_request: ContextVar[tuple[str, str]] = ContextVar("request", default=("", ""))


class OneShot(Faults):
    """Injects the armed fault kind into the first request that matches, then nothing."""

    def __init__(self) -> None:
        super().__init__(rate=1.0, seed=0, retry_after=0.01)
        self.armed: tuple[str, str, str] | None = None  # (kind, method, path pattern)
        self.fired: list[tuple[str, str, str]] = []

    def pick(self) -> str | None:
        if self.armed is None:
            return None
        kind, method, pattern = self.armed
        have_method, path = _request.get()
        if have_method != method or not re.fullmatch(pattern, path):
            return None
        self.armed = None
        self.fired.append((kind, method, path))
        return kind


def knowing_the_request(app):
    """ASGI middleware: lets OneShot.pick see the request it is answering."""

    async def serve(scope, receive, send):
        token = _request.set((scope.get("method", ""), scope.get("path", "")))
        try:
            return await app(scope, receive, send)
        finally:
            _request.reset(token)

    return serve


@dataclass
class State:
    """The project's files, as a few knobs."""

    priority: int = 2
    region: str = "eu"
    rtmp_recording: bool = True
    track_recording: bool = True
    extra_role: bool = True
    size: int = 10
    codes: object = True
    templates: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def files(self) -> dict[str, str]:
        roles = {"host": {"permissions": {"endRoom": True}}, "guest": {"priority": self.priority}}
        if self.extra_role:
            roles["extra"] = {}
        roles.update({name: {} for name in self.roles})
        template = {
            "kind": "Template", "name": "t", "roles": roles,
            "settings": {"region": self.region},
            "destinations": {"rtmpDestinations": {"yt": {"name": "yt", "rtmpUrls": ["rtmps://a.example.com/live/k"],
                                                         "recordingEnabled": self.rtmp_recording}}},
            "recordings": [{"name": "rec", "role": "host", "trackRecording": {"enabled": self.track_recording}}],
        }
        docs = [template, *({"kind": "Template", "name": n, "roles": {"host": {}}} for n in self.templates)]
        docs.append({"kind": "Room", "name": "room", "template": "t", "size": self.size, "room_codes": self.codes})
        docs.extend({"kind": "Room", "name": n, "template": "t"} for n in self.rooms)
        return {"all.yaml": yaml.safe_dump_all(docs, sort_keys=False)}


ID = r"[0-9a-f]{24}"
# endpoint -> (method, path pattern, set-up before the step, the step that needs the endpoint)
ENDPOINTS = {
    "list templates": ("GET", r"/v2/templates", None, lambda s, k: replace(s, priority=5 - s.priority)),
    "list rooms": ("GET", r"/v2/rooms", None, lambda s, k: replace(s, size=s.size + 1)),
    "read recordings": ("GET", rf"/v2/templates/{ID}/recordings", None, lambda s, k: replace(s, size=s.size + 1)),
    "list room codes": ("GET", rf"/v2/room-codes/room/{ID}", None, lambda s, k: replace(s, size=s.size + 1)),
    "create template": ("POST", r"/v2/templates", None, lambda s, k: replace(s, templates=[*s.templates, f"new-{k}"])),
    "update template": ("POST", rf"/v2/templates/{ID}", None,  # roles and settings: the whole template, once
                        lambda s, k: replace(s, priority=5 - s.priority, region="us" if s.region == "eu" else "eu")),
    "update role": ("POST", rf"/v2/templates/{ID}/roles/guest", None, lambda s, k: replace(s, priority=5 - s.priority)),
    "remove role": ("DELETE", rf"/v2/templates/{ID}/roles/extra", lambda s: replace(s, extra_role=True),
                    lambda s, k: replace(s, extra_role=False)),
    "settings": ("POST", rf"/v2/templates/{ID}/settings", None, lambda s, k: replace(s, region="us" if s.region == "eu" else "eu")),
    "destinations": ("POST", rf"/v2/templates/{ID}/destinations", None, lambda s, k: replace(s, rtmp_recording=not s.rtmp_recording)),
    "recordings": ("POST", rf"/v2/templates/{ID}/recordings", None, lambda s, k: replace(s, track_recording=not s.track_recording)),
    "create room": ("POST", r"/v2/rooms", None, lambda s, k: replace(s, rooms=[*s.rooms, f"room-{k}"])),
    "update room": ("POST", rf"/v2/rooms/{ID}", None, lambda s, k: replace(s, size=s.size + 1)),
    "create room codes": ("POST", rf"/v2/room-codes/room/{ID}", None, lambda s, k: replace(s, rooms=[*s.rooms, f"coded-{k}"])),
    "create a role's room code": ("POST", rf"/v2/room-codes/room/{ID}/role/new-{{kind}}", None,
                                  lambda s, k: replace(s, roles=[*s.roles, f"new-{k}"])),
    "disable a room code": ("POST", r"/v2/room-codes/code", lambda s: replace(s, codes=True),
                            lambda s, k: replace(s, codes={"disabled": ["guest"]})),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_apply_survives_every_fault_kind_on(endpoint, tmp_path):
    method, pattern, setup, step = ENDPOINTS[endpoint]
    faults = OneShot()
    running, server, thread = start_emulator(Store(tmp_path / "state.db"), faults, wrap=knowing_the_request)
    root = tmp_path / "p"

    async def apply(state: State):
        write_project(root, state.files())
        async with running.client(retry_seconds=10, wait_max=0.05) as client:
            _, outcome = await plan_and_apply(root, client)
        return outcome

    async def go():
        state = State()
        assert (await apply(state)).ok
        for kind in FAULTS:
            if setup is not None:
                state = setup(state)
                assert (await apply(state)).ok
            state = step(state, kind)
            faults.armed = (kind, method, pattern.replace("{kind}", re.escape(kind)))
            outcome = await apply(state)
            assert faults.armed is None, f"{endpoint}: apply never reached it"
            assert [f[0] for f in faults.fired] == [kind]
            faults.fired.clear()
            assert outcome.ok, (kind, outcome.failed)
            async with running.client() as client:
                assert not (await fresh_plan(root, client)).has_changes, kind
                templates = [t["name"] for t in await client.list_templates()]
                rooms = await client.list_rooms(enabled=None)
                codes = {r["name"]: await client.list_room_codes(r["id"], enabled=True) for r in rooms}
            assert sorted(templates) == sorted(["t", *state.templates]), kind  # none missing, none twice
            assert sorted(r["name"] for r in rooms) == sorted(["room", *state.rooms]), kind
            for room, enabled in codes.items():
                twice = [role for role, n in Counter(c["role"] for c in enabled).items() if n > 1]
                assert not twice, f"{kind}: room `{room}` has several enabled codes for {twice}"

    try:
        asyncio.run(go())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()
