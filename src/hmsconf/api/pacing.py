"""How fast the client talks to a workspace: requests in flight and requests per second.

For accounts with tight limits. ``parallelism`` bounds the requests in flight
(the client's semaphore); ``max_rate`` spaces requests out to at most that many
per second. The spacing is aiolimiter's leaky bucket (the token bucket's twin)
of capacity one: a request goes out only when the bucket has drained, so
requests are evenly spaced and never burst, whatever window the server counts
in. Every request passes here, retries included; a 429's Retry-After is waited
out by the retry loop on top of it.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass


@dataclass(frozen=True)
class Pacing:
    """What the command line (or hmsconf.yaml) says; None keeps the default."""

    parallelism: int | None = None
    max_rate: float | None = None  # requests per second


class Pace:
    """At most ``rate`` requests per second, evenly spaced, for one client (one event loop)."""

    def __init__(self, rate: float) -> None:
        from aiolimiter import AsyncLimiter

        if not rate > 0:
            raise ValueError("the rate must be above 0")
        self.rate = rate
        self._bucket = AsyncLimiter(1, 1 / rate)
        # the limiter's own accounting: when each request was let through (time.monotonic())
        self.granted = array("d")

    async def wait(self) -> None:
        await self._bucket.acquire()
        self.granted.append(time.monotonic())

    def busiest(self, window: float) -> int:
        """The most requests let through within any ``window`` seconds."""
        times, most, first = self.granted, 0, 0
        for last in range(len(times)):
            while times[last] - times[first] > window:
                first += 1
            most = max(most, last - first + 1)
        return most
