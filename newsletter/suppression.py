"""Addresses we must never mail: suppressions, bounces, complaints and refused mailboxes.

A suppression is keyed on the address's keyed hash (addresses.address_hash), so
it outlives an erasure. Stopping mail to an address also stops its deliveries
of an issue mid-send (stops.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from . import stops
from .addresses import address_hash, find_subscriber, normalise_email
from .models import Subscriber, SubscriberStatus, Suppression, SuppressionReason


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(address_hash=address_hash(email)).exists()


def suppress(email: str, reason: SuppressionReason) -> Suppression:
    suppression, _ = Suppression.objects.get_or_create(
        address_hash=address_hash(email), defaults={"reason": reason}
    )
    return suppression


def _stop_mailing(email: str, status: str, reason: str) -> None:
    # One transaction: batches in flight see the stop (stops.py) before it commits.
    with transaction.atomic():
        suppress(email, reason)
        subscriber = find_subscriber(email)
        if subscriber is None:
            return
        stops.stop_deliveries(subscriber.pk, f"suppressed: {reason}")
        if subscriber.status != SubscriberStatus.ERASED:
            Subscriber.objects.filter(pk=subscriber.pk).update(status=status)


def record_hard_bounce(email: str) -> None:
    _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.HARD_BOUNCE)


def record_invalid_recipient(email: str) -> None:
    """The receiving server refused the mailbox itself (550/551/553 at RCPT)."""
    _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.INVALID_RECIPIENT)


def record_complaint(email: str) -> None:
    _stop_mailing(email, SubscriberStatus.COMPLAINED, SuppressionReason.COMPLAINT)


def record_soft_bounce(email: str) -> int:
    """Count a temporary failure; suppress once the count reaches the limit. Returns the count."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(email=normalise_email(email)).first()
        )
        if subscriber is None:
            return 0
        subscriber.soft_bounce_count += 1
        subscriber.save(update_fields=["soft_bounce_count"])
    if subscriber.soft_bounce_count >= settings.NEWSLETTER_SOFT_BOUNCE_LIMIT:
        _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.SOFT_BOUNCES)
    return subscriber.soft_bounce_count
