"""Promises the README makes about sending, each under test with real workers, beat and SMTP:
551/553 suppress the address, reconcile restarts an issue nobody works on, **Programma**
sends once even if the scheduler fires twice, and a running beat picks up a changed crontab."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from newsletter import sending, tasks
from newsletter.models import Cadence, DeliveryState, Issue, IssueState, SubscriberStatus
from newsletter.suppression import is_suppressed
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401
from tests.support.waiting import wait_until

pytestmark = pytest.mark.services("postgres", "redis")


def sent(issue: Issue) -> bool:
    issue.refresh_from_db()
    return issue.state == IssueState.SENT


# --- 550, 551 and 553 suppress the address ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reply, suppressed",
    [
        ("550 5.1.1 No such user", True),
        ("551 5.1.6 User has moved", True),
        ("553 5.1.3 Mailbox name not allowed", True),
        ("552 5.2.2 Mailbox full", False),
    ],
)
def test_550_551_and_553_at_rcpt_suppress_the_address_other_5xx_do_not(
    smtp_settings, smtp_server, reply, suppressed
):
    weekly = builders.newsletter()
    person = builders.subscriber(weekly, "destinatario@example.org")
    smtp_server.handler.refuse_rcpt[person.email] = reply
    issue = builders.approved_issue(weekly)
    send_all(issue)
    delivery = issue.deliveries.get()
    person.refresh_from_db()
    assert (delivery.state, delivery.error_code) == (DeliveryState.FAILED, reply[:3])
    assert is_suppressed(person.email) is suppressed
    assert (person.status == SubscriberStatus.BOUNCED) is suppressed


# --- Reconcile restarts an issue no worker is working on --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reconcile_restarts_an_issue_that_no_worker_is_sending(celery_worker_factory, smtp_server):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 6)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)  # frozen, then its worker "died": no lane, no heartbeat
    assert sending.stalled_issues() == [issue.pk]
    worker = celery_worker_factory(concurrency=1, NEWSLETTER_BATCH_SIZE="4")

    tasks.reconcile_stale_deliveries.delay()  # what beat does every minute

    wait_until(lambda: sent(issue), 60, "the stalled issue to be sent", log=worker.log)
    assert Counter(smtp_server.recipients()) == Counter({p.email: 1 for p in people})


# --- Programma: within a minute, once ----------------------------------------------------------


def test_scheduled_issues_are_looked_for_at_least_once_a_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["newsletter-send-scheduled-issues"]
    assert entry["task"] == "newsletter.tasks.send_scheduled_issues"
    assert float(entry["schedule"]) <= 60


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_issue_is_sent_once_even_if_the_scheduler_runs_twice(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 8)
    issue = builders.approved_issue(weekly)
    sending.schedule(issue, timezone.now() + timedelta(hours=1))
    assert tasks.send_scheduled_issues() == []  # not yet due: nothing starts
    Issue.objects.filter(pk=issue.pk).update(scheduled_for=timezone.now())
    worker = celery_worker_factory(concurrency=2, NEWSLETTER_BATCH_SIZE="3")

    tasks.send_scheduled_issues.delay()
    tasks.send_scheduled_issues.delay()  # beat firing twice, or two beats

    wait_until(lambda: sent(issue), 60, "the scheduled issue to be sent", log=worker.log)
    assert Counter(smtp_server.recipients()) == Counter({p.email: 1 for p in people})
    assert issue.deliveries.count() == 8


# --- A running beat picks up a changed crontab -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_running_beat_picks_up_a_changed_newsletter_time(celery_worker_factory, beat_factory):
    rome = ZoneInfo("Europe/Rome")
    now = timezone.now().astimezone(rome)
    weekly = builders.newsletter(cadence=Cadence.DAILY, send_time=(now - timedelta(hours=3)).time())
    factories.news(title="Per il digest")
    worker = celery_worker_factory(concurrency=1)
    beat = beat_factory(worker.env)
    # Beat runs with the old time; now move the digest to a minute 5 to 65 seconds away.
    fire_at = (timezone.now().astimezone(rome) + timedelta(seconds=65)).replace(
        second=0, microsecond=0
    )
    weekly.send_time = fire_at.time()
    weekly.save()

    wait_until(
        lambda: weekly.issues.exists(),
        (fire_at - timezone.now()).total_seconds() + 45,
        f"beat to run the digest at {fire_at:%H:%M}",
        log=beat.log,
    )
    beat.stop()
    assert weekly.issues.get().items.get().title == "Per il digest"
    assert timezone.now() >= fire_at
