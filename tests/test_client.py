"""The API client against the emulator over real sockets: pages, tokens, retries, lost answers."""

from __future__ import annotations

import asyncio

import pytest

from hmsconf.api.auth import REFRESH_MARGIN_SECONDS, TokenSource
from hmsconf.api.client import ApiClient
from hmsconf.errors import ApiError, ConnectionFailed


def run(coro):
    return asyncio.run(coro)


def test_pagination_across_pages(emulator):
    async def go():
        async with emulator.client() as client:
            await client.gather(client.create_template({"name": f"t{i:03d}"}) for i in range(250))
            client.requests = 0
            names = [t["name"] for t in await client.list_templates()]
            return names, client.requests

    names, requests = run(go())
    assert sorted(names) == [f"t{i:03d}" for i in range(250)] and len(set(names)) == 250
    assert requests == 3  # 100 + 100 + 50


def test_token_is_refreshed_before_it_expires(emulator):
    tokens = TokenSource(emulator.access_key, emulator.secret, validity=REFRESH_MARGIN_SECONDS + 60)
    first = tokens.token(now=1_000_000)
    assert tokens.token(now=1_000_000 + 30) == first
    assert tokens.token(now=1_000_000 + 61) != first  # inside the margin: signed again

    async def go():
        async with ApiClient(emulator.url, tokens=tokens) as client:
            return await client.list_templates()

    assert run(go()) == []  # the fresh token is accepted


def test_401_is_retried_once_with_a_fresh_token(emulator):
    tokens = TokenSource(emulator.access_key, emulator.secret)
    tokens._token, tokens._expires = "not-a-jwt", 4_000_000_000  # a cached token the server refuses

    async def go():
        async with ApiClient(emulator.url, tokens=tokens) as client:
            await client.list_templates()
            return client.requests

    assert run(go()) == 2


def test_bad_credentials_are_one_sentence_without_the_secret(emulator):
    async def go():
        async with ApiClient(emulator.url, tokens=TokenSource(emulator.access_key, "wrong-secret-wrong-secret-wrong-00")) as client:
            await client.list_templates()

    with pytest.raises(ApiError) as caught:
        run(go())
    text = str(caught.value)
    assert caught.value.status == 401 and "HMS_SECRET" in text and "wrong-secret" not in text and "\n" not in text


@pytest.mark.parametrize("kinds", [("429",), ("500", "502", "503"), ("drop-before",), ("drop-after",)])
def test_transient_failures_are_retried(faulty_emulator, kinds):
    emulator = faulty_emulator(0.4, seed=3, kinds=kinds)

    async def go():
        async with emulator.client() as client:
            await client.gather(client.create_template({"name": f"t{i}", "roles": {"host": {}}}) for i in range(15))
            return await client.list_templates()

    templates = run(go())
    assert sorted(t["name"] for t in templates) == sorted(f"t{i}" for i in range(15))  # no duplicate, none lost
    assert sum(emulator.faults.injected.values()) > 0


def test_retry_after_is_honoured(faulty_emulator):
    """The wait the retry policy is asked for is the Retry-After the server sent (not the
    0.1 s default backoff): read from stamina's retry hook, not from a clock."""
    import stamina.instrumentation

    emulator = faulty_emulator(1.0, seed=1, kinds=("429",), retry_after=0.3)
    retries = []

    async def go():
        async with emulator.client(retry_seconds=5.0, retry_attempts=3, wait_max=0.2) as client:
            with pytest.raises(ApiError) as caught:
                await client.list_templates()
            return caught.value

    before = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([retries.append])
    try:
        error = run(go())
    finally:
        stamina.instrumentation.set_on_retry_hooks(before)
    assert error.status == 429 and "rate-limiting" in str(error)
    assert [r.retry_num for r in retries] == [1, 2]  # three attempts, two waits
    for retry in retries:
        sent = retry.caused_by.response
        assert sent.status_code == 429 and sent.headers["Retry-After"] == "0.3"
        assert retry.wait_for == pytest.approx(0.3)  # above wait_max: the server's word wins


def test_lost_create_answer_does_not_create_twice(faulty_emulator):
    emulator = faulty_emulator(0.5, seed=11, kinds=("drop-after",))

    async def go():
        async with emulator.client() as client:
            for i in range(10):
                await client.create_room({"name": f"room-{i}", "template_id": (await client.create_template({"name": "t"}))["id"]})
            return await client.list_rooms()

    rooms = run(go())
    assert sorted(r["name"] for r in rooms) == [f"room-{i}" for i in range(10)]
    assert emulator.faults.injected["drop-after"] > 0


def test_unreachable_url_is_one_sentence():
    async def go():
        async with ApiClient("http://127.0.0.1:9/v2", tokens=TokenSource("k", "s" * 32)) as client:
            await client.list_templates()

    with pytest.raises(ConnectionFailed, match="cannot reach http://127.0.0.1:9/v2"):
        run(go())


def test_validation_error_details_are_scrubbed_of_secrets(emulator):
    async def go():
        async with emulator.client() as client:
            tid = (await client.create_template({"name": "t"}))["id"]
            await client.post_settings(tid, {"recording": {"upload": {"type": "s3", "location": "b", "prefix": "p/", "credentials": {"key": 12345, "secretKey": "canary-xyz"}}}})

    with pytest.raises(ApiError) as caught:
        run(go())
    assert "canary-xyz" not in str(caught.value)


def test_local_workspace_file_goes_through_the_same_client(tmp_path):
    from hmsconf.api.connection import Connection, open_client

    async def go():
        async with open_client(Connection(file=str(tmp_path / "ws.db"))) as client:
            await client.create_template({"name": "local"})
            return [t["name"] for t in await client.list_templates()]

    assert run(go()) == ["local"]
    assert (tmp_path / "ws.db").exists()
