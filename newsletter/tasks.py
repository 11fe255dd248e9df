"""Every Celery task of the newsletter: thin wrappers over the service modules.

Services never import this module; they queue work through enqueue.py, whose
jobs apps.py connects to the tasks below.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from . import assembly, importing, sending, subscriptions
from .models import Issue, Newsletter

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def digest(newsletter_id: int) -> int | None:
    """The scheduled job: assemble the next issue, then send it or wait for approval."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id, is_active=True).first()
    if newsletter is None:
        logger.info("Newsletter %s is gone or inactive; no digest", newsletter_id)
        return None
    issue = assembly.assemble(newsletter).issue
    if issue is None:
        return None
    if newsletter.requires_approval:
        logger.info("Issue %s waits for an editor's approval", issue.pk)
        return issue.pk
    sending.approve(issue)
    send_issue.delay(issue.pk)
    return issue.pk


@shared_task(acks_late=True)
def send_issue(issue_id: int) -> int:
    """Freeze the recipients, then start one batch task per lane."""
    total = sending.start_sending(Issue.objects.get(pk=issue_id))
    start_lanes(issue_id)
    return total


def start_lanes(issue_id: int) -> None:
    sending.heartbeat(issue_id, settings.NEWSLETTER_LEASE_SECONDS)
    for _ in range(max(1, settings.NEWSLETTER_SEND_LANES)):
        send_batch.delay(issue_id)


@shared_task(bind=True, acks_late=True)
def send_batch(self, issue_id: int, batch_size: int | None = None) -> int:
    """Send one batch of a lane; sending.run_batch decides whether to go on or retry."""
    step = sending.run_batch(issue_id, batch_size, retries=self.request.retries)
    if step.retry_in is not None:
        # Celery reads max_retries=None as "the task's default" (3), so the limit is passed.
        raise self.retry(
            exc=step.error, countdown=step.retry_in, max_retries=settings.NEWSLETTER_MAX_RETRIES
        ) from step.error
    if step.next_batch:
        send_batch.delay(issue_id, batch_size)
    return step.sent


@shared_task
def reconcile_stale_deliveries() -> dict[int, int]:
    """Report deliveries whose worker died, and restart issues nobody is sending."""
    stale = sending.reconcile_stale_deliveries()
    for issue_id in sending.stalled_issues():
        logger.info("Issue %s has no batch task working on it; restarting its lanes", issue_id)
        start_lanes(issue_id)
    return stale


@shared_task
def send_scheduled_issues() -> list[int]:
    started = []
    for issue in sending.due_issues():
        send_issue.delay(issue.pk)
        started.append(issue.pk)
    return started


def send_now(newsletter: Newsletter) -> None:
    """The admin's "send now": a digest right away, approval rules included."""
    digest.delay(newsletter.pk)


def resume(issue: Issue) -> None:
    sending.resume(issue)
    start_lanes(issue.pk)


# --- Subscribers --------------------------------------------------------------------------


@shared_task(acks_late=True)
def process_subscription(
    email: str, selection_payload: dict[str, list[int]], locale: str, who_payload: dict[str, str]
) -> None:
    subscriptions.process_subscription(
        email,
        subscriptions.Selection.from_payload(selection_payload),
        locale,
        subscriptions.RequestInfo.from_payload(who_payload),
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_confirmation(record_id: int, selection_payload: dict[str, list[int]]) -> bool:
    return subscriptions.send_confirmation_email(record_id, selection_payload)


@shared_task(acks_late=True)
def run_import(import_id: str) -> None:
    importing.run(import_id)
