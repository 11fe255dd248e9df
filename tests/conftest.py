"""Shared test fixtures: real services, a real SMTP server, a real Celery worker."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.support import services
from tests.support.beat import CeleryBeat
from tests.support.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[1]
_skipped_without_chromium: list[str] = []


def pytest_sessionstart(session):
    absent = services.missing(["postgres", "redis"])
    if absent:
        raise pytest.UsageError(
            "These services do not answer: "
            + ", ".join(absent)
            + ". Check DATABASE_URL and REDIS_URL, or unset them: the tests then start"
            " PostgreSQL and Redis of their own."
        )
    if services.strict() and not services.available("chromium"):
        raise pytest.UsageError(
            f"REQUIRE_SERVICES=1 but there is no Chromium at {services.CHROMIUM}"
            " (install chromium, or set CHROMIUM_PATH)"
        )


def pytest_runtest_setup(item):
    # @pytest.mark.services only documents a need: PostgreSQL and Redis are always there.
    if item.get_closest_marker("browser") and not services.available("chromium"):
        reason = f"needs Chromium at {services.CHROMIUM} (CHROMIUM_PATH)"
        if services.strict():
            pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
        _skipped_without_chromium.append(item.nodeid)
        pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    if _skipped_without_chromium:
        terminalreporter.section(f"skipped: no Chromium at {services.CHROMIUM}")
        for nodeid in _skipped_without_chromium:
            terminalreporter.write_line(nodeid)
        terminalreporter.write_line(
            "Install chromium or set CHROMIUM_PATH; REQUIRE_SERVICES=1 fails instead of skipping."
        )


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port on 127.0.0.1, recording what it receives."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Point Django's email at the test SMTP server for the test process itself."""
    settings.EMAIL_BACKEND = "newsletter.outgoing.SMTPBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return settings


@pytest.fixture
def celery_worker_factory(transactional_db, smtp_server, tmp_path):
    """Start real Celery worker processes on the test database and the real broker.

    Each test gets its own queue, so stray messages from other runs never reach it.
    Use with @pytest.mark.django_db(transaction=True): the worker only sees committed rows.
    """
    from config.celery import app
    from tests.support.worker import CeleryWorker, test_database_url

    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "EMAIL_URL": smtp_server.url,
        "CELERY_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    workers: list[CeleryWorker] = []

    def start(concurrency: int = 1, **extra_env: str) -> CeleryWorker:
        worker = CeleryWorker(
            queue, {**env, **extra_env}, tmp_path / f"worker-{len(workers)}.log", concurrency
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_default_queue = previous_queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


@pytest.fixture
def celery_worker(celery_worker_factory):
    return celery_worker_factory()


@pytest.fixture
def beat_factory(tmp_path):
    """Start a real `celery beat` (DatabaseScheduler) with a worker's env plus `extra_env`;
    every beat started is stopped when the test ends."""
    beats: list[CeleryBeat] = []

    def start(env: dict[str, str], **extra_env: str) -> CeleryBeat:
        beat = CeleryBeat({**env, **extra_env}, tmp_path / f"beat-{len(beats)}.log")
        beats.append(beat)
        return beat.start()

    yield start
    for beat in beats:
        beat.stop()
