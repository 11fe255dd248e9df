from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled() -> None:
    """Run Wagtail's scheduled publishing: go-live and expiry of pages and snippets."""
    call_command("publish_scheduled")
