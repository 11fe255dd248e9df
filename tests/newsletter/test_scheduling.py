"""Each newsletter's cadence is a django-celery-beat PeriodicTask kept in sync."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from newsletter.models import Cadence, Newsletter, Weekday
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def task_of(newsletter: Newsletter) -> PeriodicTask:
    newsletter.refresh_from_db()
    return newsletter.periodic_task


def test_a_new_newsletter_gets_a_weekly_crontab_in_rome_time():
    newsletter = builders.newsletter(send_weekday=Weekday.MONDAY, send_time="09:00")
    task = task_of(newsletter)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "9", "1")
    assert str(crontab.timezone) == "Europe/Rome"
    assert task.task == "newsletter.tasks.digest"
    assert json.loads(task.kwargs) == {"newsletter_id": newsletter.pk}
    assert task.enabled


def test_changing_the_cadence_updates_the_same_task():
    newsletter = builders.newsletter()
    before = task_of(newsletter).pk
    newsletter.cadence = Cadence.MONTHLY
    newsletter.send_day_of_month = 15
    newsletter.send_time = "18:30"
    newsletter.save()
    task = task_of(newsletter)
    assert task.pk == before
    assert (task.crontab.minute, task.crontab.hour) == ("30", "18")
    assert (task.crontab.day_of_month, task.crontab.day_of_week) == ("15", "*")


def test_a_daily_newsletter_runs_every_day():
    newsletter = builders.newsletter(cadence=Cadence.DAILY, send_time="07:15")
    crontab = task_of(newsletter).crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month) == (
        "15", "7", "*", "*",
    )  # fmt: skip


def test_an_inactive_newsletter_has_its_task_disabled():
    newsletter = builders.newsletter()
    newsletter.is_active = False
    newsletter.save()
    assert not task_of(newsletter).enabled


def test_deleting_the_newsletter_deletes_its_task():
    newsletter = builders.newsletter()
    task_id = task_of(newsletter).pk
    newsletter.delete()
    assert not PeriodicTask.objects.filter(pk=task_id).exists()


def test_beat_uses_the_database_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
