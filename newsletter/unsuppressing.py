"""Undoing a suppression: a wrong bounce must not silence an address for ever.

Audited: the person who removes it must give a reason; the removal appends an
``unsuppress`` consent record (source "admin", who and why) and a Wagtail log entry.
An erasure's suppression is never removed: the person asked to be forgotten.
"""

from __future__ import annotations

from django.db import transaction

from . import subscriptions
from .addresses import address_hash, find_subscriber
from .models import (
    ConsentAction,
    ConsentRecord,
    Subscriber,
    SubscriberStatus,
    Suppression,
    SuppressionReason,
)
from .subscriptions import RequestInfo

MAX_REASON = 200
RESTORABLE = (SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED)


class CannotUnsuppress(Exception):
    pass


def subscriber_for(suppression: Suppression, email: str = "") -> Subscriber | None:
    """The subscriber behind a suppression, when the address is known (typed or stored)."""
    if not email or address_hash(email) != suppression.address_hash:
        return None
    return find_subscriber(email)


def remove_suppression(
    suppression: Suppression, *, reason: str, who: RequestInfo, email: str = ""
) -> ConsentRecord:
    """Delete the suppression, give a bounced subscriber back their status, record why."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise CannotUnsuppress("a reason is required")
    if suppression.reason == SuppressionReason.ERASED:
        raise CannotUnsuppress("an erased address stays suppressed")
    with transaction.atomic():
        locked = Suppression.objects.select_for_update().filter(pk=suppression.pk).first()
        if locked is None:
            raise CannotUnsuppress("already removed")
        subscriber = subscriber_for(locked, email)
        if subscriber is not None:
            subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
            if subscriber.status in RESTORABLE:
                subscriber.status = (
                    SubscriberStatus.ACTIVE if subscriber.confirmed_at else SubscriberStatus.PENDING
                )
            subscriber.soft_bounce_count = 0
            subscriber.save(update_fields=["status", "soft_bounce_count"])
        slugs = (
            list(subscriber.subscriptions.values_list("newsletter__slug", flat=True))
            if subscriber
            else []
        )
        locked.delete()
        return subscriptions.record_consent(
            subscriber, ConsentAction.UNSUPPRESS, who, slugs, lawful_basis=reason
        )
