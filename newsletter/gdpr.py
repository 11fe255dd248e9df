"""The data protection rights that touch the newsletter: access (export) and erasure."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from wagtail.models import BaseLogEntry

from . import stops
from .models import ConsentAction, Subscriber, SubscriberStatus, SuppressionReason
from .subscriptions import RequestInfo, record_consent
from .suppression import is_suppressed, suppress


def export(subscriber: Subscriber) -> dict[str, Any]:
    """Everything held on one person, as JSON-ready data (Art. 15 GDPR)."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "subscriber": {
            "id": subscriber.pk,
            "email": subscriber.email,
            "locale": subscriber.locale,
            "status": subscriber.status,
            "created_at": when(subscriber.created_at),
            "confirmed_at": when(subscriber.confirmed_at),
            "unsubscribed_at": when(subscriber.unsubscribed_at),
            "confirmation_sent_at": when(subscriber.confirmation_sent_at),
            "soft_bounce_count": subscriber.soft_bounce_count,
            "suppressed": bool(subscriber.email) and is_suppressed(subscriber.email),
        },
        "subscriptions": [
            {
                "newsletter": subscription.newsletter.slug,
                "topics": sorted(topic.slug for topic in subscription.topics.all()),
                "created_at": when(subscription.created_at),
            }
            for subscription in subscriber.subscriptions.select_related("newsletter")
        ],
        "consent_records": [
            {
                "action": record.action,
                "source": record.source,
                "created_at": when(record.created_at),
                "privacy_notice_version": record.privacy_notice_version,
                "lawful_basis": record.lawful_basis,
                "origin": record.origin,
                "user_agent": record.user_agent,
                "ip_hash": record.ip_hash,
                "newsletters": record.newsletters,
                "confirmation_email": record.confirmation_email,
            }
            for record in subscriber.consent_records.order_by("created_at", "pk")
        ],
        "deliveries": [
            {
                "issue": delivery.issue.subject,
                "newsletter": delivery.issue.newsletter.slug,
                "state": delivery.state,
                "sent_at": when(delivery.sent_at),
                "error_code": delivery.error_code,
                "error_message": delivery.error_message,
            }
            for delivery in subscriber.deliveries.select_related("issue__newsletter").order_by("pk")
        ],
    }


def erase(subscriber: Subscriber, who: RequestInfo) -> Subscriber:
    """Remove personal data (Art. 17 GDPR), keeping a hashed suppression and anonymous counts.

    The subscriber row stays, without its address, so delivery and consent
    counts still add up; the keyed hash keeps the address from being mailed again.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.email:
            suppress(subscriber.email, SuppressionReason.ERASED)
        stops.stop_deliveries(subscriber.pk)
        subscriber.deliveries.update(error_message="", message_id="")
        subscriber.consent_records.update(
            user_agent="", ip_hash="", origin="", confirmation_email=""
        )
        subscriber.subscriptions.all().delete()
        email = subscriber.email
        subscriber.email = None
        subscriber.status = SubscriberStatus.ERASED
        subscriber.save(update_fields=["email", "status"])
        record_consent(subscriber, ConsentAction.ERASE, RequestInfo(source=who.source), [])
        if email:
            _scrub_admin_history(subscriber, email)
    return subscriber


def _scrub_admin_history(subscriber: Subscriber, email: str) -> None:
    """Take the address out of the admin's history: Wagtail log entries (its labels are
    str(subscriber) at the time, i.e. the address) and Django admin log entries.

    Scans the log tables for the address: an erasure is a rare admin action, not a request.
    """
    erased_label = str(subscriber)  # "#12 (Cancellato)"
    address = re.compile(re.escape(email), re.IGNORECASE)
    content_type = ContentType.objects.get_for_model(Subscriber)
    log_models = [
        model
        for model in apps.get_models()
        if issubclass(model, BaseLogEntry) and not model._meta.abstract
    ]
    for model in log_models:
        if any(field.name == "object_id" for field in model._meta.get_fields()):
            model.objects.filter(content_type=content_type, object_id=str(subscriber.pk)).update(
                label=erased_label
            )
        mentions = model.objects.annotate(data_text=Cast("data", TextField())).filter(
            Q(label__icontains=email) | Q(data_text__icontains=email)
        )
        for entry in mentions:
            entry.label = address.sub(erased_label, entry.label)
            entry.data = _without(entry.data, address, erased_label)
            entry.save(update_fields=["label", "data"])
    LogEntry.objects.filter(content_type=content_type, object_id=str(subscriber.pk)).update(
        object_repr=erased_label
    )
    for entry in LogEntry.objects.filter(
        Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    ):
        entry.object_repr = address.sub(erased_label, entry.object_repr)
        entry.change_message = address.sub(erased_label, entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


def _without(data: Any, address: re.Pattern, replacement: str) -> Any:
    """`data` (decoded JSON) with every match of `address` in keys and strings replaced."""
    if isinstance(data, str):
        return address.sub(replacement, data)
    if isinstance(data, list):
        return [_without(item, address, replacement) for item in data]
    if isinstance(data, dict):
        return {
            _without(key, address, replacement): _without(value, address, replacement)
            for key, value in data.items()
        }
    return data
