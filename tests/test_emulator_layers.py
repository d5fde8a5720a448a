"""The order of the emulator's middleware (``emulator/middleware.py``), pinned: what a request
meets first decides what the client sees when several things go wrong at once."""

from __future__ import annotations

import httpx
import pytest

from hmsconf.api.auth import management_token
from hmsconf.emulator.app import create_app
from hmsconf.emulator.faults import Faults
from hmsconf.emulator.middleware import (
    AccessLog,
    ErrorResponses,
    FaultInjection,
    Latency,
    ResponseCache,
    TokenCheck,
)
from hmsconf.emulator.routes import Endpoint
from hmsconf.emulator.store import Store
from tests.conftest import ACCESS_KEY, SECRET, start_emulator

AUTH = {"Authorization": f"Bearer {management_token(ACCESS_KEY, SECRET)}"}


def _chain(app: object) -> list[type]:
    """The classes a route's request passes through, outermost first."""
    found = []
    while not isinstance(app, Endpoint):
        found.append(type(app))
        app = app.app  # type: ignore[attr-defined]
    return [*found, Endpoint]


def test_each_route_is_wrapped_outermost_first_in_the_documented_order(tmp_path):
    app = create_app(Store(), access_key=ACCESS_KEY, secret=SECRET, faults=Faults(0.1), latency_ms=5,
                     access_log=str(tmp_path / "access.log"))
    chains = {(route.path, tuple(sorted(route.methods))): _chain(route.app) for route in app.routes}
    everywhere = [AccessLog, ErrorResponses, Latency, TokenCheck, FaultInjection]
    assert chains[("/v2/templates/{tid}", ("GET", "HEAD"))] == [*everywhere, ResponseCache, Endpoint]
    others = {key: chain for key, chain in chains.items() if key != ("/v2/templates/{tid}", ("GET", "HEAD"))}
    assert len(others) == 12 and all(chain == [*everywhere, Endpoint] for chain in others.values())


def test_layers_left_out_when_not_asked_for():
    app = create_app(Store(), access_key=ACCESS_KEY, secret=SECRET)
    assert {tuple(_chain(route.app)) for route in app.routes} == {
        (ErrorResponses, TokenCheck, ResponseCache, Endpoint), (ErrorResponses, TokenCheck, Endpoint)}


@pytest.fixture()
def served(tmp_path):
    """start(faults) -> (url, faults, the access log's lines so far)."""
    started = []

    def start(faults: Faults):
        log = tmp_path / f"access-{len(started)}.log"
        running, server, thread = start_emulator(Store(), faults, access_log=str(log))
        started.append((running, server, thread))
        return running.url, lambda: [line.split()[:3] for line in log.read_text().splitlines()]

    yield start
    for running, server, thread in started:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


def test_the_token_is_checked_before_a_fault_is_drawn(served):
    faults = Faults(1.0, kinds=("503",))
    url, log = served(faults)
    refused = httpx.get(f"{url}/templates")
    assert refused.status_code == 401 and faults.injected["503"] == 0  # a refused request draws no fault
    assert httpx.get(f"{url}/templates", headers=AUTH).status_code == 503
    assert faults.injected["503"] == 1
    assert log() == [["GET", "/v2/templates", "401"], ["GET", "/v2/templates", "503"]]


def test_a_fault_comes_before_the_handler_and_the_cache(served):
    faults = Faults(0.0, kinds=("429",))
    url, log = served(faults)
    with httpx.Client(base_url=url, headers=AUTH) as http:
        tid = http.post("/templates", json={"name": "t", "roles": {"host": {}}}).json()["id"]
        assert http.get(f"/templates/{tid}").status_code == 200  # now cached
        faults.rate = 1.0
        assert http.get(f"/templates/{tid}").status_code == 429  # the cached answer fails too
        assert http.post("/templates", content=b"not json").status_code == 429  # the handler never read it
        faults.rate = 0.0
        assert http.get(f"/templates/{tid}").json()["id"] == tid
    assert [line[2] for line in log()] == ["200", "200", "429", "429", "200"]


def test_a_dropped_answer_is_logged_as_status_0_and_a_write_dropped_after_is_applied(served):
    faults = Faults(1.0, kinds=("drop-after",))
    url, log = served(faults)
    with httpx.Client(base_url=url, headers=AUTH) as http:
        with pytest.raises(httpx.TransportError):
            http.post("/templates", json={"name": "kept", "roles": {"host": {}}})
        with pytest.raises(httpx.TransportError):  # a read is dropped before the handler
            http.get("/templates")
        # a refused write is answered, not dropped: the error comes out before the drop
        refused = http.post("/templates", content=b"not json")
        assert refused.status_code == 400 and refused.json()["details"] == ["the body is not valid JSON"]
        faults.rate = 0.0
        assert [t["name"] for t in http.get("/templates").json()["data"]] == ["kept"]
    assert [line[2] for line in log()] == ["0", "0", "400", "200"]


def test_unknown_paths_and_methods_skip_every_layer(served):
    faults = Faults(1.0, kinds=("503",))
    url, log = served(faults)
    unknown = httpx.get(url.replace("/v2", "/nowhere"))  # no token: still Starlette's plain 404
    assert (unknown.status_code, unknown.text) == (404, "Not Found")
    wrong = httpx.delete(f"{url}/templates/x", headers=AUTH)
    assert (wrong.status_code, wrong.text) == (405, "Method Not Allowed")
    assert faults.injected["503"] == 0 and log() == []
