"""--parallelism and --max-rate (and their hmsconf.yaml twins): the emulator's access log
shows the requests spaced out; a 429's Retry-After is still waited out. No wall-clock
assertions: the timestamps the server recorded (with generous bounds) and the limiter's
own accounting."""

from __future__ import annotations

import asyncio

import pytest

from hmsconf.api.pacing import Pace, Pacing
from hmsconf.emulator.faults import Faults
from hmsconf.emulator.store import Store
from hmsconf.errors import HmsconfError
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET, start_emulator
from tests.helpers import project_at, write_project


@pytest.fixture()
def logged(tmp_path):
    """A factory of emulators with an access log: logged(faults=None) -> (running, log path)."""
    started = []

    def make(faults: Faults | None = None):
        log = tmp_path / f"access-{len(started)}.log"
        running, server, thread = start_emulator(Store(tmp_path / f"state-{len(started)}.db"), faults, access_log=str(log))
        started.append((running, server, thread))
        return running, log

    yield make
    for running, server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


def arrivals(log) -> list[float]:
    return sorted(float(line.split()[4]) for line in log.read_text().splitlines())


def busiest(times: list[float], window: float) -> int:
    most, first = 0, 0
    for last in range(len(times)):
        while times[last] - times[first] > window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_max_rate_spaces_requests_out(logged):
    running, log = logged()
    template = running.store.create_template({"name": "t", "roles": {"host": {}}})

    async def burst(**options):
        async with running.client(**options) as client:
            await client.gather(client.get_template(template["id"]) for _ in range(60))
            return client

    planning.run(burst())  # unpaced: the server sees a burst
    unpaced = arrivals(log)
    log.write_text("")
    client = planning.run(burst(max_rate=100))
    paced = arrivals(log)
    assert len(paced) == len(client.pace.granted) == 60
    # the limiter's own accounting: never two requests closer than 1/100 s (10 ms),
    # so at most 11 in any 100 ms
    assert client.pace.busiest(0.1) <= 11
    # what the server saw, with room for scheduling noise; the unpaced burst is far above it
    assert busiest(paced, 0.1) <= 15
    assert busiest(unpaced, 0.1) > 15


def test_retry_after_is_still_honoured_when_paced(logged):
    running, log = logged(Faults(0.4, seed=3, retry_after=0.3, kinds=("429",)))
    template = running.store.create_template({"name": "t", "roles": {"host": {}}})

    async def one_by_one():
        async with running.client(max_rate=50) as client:
            for _ in range(8):
                await client.get_template(template["id"])

    planning.run(one_by_one())
    lines = [line.split() for line in log.read_text().splitlines()]
    throttled = [i for i, line in enumerate(lines) if line[2] == "429"]
    assert throttled, "the seed gives some 429s"
    assert sum(line[2] == "200" for line in lines) == 8
    for i in throttled:  # requests went one at a time: the next one waited the Retry-After
        assert float(lines[i + 1][4]) - float(lines[i][4]) >= 0.25


def test_parallelism_bounds_requests_in_flight(logged):
    running, _ = logged()
    template = running.store.create_template({"name": "t", "roles": {"host": {}}})
    in_flight, most = 0, 0

    async def run():
        nonlocal in_flight, most
        async with running.client(concurrency=3) as client:
            send = client._http.request

            async def counting(*args, **kwargs):
                nonlocal in_flight, most
                in_flight += 1
                most = max(most, in_flight)
                try:
                    return await send(*args, **kwargs)
                finally:
                    in_flight -= 1

            client._http.request = counting
            await client.gather(client.get_template(template["id"]) for _ in range(30))

    planning.run(run())
    assert most == 3


PROJECT = {
    "hmsconf.yaml": """
        workspaces:
          emu: {api_url: "${env:EMU_URL}", access_key: "${env:EMU_KEY}", secret: "${env:EMU_SECRET}", max_rate: 40, parallelism: 4}
          local: {file: .hmsconf/ws.db}
    """,
    **{f"templates/t{i}.yaml": f"""
        kind: Template
        name: t{i}
        roles: {{host: {{}}}}
        recordings: [{{name: r, role: host, trackRecording: {{enabled: true}}}}]
    """ for i in range(25)},
}


def test_a_workspace_paces_itself_from_hmsconf_yaml(logged, tmp_path, monkeypatch):
    running, log = logged()
    monkeypatch.setenv("EMU_URL", running.url)
    monkeypatch.setenv("EMU_KEY", ACCESS_KEY)
    monkeypatch.setenv("EMU_SECRET", SECRET)
    project = write_project(tmp_path / "p", PROJECT)
    for i in range(25):  # live templates with recordings: the plan reads each one's recordings
        running.store.create_template({"name": f"t{i}", "roles": {"host": {}}})
    log.write_text("")
    planned = planning.plan_workspace(str(project), "emu", None)
    seen = arrivals(log)
    assert len(seen) >= 27 and len(planned.plan.changes) == 25  # a page, two room lists, 25 recordings reads
    assert busiest(seen, 0.25) <= 40 * 0.25 + 1 + 4  # paced at 40/s (unpaced all 27+ come at once)
    connection = planning._connection(project_at(project), "emu", None)
    assert (connection.parallelism, connection.max_rate) == (4, 40.0)
    # the command line wins over hmsconf.yaml
    faster = planning._connection(project_at(project), "emu", None, Pacing(parallelism=None, max_rate=1000))
    assert (faster.parallelism, faster.max_rate) == (4, 1000.0)


@pytest.mark.parametrize("entry, message", [
    ("{file: x.db, max_rate: 0}", "max_rate must be a number of requests per second above 0"),
    ("{file: x.db, max_rate: fast}", "max_rate must be a number"),
    ("{file: x.db, parallelism: 0}", "parallelism must be a whole number of 1 or more"),
    ("{file: x.db, parallelism: 2.5}", "parallelism must be a whole number"),
])
def test_bad_pacing_in_hmsconf_yaml_is_a_clear_error(tmp_path, entry, message):
    from hmsconf.api.connection import connection_for

    project = write_project(tmp_path / "p", {"hmsconf.yaml": f"workspaces:\n  w: {entry}\n"})
    with pytest.raises(HmsconfError, match=message):
        connection_for(project_at(project), "w")


def test_validate_checks_pacing_in_hmsconf_yaml(tmp_path):
    from hmsconf.config.check import check_workspace

    project = write_project(tmp_path / "p", {"hmsconf.yaml": "workspaces:\n  w: {file: x.db, max_rate: -1, parallelism: 0}\n"})
    loaded = project_at(project)
    _, found = check_workspace(loaded, "w")
    said = " ".join(d.message for d in [*loaded.diagnostics, *found])
    assert "max_rate" in said and "parallelism" in said


def test_the_pace_accounts_for_itself():
    async def take(pace: Pace, n: int) -> None:
        for _ in range(n):
            await pace.wait()

    pace = Pace(200)
    asyncio.run(take(pace, 12))
    gaps = [b - a for a, b in zip(pace.granted, pace.granted[1:])]
    assert len(pace.granted) == 12 and min(gaps) >= 1 / 200 * 0.9
    with pytest.raises(ValueError):
        Pace(0)
