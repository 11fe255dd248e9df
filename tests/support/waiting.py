"""Waiting for something another process does: poll a condition, bounded in time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    timeout: float = 60.0,
    what: str = "condition",
    *,
    poll: float = 0.2,
    log: Callable[[], str] | None = None,
) -> T:
    """Return the first truthy value of `condition()`; fail once `timeout` seconds pass.

    `what` names what was awaited, and `log` (a process's log, say) adds its last
    3,000 characters to the failure, so a timeout explains itself.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(poll)
    tail = f"\n{log()[-3000:]}" if log is not None else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}{tail}")
