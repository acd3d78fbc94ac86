"""Per-user flood limit: at most N messages in a sliding window (default one minute)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodDecision:
    allowed: bool
    warn: bool  # True for the first refused message of a burst: tell the user once, then stay quiet


class FloodLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._seen: dict[Hashable, deque[float]] = {}
        self._warned: dict[Hashable, bool] = {}
        self._checks = 0

    def check(self, key: Hashable) -> FloodDecision:
        if self.limit <= 0:  # 0 or negative disables the limit
            return FloodDecision(True, False)
        self._checks += 1
        if self._checks % 1000 == 0:
            self.forget_idle()
        now = self._clock()
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned[key] = False
            return FloodDecision(True, False)
        warn = not self._warned.get(key, False)
        self._warned[key] = True
        return FloodDecision(False, warn)

    def forget_idle(self) -> None:
        """Drop users with no message in the window (keeps memory bounded on a long-running bot)."""
        now = self._clock()
        for key in [k for k, q in self._seen.items() if not q or now - q[-1] >= self.window]:
            self._seen.pop(key, None)
            self._warned.pop(key, None)
