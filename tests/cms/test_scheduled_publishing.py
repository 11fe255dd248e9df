"""Go-live and expiry take effect through celery beat, with no cron outside the project.

These tests start a real `celery beat` (DatabaseScheduler) and a real worker on
the test database and broker, and watch the database change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cms.models import NewsPage
from tests import factories
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.services("postgres", "redis"),
]

WAIT_SECONDS = 60
EVERY_SECOND = {"PUBLISH_SCHEDULED_EVERY": "1"}


def test_beat_stores_the_publishing_schedule_in_the_periodic_task_table(
    celery_worker, beat_factory
):
    beat = beat_factory(celery_worker.env, **EVERY_SECOND)

    def synced() -> bool:
        return PeriodicTask.objects.filter(name="publish-scheduled-pages").exists()

    wait_until(synced, WAIT_SECONDS, "the schedule to be stored", poll=0.5, log=beat.log)
    task = PeriodicTask.objects.get(name="publish-scheduled-pages")
    assert task.task == "cms.tasks.publish_scheduled"
    assert task.enabled and task.interval is not None


def test_a_page_scheduled_to_go_live_becomes_live_through_beat(celery_worker, beat_factory):
    page = factories.news(title="In programma", publish=False)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live and page.has_unpublished_changes

    beat = beat_factory(celery_worker.env, **EVERY_SECOND)

    wait_until(
        lambda: NewsPage.objects.get(pk=page.pk).live,
        WAIT_SECONDS,
        "the scheduled page to go live",
        poll=0.5,
        log=beat.log,
    )


def test_a_page_past_its_expiry_is_unpublished_through_beat(celery_worker, beat_factory):
    page = factories.news(title="In scadenza", publish=False)
    page.expire_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live and not page.expired

    beat = beat_factory(celery_worker.env, **EVERY_SECOND)

    wait_until(
        lambda: NewsPage.objects.get(pk=page.pk).expired,
        WAIT_SECONDS,
        "the page to expire",
        poll=0.5,
        log=beat.log,
    )
    assert not NewsPage.objects.get(pk=page.pk).live
