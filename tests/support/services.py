"""Which real services this test run can reach.

`make test` uses PostgreSQL and Redis where they answer and falls back to
SQLite and the filesystem broker where they do not. A test that needs a real
service is marked @pytest.mark.services("postgres", "redis"); without the
service it is skipped and named in the summary, and with REQUIRE_SERVICES=1
(as in CI) the skip becomes a failure.
"""

from __future__ import annotations

import functools
import os
import socket
from urllib.parse import urlsplit

KNOWN = ("postgres", "redis", "chromium")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def strict() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in {"", "0", "false", "no"}


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


@functools.cache
def available(name: str) -> bool:
    if name == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        return url.startswith(("postgres://", "postgresql://")) and _answers(url, 5432)
    if name == "redis":
        url = os.environ.get("REDIS_URL", "")
        return url.startswith("redis://") and _answers(url, 6379)
    if name == "chromium":
        return os.access(CHROMIUM, os.X_OK)
    raise ValueError(f"unknown service {name!r}; known: {', '.join(KNOWN)}")


def missing(names) -> list[str]:
    return [name for name in names if not available(name)]
