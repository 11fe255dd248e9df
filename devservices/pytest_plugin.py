"""pytest plugin (`-p devservices.pytest_plugin` in pyproject.toml): services for the run.

When DATABASE_URL or REDIS_URL is not set, starts a throw-away PostgreSQL and/or Redis
under var/test-services/<pid>/ before Django's settings load (pytest-django reads them
while loading the initial conftests, so a conftest would be too late), sets the URLs in
the environment (inherited by the Celery workers tests start), and stops and deletes
them when the session ends: normally, on Ctrl-C, on SIGTERM, or (Linux) when pytest
is killed outright. A running `make run` is never used: tests get servers of their own.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STARTED_KEY = pytest.StashKey[list[str]]()


def _interrupt(signum, frame):
    # pytest ends the session cleanly on KeyboardInterrupt (teardown, unconfigure).
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("TEST_RUN_ID", uuid.uuid4().hex[:12])
    early_config.stash[STARTED_KEY] = []
    wanted = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    known = early_config.known_args_namespace
    if not wanted or getattr(known, "help", False) or getattr(known, "version", False):
        return
    from devservices.servers import LocalServices, ServicesUnavailable

    var_dir = Path(os.environ.get("VAR_DIR") or ROOT / "var")
    services = LocalServices(var_dir / "test-services" / str(os.getpid()), persistent=False)
    early_config.add_cleanup(services.stop)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        urls = services.start(postgres="DATABASE_URL" in wanted, redis="REDIS_URL" in wanted)
    except ServicesUnavailable as exc:
        raise pytest.UsageError(str(exc)) from None
    os.environ.update(urls)
    early_config.stash[STARTED_KEY] = wanted


def pytest_report_header(config):
    started = config.stash.get(STARTED_KEY, [])
    if started:
        names = {"DATABASE_URL": "PostgreSQL", "REDIS_URL": "Redis"}
        return "embedded services: " + ", ".join(names[name] for name in started) + " (throw-away)"
    return None
