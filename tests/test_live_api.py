"""Read-only checks against the real 100ms API; run only when credentials are given."""

from __future__ import annotations

import asyncio
import os

import pytest

from hmsconf.api.auth import TokenSource
from hmsconf.api.client import DEFAULT_API_URL, ApiClient

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (os.environ.get("HMS_ACCESS_KEY") and os.environ.get("HMS_SECRET")),
                       reason="set HMS_ACCESS_KEY and HMS_SECRET to run against the real API"),
]


def client() -> ApiClient:
    return ApiClient(os.environ.get("HMSCONF_API_URL", DEFAULT_API_URL),
                     tokens=TokenSource(os.environ["HMS_ACCESS_KEY"], os.environ["HMS_SECRET"]))


def test_list_templates_and_rooms_read_only():
    async def go():
        async with client() as api:
            templates = await api.list_templates()
            rooms = await api.list_rooms()
            return templates, rooms

    templates, rooms = asyncio.run(go())
    assert all(len(t["id"]) == 24 and "roles" in t for t in templates)
    assert all("name" in r for r in rooms)
