"""Campaigns, scaled for CI; HMSCONF_CAMPAIGN_SCALE=10 (or more) runs them at full size.

- crash: apply is SIGKILLed at random points; the local workspace file stays intact and the
  next plan + apply converge;
- stale plans: a saved plan applied after a concurrent change to an object it touches is refused.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from hmsconf.emulator.store import Store
from tests import cli
from tests.helpers import write_project

SCALE = int(os.environ.get("HMSCONF_CAMPAIGN_SCALE", "1"))


def big_project(root: Path, templates: int = 20, rooms: int = 50, variant: int = 0) -> None:
    files = {}
    for i in range(templates):
        files[f"templates/t{i:02d}.yaml"] = (
            f"kind: Template\nname: t{i:02d}\nroles:\n  host: {{permissions: {{endRoom: true}}, priority: {1 + variant % 5}}}\n"
            f"  guest: {{maxPeerCount: {10 + variant}}}\nsettings: {{region: eu}}\n"
            "recordings: [{name: r, role: host, trackRecording: {enabled: true}}]\n"
        )
    for i in range(rooms):
        files[f"rooms/r{i:02d}.yaml"] = f"kind: Room\nname: room-{i:02d}\ntemplate: t{i % templates:02d}\nsize: {20 + variant}\n"
    write_project(root, files)


def run(args, cwd):
    return cli.run(args, cwd=cwd, timeout=300)


def written(db: Path, variant: int) -> int:
    """How many objects of big_project(variant=...) the workspace file holds as that variant
    (read-only, beside a writer: the file is in WAL mode)."""
    if not db.exists():
        return 0
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        templates = connection.execute("SELECT body FROM templates").fetchall()
        rooms = connection.execute("SELECT body FROM rooms").fetchall()
    except sqlite3.OperationalError:  # the writer has not made the tables yet
        return 0
    finally:
        connection.close()
    guest = [json.loads(body).get("roles", {}).get("guest", {}).get("maxPeerCount") for (body,) in templates]
    return guest.count(10 + variant) + [json.loads(body).get("size") for (body,) in rooms].count(20 + variant)


@pytest.mark.campaign
def test_sigkill_during_apply_leaves_an_intact_workspace_that_converges(tmp_path):
    rng = random.Random(7)
    kills = 3 * SCALE
    total = 20 + 50
    db = tmp_path / ".hmsconf" / "local-workspace.db"
    for attempt in range(kills):
        big_project(tmp_path, variant=attempt)  # every object changes from the last attempt's variant
        proc = subprocess.Popen([*cli.hmsconf_command(), "apply", "--auto-approve", "--allow-destroy", "--force"],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli.debug_env())
        # the kill lands while apply is writing: after a random number of its writes, before the last
        after_writes = rng.randint(1, total // 2)
        while written(db, attempt) < after_writes and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL, "apply finished before the kill"
        assert 0 < written(db, attempt) < total, "the kill did not land while apply was writing"
        store = Store(db)
        assert store.integrity_ok()
        store.close()
        converge = run(["apply", "--auto-approve", "--allow-destroy", "--force"], tmp_path)
        assert converge.returncode == 0, converge.stdout[-2000:] + converge.stderr[-2000:]
        after = run(["plan", "--detailed-exitcode", "--format", "json"], tmp_path)
        assert after.returncode == 0, after.stdout[-2000:]
    store = Store(tmp_path / ".hmsconf" / "local-workspace.db")
    assert store.counts() == {"templates": 20, "rooms": 50}


@pytest.mark.campaign
def test_stale_saved_plans_are_always_refused(tmp_path):
    rng = random.Random(3)
    project = tmp_path / "p"
    big_project(project, templates=5, rooms=10)
    assert run(["apply", "--auto-approve"], project).returncode == 0
    refused = 0
    rounds = 5 * SCALE
    for round_ in range(rounds):
        big_project(project, templates=5, rooms=10, variant=round_ + 1)  # every object changes
        saved = tmp_path / "plan.json"
        assert run(["plan", "--out", str(saved)], project).returncode == 0
        touched = [c for c in json.loads(saved.read_text())["changes"] if c["action"] != "unmanaged"]
        victim = rng.choice(touched)
        # a concurrent change to one object the plan touches, made through the same workspace
        other = tmp_path / f"other-{round_}"
        write_project(other, {"hmsconf.yaml": f"workspaces:\n  local: {{file: {project / '.hmsconf' / 'local-workspace.db'}}}\n"})
        if victim["kind"] == "Template":
            (other / "t.yaml").write_text(f"kind: Template\nname: {victim['name']}\nsettings: {{region: us}}\n")
        else:
            (other / "r.yaml").write_text(f"kind: Room\nname: {victim['name']}\ndescription: changed by someone else {round_}\n")
        assert run(["apply", "--auto-approve"], other).returncode == 0
        applied = run(["apply", str(saved)], project)
        if applied.returncode == 1 and "changed since the plan was made" in applied.stderr:
            refused += 1
        else:
            print(applied.returncode, applied.stdout[-1000:], applied.stderr[-1000:])
        assert run(["apply", "--auto-approve", "--force"], project).returncode == 0  # converge for the next round
    assert refused == rounds


# --- faults: 20 templates and 50 rooms applied through 30 % failing requests -----------------


@pytest.mark.campaign
@pytest.mark.parametrize("seed", range(2 * SCALE))  # HMSCONF_CAMPAIGN_SCALE=50: 100 seeds
def test_faulty_api_apply_converges_with_no_duplicate_and_no_lost_field(tmp_path, faulty_emulator, seed):
    import asyncio

    from hmsconf.errors import ApiError, ConnectionFailed
    from tests.test_apply import fresh_plan, plan_and_apply

    emulator = faulty_emulator(0.3, seed=seed)
    big_project(tmp_path / "p")

    async def go():
        for _ in range(1, 30):
            async with emulator.client(retry_seconds=3, retry_attempts=4) as client:
                try:
                    _, outcome = await plan_and_apply(tmp_path / "p", client)
                except (ApiError, ConnectionFailed) as exc:  # reading ran out of retries: the next run goes on
                    assert str(exc)
                    continue
                if outcome.ok:
                    break
                assert all(label and message for label, message in outcome.failed)
        emulator.faults.rate = 0
        async with emulator.client() as client:
            return await fresh_plan(tmp_path / "p", client), await client.list_templates(), await client.list_rooms(enabled=None)

    plan, templates, rooms = asyncio.run(go())
    assert not [c for c in plan.changes if c.is_change]
    assert sorted(t["name"] for t in templates) == [f"t{i:02d}" for i in range(20)]  # no duplicates, none missing
    assert sorted(r["name"] for r in rooms) == [f"room-{i:02d}" for i in range(50)]
    assert sum(emulator.faults.injected.values()) > 0


# --- the emulator under load: 20 clients, mixed reads and writes ---------------------------------


@pytest.mark.campaign
def test_emulator_under_load_loses_no_write_and_serves_no_5xx(tmp_path):
    import asyncio

    from hmsconf.emulator.store import Store
    from tests.conftest import start_emulator

    seconds = 4 * SCALE  # HMSCONF_CAMPAIGN_SCALE=15: 60 s
    log = tmp_path / "access.log"
    running, server, thread = start_emulator(Store(tmp_path / "state.db"), access_log=str(log))
    last_written: dict[tuple[str, str], int] = {}  # (kind, name) -> the last value its one writer wrote
    shared_id: list[str] = []

    async def worker(number: int, client) -> int:
        rng = random.Random(number)
        operations = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            own = rng.randrange(3)  # each worker writes only its own three templates and rooms
            template, room = f"w{number}-t{own}", f"w{number}-room-{own}"
            value = rng.randint(1, 5000)
            action = rng.random()
            if action < 0.3:
                await client.create_template({"name": template, "roles": {"host": {"maxPeerCount": value}}})
                last_written[("Template", template)] = value
            elif action < 0.5:
                await client.create_room({"name": room, "size": value % 2500, "template_id": shared_id[0]})
                last_written[("Room", room)] = value % 2500
            elif action < 0.8:
                await client.list_templates()
            else:
                await client.list_rooms(enabled=True)
            operations += 1
        return operations

    async def load() -> tuple[int, list, list]:
        clients = [running.client() for _ in range(20)]
        # a room needs a template (the workspace's default one): made before the load starts
        shared_id.append((await clients[0].create_template({"name": "shared", "roles": {"host": {}}}))["id"])
        try:
            counts = await asyncio.gather(*(worker(i, c) for i, c in enumerate(clients)))
            return sum(counts), await clients[0].list_templates(), await clients[0].list_rooms(enabled=None)
        finally:
            for client in clients:
                await client.aclose()

    try:
        operations, templates, rooms = asyncio.run(load())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    statuses = [int(line.split()[2]) for line in log.read_text().splitlines()]
    assert statuses and not [s for s in statuses if s >= 500]
    by_name = {t["name"]: t for t in templates}
    rooms_by_name = {r["name"]: r for r in rooms}
    for (kind, name), value in last_written.items():
        if kind == "Template":
            assert by_name[name]["roles"]["host"]["maxPeerCount"] == value, name
        else:
            assert rooms_by_name[name]["size"] == value, name
    assert len(by_name) == len(templates) and len(rooms_by_name) == len(rooms)  # no duplicates
    assert running.store.integrity_ok()
    running.store.close()
    print(f"\n{operations} operations by 20 clients in {seconds} s ({operations / seconds:.0f}/s), "
          f"{len(statuses)} HTTP requests, 0 server errors, {len(last_written)} objects checked")
