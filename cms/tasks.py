from celery import shared_task
from django.core.management import call_command

from cms import edge, webhooks
from cms.webhooks import MAX_ATTEMPTS, TemporaryDeliveryError


@shared_task(ignore_result=True)
def publish_scheduled() -> None:
    """Run Wagtail's scheduled publishing: go-live and expiry of pages and snippets."""
    call_command("publish_scheduled")


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TemporaryDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=MAX_ATTEMPTS - 1,
)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one webhook delivery; retried with exponential backoff until it succeeds or fails."""
    webhooks.deliver(delivery_id)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(edge.EdgePurgeError,),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=8,
)
def purge_edge(paths: list[str]) -> None:
    """Purge these paths from the edge cache (cms/edge.py); retried while it does not answer."""
    edge.purge(paths)
