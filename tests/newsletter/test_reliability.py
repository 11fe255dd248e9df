"""Crash-safety of sending, with real Celery workers and a real SMTP server.

Every assertion counts what the SMTP server received, not what our tables say.
Workers send slowly (NEWSLETTER_SEND_INTERVAL_MS) in small batches, so that
"mid-send" is a moment a test can reach.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from newsletter import consent, tasks
from newsletter.models import DeliveryState, Issue, IssueState
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]

BATCH = 5
SLOW = {
    "NEWSLETTER_BATCH_SIZE": str(BATCH),
    "NEWSLETTER_SEND_INTERVAL_MS": "80",
    "NEWSLETTER_LEASE_SECONDS": "5",
    "NEWSLETTER_RETRY_BASE_SECONDS": "1",
    "NEWSLETTER_RETRY_MAX_SECONDS": "2",
    "NEWSLETTER_SEND_LANES": "2",
}


def wait_until(condition, timeout: float = 60.0, what: str = "condition", poll: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def finished(issue: Issue, timeout: float = 90.0) -> Issue:
    def done():
        issue.refresh_from_db()
        return issue.state in {IssueState.SENT, IssueState.PAUSED, IssueState.FAILED}

    wait_until(done, timeout, "the issue to finish sending")
    return issue


def received(smtp_server) -> Counter:
    return Counter(address.lower() for address in smtp_server.recipients())


def emails_in(issue: Issue, state: str) -> set[str]:
    return set(issue.deliveries.filter(state=state).values_list("subscriber__email", flat=True))


def test_a_worker_killed_mid_send_leaves_only_its_batch_uncertain(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 60)
    issue = builders.approved_issue(weekly)
    worker = celery_worker_factory(concurrency=1, **SLOW)
    tasks.send_issue.delay(issue.pk)
    # Kill while a batch is part-sent: a count that is not a whole number of batches
    # means the batch in flight has messages left to send (each takes SEND_INTERVAL_MS).
    wait_until(
        lambda: (sent := len(smtp_server.recipients())) >= 15 and sent % BATCH,
        what="a batch to be part-sent",
        poll=0.01,
    )
    worker.kill()
    celery_worker_factory(concurrency=1, **SLOW)
    time.sleep(6)  # the lease of the batch in flight runs out
    tasks.reconcile_stale_deliveries.delay()  # what beat does every minute
    finished(issue)

    counts = received(smtp_server)
    uncertain = emails_in(issue, DeliveryState.UNKNOWN)
    assert max(counts.values()) == 1, "nobody gets two copies"
    assert 0 < len(uncertain) <= BATCH, "only the batch in flight is uncertain"
    assert {p.email for p in people} - set(counts) <= uncertain, "the rest got exactly one"
    assert issue.state == IssueState.SENT
    assert "uncertain" in issue.status_reason


def test_a_send_completes_after_the_server_refuses_for_a_while(celery_worker_factory, smtp_server):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 12)
    issue = builders.approved_issue(weekly)
    smtp_server.handler.refuse_all = "451 4.3.0 Try again later"
    celery_worker_factory(concurrency=1, **SLOW)
    tasks.send_issue.delay(issue.pk)
    time.sleep(3)
    assert smtp_server.recipients() == []
    smtp_server.handler.refuse_all = None
    finished(issue)
    assert received(smtp_server) == Counter({p.email: 1 for p in people})
    assert issue.state == IssueState.SENT


def test_a_permanent_refusal_for_one_address_fails_only_that_delivery(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 10)
    refused = people[3].email
    smtp_server.handler.refuse_rcpt[refused] = "550 5.1.1 No such user"
    issue = builders.approved_issue(weekly)
    celery_worker_factory(concurrency=1, **SLOW)
    tasks.send_issue.delay(issue.pk)
    finished(issue)
    assert received(smtp_server) == Counter({p.email: 1 for p in people if p.email != refused})
    assert emails_in(issue, DeliveryState.FAILED) == {refused}


def test_a_subscriber_who_unsubscribes_mid_send_receives_nothing_further(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 40)
    leaving = people[-1]
    issue = builders.approved_issue(weekly)
    celery_worker_factory(concurrency=1, **SLOW)
    tasks.send_issue.delay(issue.pk)
    wait_until(lambda: len(smtp_server.recipients()) >= 5, what="sending to be under way")
    consent.unsubscribe(leaving, consent.RequestInfo(source="email"))
    finished(issue)
    counts = received(smtp_server)
    assert leaving.email not in counts
    assert counts == Counter({p.email: 1 for p in people[:-1]})


def test_two_concurrent_runs_of_the_send_task_send_nobody_a_duplicate(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 40)
    issue = builders.approved_issue(weekly)
    fast = {**SLOW, "NEWSLETTER_SEND_INTERVAL_MS": "10"}
    celery_worker_factory(concurrency=2, **fast)
    celery_worker_factory(concurrency=1, **fast)
    tasks.send_issue.delay(issue.pk)
    tasks.send_issue.delay(issue.pk)
    for _ in range(3):
        tasks.send_batch.delay(issue.pk)  # a redelivered batch task
    finished(issue)
    assert received(smtp_server) == Counter({p.email: 1 for p in people})
    assert issue.deliveries.count() == 40
