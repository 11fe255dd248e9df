"""The services a test run has.

PostgreSQL and Redis are always there: DATABASE_URL / REDIS_URL when set, otherwise
the throw-away servers devservices.pytest_plugin starts. The session refuses to start
when a given URL does not answer. Chromium is the one service that may be missing:
browser tests (@pytest.mark.browser) are then skipped and named in the summary, and
with REQUIRE_SERVICES=1 (as in CI) they fail instead.
"""

from __future__ import annotations

import functools
import os
import socket
from urllib.parse import urlsplit

KNOWN = ("postgres", "redis", "chromium")
# The one Chromium every browser test launches.
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
        return url.startswith(("redis://", "rediss://")) and _answers(url, 6379)
    if name == "chromium":
        return os.access(CHROMIUM, os.X_OK)
    raise ValueError(f"unknown service {name!r}; known: {', '.join(KNOWN)}")


def missing(names) -> list[str]:
    return [name for name in names if not available(name)]
