"""Go-live and expiry take effect through celery beat, with no cron outside the project.

These tests start a real `celery beat` (DatabaseScheduler) and a real worker on
the test database and broker, and watch the database change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cms.models import NewsPage
from tests import factories
from tests.support.beat import CeleryBeat

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.services("postgres", "redis"),
]

WAIT_SECONDS = 60


def wait_until(condition: Callable[[], bool], what: str, beat: CeleryBeat) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {WAIT_SECONDS}s; beat log:\n{beat.log()[-3000:]}")


@pytest.fixture
def beat_factory(tmp_path):
    beats: list[CeleryBeat] = []

    def start(env: dict[str, str]) -> CeleryBeat:
        beat = CeleryBeat({**env, "PUBLISH_SCHEDULED_EVERY": "1"}, tmp_path / "beat.log")
        beats.append(beat)
        return beat.start()

    yield start
    for beat in beats:
        beat.stop()


def test_beat_stores_the_publishing_schedule_in_the_periodic_task_table(
    celery_worker, beat_factory
):
    beat = beat_factory(celery_worker.env)

    def synced() -> bool:
        return PeriodicTask.objects.filter(name="publish-scheduled-pages").exists()

    wait_until(synced, "the schedule was not stored", beat)
    task = PeriodicTask.objects.get(name="publish-scheduled-pages")
    assert task.task == "cms.tasks.publish_scheduled"
    assert task.enabled and task.interval is not None


def test_a_page_scheduled_to_go_live_becomes_live_through_beat(celery_worker, beat_factory):
    page = factories.news(title="In programma", publish=False)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live and page.has_unpublished_changes

    beat = beat_factory(celery_worker.env)

    wait_until(
        lambda: NewsPage.objects.get(pk=page.pk).live, "the scheduled page did not go live", beat
    )


def test_a_page_past_its_expiry_is_unpublished_through_beat(celery_worker, beat_factory):
    page = factories.news(title="In scadenza", publish=False)
    page.expire_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live and not page.expired

    beat = beat_factory(celery_worker.env)

    wait_until(lambda: NewsPage.objects.get(pk=page.pk).expired, "the page did not expire", beat)
    assert not NewsPage.objects.get(pk=page.pk).live
