"""A real Celery worker in its own process, on the test database and broker."""

from __future__ import annotations

import os
from pathlib import Path

from django.db import connection

from .processes import CeleryProcess


def test_database_url() -> str:
    """The URL of the database this test run uses (test_…)."""
    config = connection.settings_dict
    auth = config["USER"] or ""
    if config.get("PASSWORD"):
        auth += f":{config['PASSWORD']}"
    host = config["HOST"] or "127.0.0.1"
    port = config["PORT"] or 5432
    return f"postgresql://{auth}@{host}:{port}/{config['NAME']}"


class CeleryWorker(CeleryProcess):
    """A prefork worker consuming only `queue`."""

    name = "Celery worker"
    ready_marker = " ready."

    def __init__(self, queue: str, env: dict[str, str], log_path: Path, concurrency: int = 1):
        super().__init__(env, log_path)
        self.queue = queue
        self.concurrency = concurrency

    def command(self) -> list[str]:
        return [
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={self.queue}",
            f"--hostname=test-{self.queue}-{os.getpid()}@%h",
        ]
