"""One Redis client per process and URL, for hot paths that go around Django's cache.

Django's cache builds a client per call, checks every key and pickles every value:
on a path run per request or per message that costs several times the round trip.
The client holds one connection (threads take turns on it, each command being one
short round trip) instead of checking one out of a pool for every command, which
cost as much CPU as the round trip itself. Per process: a child forked after its
parent used the client (gunicorn, Celery prefork) gets a connection of its own.
"""

from __future__ import annotations

import functools
import os

import redis


def redis_client(url: str) -> redis.Redis:
    return _client_of(os.getpid(), url)


@functools.cache
def _client_of(pid: int, url: str) -> redis.Redis:
    return redis.Redis.from_url(url, single_connection_client=True)
