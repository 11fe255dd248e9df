"""Crash-safety of sending, with real Celery workers and a real SMTP server.

Every assertion counts what the SMTP server received, not what our tables say.
Workers send slowly (NEWSLETTER_SEND_INTERVAL_MS) in small batches, so that
"mid-send" is a moment a test can reach.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from newsletter import subscriptions, tasks
from newsletter.models import DeliveryState, Issue, IssueState, Subscription
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401
from tests.support.postgres_faults import terminate_backends
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]

BATCH = 5
LEASE = 3
RECONCILE = 1
SLOW = {
    "NEWSLETTER_BATCH_SIZE": str(BATCH),
    "NEWSLETTER_SEND_INTERVAL_MS": "80",
    "NEWSLETTER_LEASE_SECONDS": str(LEASE),
    "NEWSLETTER_HEARTBEAT_SECONDS": "0.3",
    "NEWSLETTER_RECONCILE_SECONDS": str(RECONCILE),
    "NEWSLETTER_RETRY_BASE_SECONDS": "1",
    "NEWSLETTER_RETRY_MAX_SECONDS": "2",
    "NEWSLETTER_SEND_LANES": "2",
}


def finished(issue: Issue, timeout: float = 90.0) -> Issue:
    def done():
        issue.refresh_from_db()
        return issue.state in {IssueState.SENT, IssueState.PAUSED}

    wait_until(done, timeout, "the issue to finish sending")
    return issue


def received(smtp_server) -> Counter:
    return Counter(address.lower() for address in smtp_server.recipients())


def emails_in(issue: Issue, state: str) -> set[str]:
    return set(issue.deliveries.filter(state=state).values_list("subscriber__email", flat=True))


def test_a_worker_killed_mid_send_leaves_only_its_batch_uncertain_and_the_rest_resumes_within_the_lease(
    celery_worker_factory, beat_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 60)
    issue = builders.approved_issue(weekly)
    env = {**SLOW, "NEWSLETTER_SEND_LANES": "1"}
    worker = celery_worker_factory(concurrency=1, **env)
    beat_factory(worker.env)
    tasks.send_issue.delay(issue.pk)
    # Kill while a batch is part-sent: a count that is not a whole number of batches
    # means the batch in flight has messages left to send (each takes SEND_INTERVAL_MS).
    wait_until(
        lambda: (sent := len(smtp_server.recipients())) >= 15 and sent % BATCH,
        what="a batch to be part-sent",
        poll=0.01,
    )
    worker.kill()
    killed_at = time.monotonic()
    before = len(smtp_server.handler.accepted_times)
    celery_worker_factory(concurrency=1, **env)  # nothing else: beat's reconcile restarts the lane
    wait_until(lambda: len(smtp_server.handler.accepted_times) > before, 60, "sending to resume")
    resumed_after = smtp_server.handler.accepted_times[before] - killed_at
    finished(issue)

    counts = received(smtp_server)
    uncertain = emails_in(issue, DeliveryState.UNKNOWN)
    assert max(counts.values()) == 1, "nobody gets two copies"
    assert 0 < len(uncertain) <= BATCH, "only the batch in flight is uncertain"
    assert {p.email for p in people} - set(counts) <= uncertain, "the rest got exactly one"
    assert issue.state == IssueState.SENT
    assert "uncertain" in issue.status_reason
    # The lease runs out LEASE s after the last renewal and beat reconciles every RECONCILE s;
    # the rest is the new worker starting on a loaded machine (the old lease alone was 600 s).
    assert resumed_after < LEASE + RECONCILE + 30, f"resumed {resumed_after:.1f}s after the kill"


def test_a_live_worker_keeps_its_claim_while_a_batch_outlasts_the_lease(
    celery_worker_factory, beat_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 12)
    issue = builders.approved_issue(weekly)
    # Each batch takes 6 x 0.8 s = 4.8 s, longer than the 3 s lease: only renewals keep it.
    env = {
        **SLOW,
        "NEWSLETTER_BATCH_SIZE": "6",
        "NEWSLETTER_SEND_INTERVAL_MS": "800",
        "NEWSLETTER_SEND_LANES": "1",
    }
    # Two processes: the reconcile job runs while a batch is being sent, as in production.
    worker = celery_worker_factory(concurrency=2, **env)
    beat_factory(worker.env)
    tasks.send_issue.delay(issue.pk)
    finished(issue)
    assert received(smtp_server) == Counter({p.email: 1 for p in people})
    assert emails_in(issue, DeliveryState.SENT) == {p.email for p in people}, (
        "a batch still being sent was taken for a dead worker's"
    )
    assert issue.state == IssueState.SENT and issue.status_reason == ""


def test_a_batch_retries_as_often_as_configured_then_pauses_and_riprendi_sends_everyone_once(
    celery_worker_factory, smtp_server
):
    retries = 5  # not Celery's default of 3
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, BATCH)
    issue = builders.approved_issue(weekly)
    smtp_server.handler.refuse_all = "451 4.3.0 Try again later"
    celery_worker_factory(
        concurrency=1,
        **{
            **SLOW,
            "NEWSLETTER_SEND_LANES": "1",
            "NEWSLETTER_MAX_RETRIES": str(retries),
            "NEWSLETTER_RETRY_BASE_SECONDS": "0.05",
            "NEWSLETTER_RETRY_MAX_SECONDS": "0.2",
        },
    )
    tasks.send_issue.delay(issue.pk)
    finished(issue, timeout=45)
    assert issue.state == IssueState.PAUSED
    assert f"after {retries} retries" in issue.status_reason
    assert smtp_server.handler.sessions == 1 + retries, "one try, then every retry, then a pause"
    assert smtp_server.recipients() == []

    smtp_server.handler.refuse_all = None
    tasks.resume(issue)  # Riprendi
    finished(issue)
    assert issue.state == IssueState.SENT
    assert received(smtp_server) == Counter({p.email: 1 for p in people})


@pytest.mark.parametrize("leaves", ["everything", "this newsletter"])
def test_no_message_leaves_for_a_recipient_after_their_unsubscribe_committed_mid_batch(
    celery_worker_factory, smtp_server, leaves
):
    weekly = builders.newsletter()
    other = builders.newsletter(name="Cultura e territorio")
    people = builders.subscribers(weekly, 20)
    if leaves == "this newsletter":  # on a second newsletter too: this unsubscribe ends one
        Subscription.objects.bulk_create(
            Subscription(subscriber=person, newsletter=other) for person in people
        )
    issue = builders.approved_issue(weekly)
    handler = smtp_server.handler
    handler.gate = threading.Semaphore(3)  # three messages go through, the fourth is held
    celery_worker_factory(
        concurrency=1,
        **{
            **SLOW,
            "NEWSLETTER_BATCH_SIZE": "20",
            "NEWSLETTER_SEND_INTERVAL_MS": "0",
            "NEWSLETTER_SEND_LANES": "1",
        },
    )
    tasks.send_issue.delay(issue.pk)
    assert handler.held.wait(60), "the fourth message never reached the server"

    in_order = list(issue.deliveries.order_by("pk").select_related("subscriber"))
    leaving = in_order[4::2]  # every other recipient after the one being received now
    assert {d.state for d in leaving} == {DeliveryState.SENDING}, "their rows are in the batch"
    committed_at = {}
    who = subscriptions.RequestInfo(source="email")
    for delivery in leaving:
        if leaves == "everything":
            subscriptions.unsubscribe(delivery.subscriber, who)
        else:
            subscriptions.unsubscribe_from(delivery.subscriber, weekly.pk, who)
        committed_at[delivery.subscriber.email] = time.monotonic()  # the atomic block is closed
    handler.gate.release(1000)
    finished(issue)

    late = [
        (address, mailed - committed_at[address])
        for mailed, address in handler.mail_from_times
        if address in committed_at and mailed > committed_at[address]
    ]
    assert late == [], "mailed after their unsubscribe had committed"
    counts = received(smtp_server)
    assert counts == Counter({d.subscriber.email: 1 for d in in_order if d not in leaving})
    assert emails_in(issue, DeliveryState.SKIPPED) == set(committed_at)
    if leaves == "this newsletter":
        still_on_other = Subscription.objects.filter(newsletter=other).count()
        assert still_on_other == 20, "a per-newsletter unsubscribe ended another newsletter"


def test_a_database_blip_between_acceptance_and_recording_loses_no_outcome(
    celery_worker_factory, smtp_server
):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 2 * BATCH)
    issue = builders.approved_issue(weekly)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own_pid,) = cursor.fetchone()
    terminated: list[int] = []

    def drop_the_workers_connections(number: int) -> None:
        if number == BATCH:  # the last message of the first batch, before the server says 250
            terminated.extend(terminate_backends(connection.settings_dict, except_pid=own_pid))

    smtp_server.handler.before_accepting = drop_the_workers_connections
    worker = celery_worker_factory(
        concurrency=1,
        **{**SLOW, "NEWSLETTER_SEND_INTERVAL_MS": "0", "NEWSLETTER_SEND_LANES": "1"},
    )
    tasks.send_issue.delay(issue.pk)
    finished(issue, timeout=45)
    assert terminated, "the blip never happened"
    assert received(smtp_server) == Counter({p.email: 1 for p in people}), "nothing was resent"
    assert emails_in(issue, DeliveryState.SENT) == {p.email for p in people}
    assert issue.state == IssueState.SENT
    assert "Database connection lost" in worker.log()


def test_a_send_completes_after_the_server_refuses_for_a_while(celery_worker_factory, smtp_server):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 12)
    issue = builders.approved_issue(weekly)
    smtp_server.handler.refuse_all = "451 4.3.0 Try again later"
    celery_worker_factory(concurrency=1, **SLOW)
    tasks.send_issue.delay(issue.pk)
    # Refused, retried and refused again: the outage has really been met twice.
    wait_until(lambda: smtp_server.handler.refusals >= 2, what="two refused attempts")
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
    subscriptions.unsubscribe(leaving, subscriptions.RequestInfo(source="email"))
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
