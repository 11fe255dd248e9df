"""NEWSLETTER_RATE_LIMIT_PER_MINUTE spaces the sends out: checked on the clock, not a counter.

The limiter (the `limits` library's sliding-window counter) keeps its windows as
Redis keys that expire, so time is what Redis counts down. A fake clock takes the
sender's sleeps: each one moves the clock on and brings the limiter's keys that much
closer to expiry in Redis, and the SMTP server stamps each message with the clock as it
arrives. The test so sees when each message reached the server without waiting minutes
of real time.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import redis
from django.conf import settings as django_settings

from newsletter import sending
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401

PREFIX = django_settings.CACHES["default"]["KEY_PREFIX"]  # this test run's keys only

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

LIMIT = 2  # messages per minute


class FakeClock:
    """Seconds that move only when someone sleeps; a sleep also ages the limiter's keys."""

    def __init__(self, limiter_keys: redis.Redis):
        self.now = 0.0
        self.slept: list[float] = []
        self._redis = limiter_keys

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert 0 <= seconds <= 3600, f"an implausible sleep of {seconds}s"
        self.slept.append(seconds)
        self.now += seconds
        for key in self._redis.scan_iter(match=f"{PREFIX}:ratelimit*newsletter-send*", count=1000):
            left = self._redis.pttl(key) - int(seconds * 1000)
            if left > 0:
                self._redis.pexpire(key, left)
            else:
                self._redis.delete(key)


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock(redis.Redis.from_url(django_settings.REDIS_URL))
    monkeypatch.setattr("newsletter.transport.time", SimpleNamespace(sleep=clock.sleep))
    return clock


def most_in_any_minute(stamps: list[float]) -> int:
    return max(sum(1 for t in stamps if start <= t < start + 60) for start in stamps)


def test_sends_beyond_the_limit_wait_for_the_window_to_move_on(
    settings, smtp_settings, smtp_server, clock
):
    settings.NEWSLETTER_RATE_LIMIT_PER_MINUTE = LIMIT
    settings.NEWSLETTER_SEND_INTERVAL_MS = 0
    smtp_server.handler.clock = clock.time
    weekly = builders.newsletter()
    builders.subscribers(weekly, 6)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)

    result = sending.send_next_batch(issue.pk, 10)

    stamps = sorted(message.at for message in smtp_server.received())
    assert result.sent == len(stamps) == 6
    assert most_in_any_minute(stamps) <= LIMIT, f"sent at {stamps}"
    assert stamps[-1] - stamps[0] >= 60 * (6 - LIMIT) / LIMIT, f"sent at {stamps}"
