"""Helpers for the sending tests: run a whole send in-process, read the SMTP server."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from newsletter import sending
from newsletter.models import Issue
from web import ratelimit


@pytest.fixture(autouse=True)
def clean_cache():
    """Rate-limit counters and heartbeats live in Redis and would carry over between tests."""
    cache.clear()
    ratelimit.reset_all()
    yield
    cache.clear()
    ratelimit.reset_all()


def send_all(issue: Issue, batch_size: int = 10, *, max_rounds: int = 100) -> list:
    """Start sending and run batches in this process until the issue has nothing left."""
    sending.start_sending(issue)
    results = []
    for _ in range(max_rounds):
        result = sending.send_next_batch(issue.pk, batch_size)
        results.append(result)
        if not result.claimed:
            break
    issue.refresh_from_db()
    return results
