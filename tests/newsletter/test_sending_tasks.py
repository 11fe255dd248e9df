"""The task layer: digests, approval, scheduled issues, stalled sends, backends, rate limit."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsletter import assembly, sending, tasks
from newsletter.models import DeliveryState, IssueState
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401
from web.ratelimit import RateLimit

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def test_a_digest_that_needs_approval_stops_at_a_draft():
    newsletter = builders.newsletter(requires_approval=True)
    factories.news()
    issue_id = tasks.digest(newsletter.pk)
    assert newsletter.issues.get(pk=issue_id).state == IssueState.DRAFT


def test_a_digest_with_nothing_new_creates_no_issue():
    newsletter = builders.newsletter()
    assert tasks.digest(newsletter.pk) is None
    assert not newsletter.issues.exists()


def test_an_inactive_newsletter_gets_no_digest():
    newsletter = builders.newsletter(is_active=False)
    factories.news()
    assert tasks.digest(newsletter.pk) is None


def test_an_approved_issue_is_due_once_its_time_has_come():
    newsletter = builders.newsletter()
    issue = builders.approved_issue(newsletter)
    sending.schedule(issue, timezone.now() + timedelta(hours=1))
    assert list(sending.due_issues()) == []
    assert list(sending.due_issues(timezone.now() + timedelta(hours=2))) == [issue]


def test_a_draft_cannot_be_scheduled():
    newsletter = builders.newsletter()
    factories.news()
    issue = assembly.assemble(newsletter).issue
    with pytest.raises(sending.TransitionError, match="approve the issue"):
        sending.schedule(issue, timezone.now() + timedelta(hours=1))


def test_a_sending_issue_without_a_heartbeat_is_stalled():
    newsletter = builders.newsletter()
    builders.subscriber(newsletter)
    issue = builders.approved_issue(newsletter)
    sending.start_sending(issue)
    assert sending.stalled_issues() == [issue.pk]
    sending.heartbeat(issue.pk, 60)
    assert sending.stalled_issues() == []


def test_a_non_smtp_backend_gets_the_whole_batch_in_one_call(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 4)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    assert len(mail.outbox) == 4
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_messages_count_against_the_shared_rate_limit(settings, smtp_settings, smtp_server):
    settings.NEWSLETTER_RATE_LIMIT_PER_MINUTE = 2
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 2)
    send_all(builders.approved_issue(newsletter))
    limiter = RateLimit("newsletter-send", 2, 60)
    assert not limiter.hit(newsletter.slug).allowed  # any other worker would now wait


def test_a_claim_holds_for_the_lease_and_renewing_it_moves_only_rows_still_held(settings):
    settings.NEWSLETTER_LEASE_SECONDS = 30
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 3)
    issue = builders.approved_issue(newsletter)
    sending.start_sending(issue)
    ids = sending.claim(issue, 3)
    first, second, third = issue.deliveries.order_by("pk")
    assert first.lease_until - timezone.now() <= timedelta(seconds=30)
    issue.deliveries.filter(pk=third.pk).update(state=DeliveryState.SENT, lease_until=None)
    settings.NEWSLETTER_LEASE_SECONDS = 300
    assert sending.renew_lease(issue.pk, ids) == 2
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.lease_until - timezone.now() > timedelta(seconds=200)
    assert third.lease_until is None
    assert sending.stalled_issues() == []  # renewing is also the issue's heartbeat


@pytest.mark.django_db(transaction=True)
def test_the_lease_keeper_renews_a_claim_on_its_own_while_the_batch_runs(settings):
    settings.NEWSLETTER_LEASE_SECONDS = 2
    settings.NEWSLETTER_HEARTBEAT_SECONDS = 0.1
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    sending.start_sending(issue)
    ids = sending.claim(issue, 2)
    claimed_until = issue.deliveries.get(pk=ids[0]).lease_until
    settings.NEWSLETTER_LEASE_SECONDS = 600
    with sending.LeaseKeeper(issue.pk, ids):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if issue.deliveries.get(pk=ids[0]).lease_until > claimed_until + timedelta(minutes=5):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the lease keeper never renewed the claim")
