"""One rate limiter for the whole project: a sliding-window counter from the `limits` library.

Every limit in the project (API requests per client, subscriptions per client and per
address, confirmation emails, newsletter sending) goes through `RateLimit.hit`.

The counters live in the REDIS_URL Redis (never evicted), shared by every web and
worker process. A decision is one Lua script (check and count in one atomic step, so
concurrent requests never pass the limit together); a refusal reads the window
once more for its retry time. Both are a constant number of round trips, whatever
the period. The window is the usual two-bucket approximation: the previous fixed
window's count is weighted by how much of it still overlaps the sliding window.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from django.conf import settings
from limits import RateLimitItemPerSecond
from limits.storage import RedisStorage, Storage
from limits.strategies import SlidingWindowCounterRateLimiter


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until a request would be allowed again; 0 when allowed


@functools.cache
def _storage() -> Storage:
    # Under the cache's key prefix, so a test run (which has a prefix of its own) never
    # resets the counters of a developer's `make run` sharing the same Redis.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "notiziario")
    return RedisStorage(settings.REDIS_URL, key_prefix=f"{prefix}:ratelimit")


@functools.cache
def _limiter() -> SlidingWindowCounterRateLimiter:
    return SlidingWindowCounterRateLimiter(_storage())


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    period: int  # seconds

    @property
    def _item(self) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(self.limit, self.period, namespace=self.name)

    def hit(self, identity: str, cost: int = 1) -> Decision:
        """Count `cost` requests for `identity` if the limit allows them."""
        if self.limit <= 0:
            return Decision(True, 0)
        limiter = _limiter()
        if limiter.hit(self._item, identity, cost=cost):
            return Decision(True, 0)
        stats = limiter.get_window_stats(self._item, identity)
        return Decision(False, max(1, math.ceil(stats.reset_time - time.time())))

    def reset(self, identity: str) -> None:
        _limiter().clear(self._item, identity)


def reset_all() -> None:
    """Forget every counter (tests only: it scans the whole key space)."""
    _storage().reset()
