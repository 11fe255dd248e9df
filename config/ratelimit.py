"""One rate limiter for the whole project: a sliding window kept in the cache.

With Redis as the cache (every deployment, and tests with REDIS_URL) the
counters are shared by all web and worker processes. The window is the usual
two-bucket approximation: the previous fixed window's count is weighted by how
much of it still overlaps the sliding window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until a request would be allowed again; 0 when allowed


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    period: int  # seconds

    def _key(self, identity: str, window: int) -> str:
        return f"ratelimit:{self.name}:{identity}:{window}"

    def _count(self, identity: str, now: float) -> tuple[float, int, float]:
        window = int(now // self.period)
        elapsed = (now % self.period) / self.period
        current = cache.get(self._key(identity, window), 0)
        previous = cache.get(self._key(identity, window - 1), 0)
        return previous * (1 - elapsed) + current, window, elapsed

    def hit(self, identity: str, cost: int = 1, *, now: float | None = None) -> Decision:
        """Count `cost` requests for `identity` if the limit allows them."""
        if self.limit <= 0:
            return Decision(True, 0, 0)
        now = time.time() if now is None else now
        used, window, elapsed = self._count(identity, now)
        if used + cost > self.limit:
            return Decision(False, 0, self._retry_after(identity, now, cost))
        key = self._key(identity, window)
        if not cache.add(key, cost, timeout=self.period * 2 + 1):
            try:
                cache.incr(key, cost)
            except ValueError:  # expired between add and incr
                cache.add(key, cost, timeout=self.period * 2 + 1)
        return Decision(True, max(0, math.floor(self.limit - used - cost)), 0)

    def _retry_after(self, identity: str, now: float, cost: int) -> int:
        # Step forward until the weighted count leaves room; at most one period.
        for wait in range(1, self.period + 1):
            used, _, _ = self._count(identity, now + wait)
            if used + cost <= self.limit:
                return wait
        return self.period

    def reset(self, identity: str, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        window = int(now // self.period)
        cache.delete_many([self._key(identity, window), self._key(identity, window - 1)])
