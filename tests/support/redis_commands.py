"""Count the commands Redis really executes on our database index, with MONITOR.

Redis writes every command it runs to a MONITOR connection, in execution order.
We bracket the code under test with two ECHO markers sent from a connection of
our own and count what ran in between on our database: commands sent by clients
(each one a network round trip) and commands run inside Lua scripts.
Commands from other databases (other engineers, other test runs) are ignored.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from django.conf import settings


@dataclass
class CommandCount:
    sent: list[str] = field(default_factory=list)  # one per round trip from a client
    in_scripts: list[str] = field(default_factory=list)  # run by Lua on the server

    @property
    def round_trips(self) -> int:
        return len(self.sent)


def _db_index(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path or 0)


@contextmanager
def counting_redis_commands(
    *, url: str | None = None, timeout: float = 120.0
) -> Iterator[CommandCount]:
    """Counts on the database of `url` (REDIS_URL, the broker's, unless told)."""
    url = url or settings.REDIS_URL
    count = CommandCount()
    db = _db_index(url)
    marker_client = redis.Redis.from_url(url)
    monitor_client = redis.Redis.from_url(url, socket_timeout=timeout)
    start, end = f"count-start-{uuid.uuid4().hex}", f"count-end-{uuid.uuid4().hex}"
    with monitor_client.monitor() as monitor:
        marker_client.echo(start)
        yield count
        marker_client.echo(end)
        deadline = time.monotonic() + timeout
        started = False
        while time.monotonic() < deadline:
            line = monitor.next_command()
            if int(line["db"]) != db:
                continue
            if start in line["command"]:
                started = True
                continue
            if end in line["command"]:
                break
            if not started:
                continue
            if line["client_type"] == "lua":
                count.in_scripts.append(line["command"])
            else:
                count.sent.append(line["command"])
        else:
            raise AssertionError("the end marker never reached MONITOR")
    marker_client.close()
    monitor_client.close()


def count_commands(action: Callable[[], object], *, url: str | None = None) -> CommandCount:
    with counting_redis_commands(url=url) as count:
        action()
    return count
