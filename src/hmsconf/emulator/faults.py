"""Fault injection: what the real network and a busy API do, on demand and reproducibly.

Ours, not 100ms's (reference §8): a seeded share of requests answer 429 with
Retry-After, 500/502/503, or lose their connection before or after the write
is applied, so users and the test suite can rehearse failure.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

FAULTS = ("429", "500", "502", "503", "drop-before", "drop-after")


@dataclass
class Faults:
    rate: float = 0.0
    seed: int | None = None
    retry_after: float = 1.0  # seconds sent in Retry-After with a 429
    kinds: tuple[str, ...] = FAULTS

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("the fault rate is a share between 0 and 1")
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {kind: 0 for kind in self.kinds}

    def pick(self) -> str | None:
        """The fault for the next request, or None."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            kind = self._random.choice(self.kinds)
            self.injected[kind] += 1
            return kind


class DroppedConnection(Exception):
    """Raised by the app after the response has started: the server closes the socket mid-response."""
