"""Fixtures: a real emulator server on a free port (uvicorn in a thread), and clients for it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest

from hmsconf.api.auth import TokenSource
from hmsconf.api.client import ApiClient
from hmsconf.emulator.app import create_app
from hmsconf.emulator.faults import Faults
from hmsconf.emulator.server import bind
from hmsconf.emulator.store import Store

ACCESS_KEY = "fixture-access-key"
SECRET = "fixture-secret-0123456789abcdef0123456789"


@dataclass
class RunningEmulator:
    url: str
    store: Store
    faults: Faults | None
    access_key: str = ACCESS_KEY
    secret: str = SECRET

    def client(self, **options) -> ApiClient:
        options.setdefault("retry_seconds", 20)
        options.setdefault("wait_max", 0.2)
        return ApiClient(self.url, tokens=TokenSource(self.access_key, self.secret), **options)


def start_emulator(store: Store, faults: Faults | None = None, latency_ms: float = 0, access_log: str | None = None,
                   wrap=None):
    """``wrap``: an ASGI middleware put around the emulator's app (a test's own refusals)."""
    import uvicorn

    sock = bind("127.0.0.1", 0)
    app = create_app(store, access_key=ACCESS_KEY, secret=SECRET, faults=faults, latency_ms=latency_ms, access_log=access_log)
    app = wrap(app) if wrap else app
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.01)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/v2"
    return RunningEmulator(url, store, faults), server, thread


@pytest.fixture(autouse=True)
def exit_codes_are_checked():
    """Every `hmsconf` subprocess a test runs (tests/cli.py) has its exit code looked at."""
    from tests.cli import unchecked_results

    unchecked_results()
    yield
    left = unchecked_results()
    assert not left, f"the exit code of these runs was never checked: {left}"


@pytest.fixture()
def emulator(tmp_path):
    running, server, thread = start_emulator(Store(tmp_path / "state.db"))
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    running.store.close()


@pytest.fixture()
def http(emulator):
    """A plain HTTP client on the emulator, with a management token: for checking raw API answers."""
    import httpx

    from hmsconf.api.auth import management_token

    token = management_token(ACCESS_KEY, SECRET)
    with httpx.Client(base_url=emulator.url, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture()
def faulty_emulator(tmp_path):
    """A factory: faulty_emulator(rate=0.3, seed=1, kinds=(...)); faulty_emulator(0, store=S): a server
    whose store (a Store subclass) stores some things its own way, with no faults."""
    started = []

    def make(rate: float, seed: int = 0, kinds: tuple[str, ...] | None = None, retry_after: float = 0.05, store: type = Store):
        faults = Faults(rate, seed, retry_after, **({"kinds": kinds} if kinds else {})) if rate else None
        running, server, thread = start_emulator(store(tmp_path / f"state-{len(started)}.db"), faults)
        started.append((running, server, thread))
        return running

    yield make
    for running, server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()
