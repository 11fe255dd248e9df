"""Celery tasks for the consent flows: thin wrappers over newsletter.consent."""

from celery import shared_task

from . import consent


@shared_task(acks_late=True)
def process_subscription(
    email: str, selection_payload: dict[str, list[int]], locale: str, who_payload: dict[str, str]
) -> None:
    consent.process_subscription(
        email,
        consent.Selection.from_payload(selection_payload),
        locale,
        consent.RequestInfo.from_payload(who_payload),
    )


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_confirmation(record_id: int, selection_payload: dict[str, list[int]]) -> bool:
    return consent.send_confirmation_email(record_id, selection_payload)


@shared_task(acks_late=True)
def run_import(import_id: str) -> None:
    from . import importing

    importing.run(import_id)
