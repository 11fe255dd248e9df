"""What the email provider reports through django-anymail webhooks: bounces and
complaints (tracking), and mailto: unsubscribes from List-Unsubscribe (inbound)."""

from __future__ import annotations

import logging
import re

from anymail.signals import EventType, inbound, tracking
from django.core.exceptions import ValidationError
from django.dispatch import receiver

from . import attribution, subscriptions, suppression, tokens
from .models import ConsentSource

logger = logging.getLogger(__name__)

# Anymail normalises every provider's events to these types.
HARD = {EventType.BOUNCED, EventType.REJECTED}
COMPLAINT = {EventType.COMPLAINED}
SOFT = {EventType.DEFERRED}
# The subject list_unsubscribe_headers puts in the mailto: link.
UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe\s+([A-Za-z0-9_.:\-]+)")


@receiver(tracking, dispatch_uid="newsletter.bounces")
def handle_tracking_event(sender, event, esp_name: str, **kwargs) -> None:
    if not event.recipient:
        return
    try:
        if event.event_type in COMPLAINT:
            suppression.record_complaint(event.recipient)
        elif event.event_type in HARD and _is_soft(event):
            suppression.record_soft_bounce(event.recipient)
        elif event.event_type in HARD:
            suppression.record_hard_bounce(event.recipient)
        elif event.event_type in SOFT:
            suppression.record_soft_bounce(event.recipient)
        else:
            return
        attribution.note_provider_report(event.recipient, event.message_id or "")
    except ValidationError:
        logger.warning("%s reported %s for a malformed address", esp_name, event.event_type)
        return
    logger.info("%s reported %s (%s)", esp_name, event.event_type, event.reject_reason)


def _is_soft(event) -> bool:
    """Some providers report temporary failures as "bounced"; their raw event says so."""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return (
        raw.get("Type") in {"SoftBounce", "Transient"}  # Postmark
        or raw.get("severity") == "temporary"  # Mailgun
    )


@receiver(inbound, dispatch_uid="newsletter.mailto_unsubscribe")
def handle_mailto_unsubscribe(sender, event, esp_name: str, **kwargs) -> None:
    """An email to the List-Unsubscribe mailto: address: the signed token in the subject decides."""
    match = UNSUBSCRIBE_SUBJECT.search(event.message.subject or "")
    if not match:
        return
    try:
        subscriber, newsletter_id, data = tokens.read_unsubscribe_token(match.group(1))
    except tokens.InvalidToken:
        logger.info("%s delivered an unsubscribe email with an invalid token", esp_name)
        return
    who = subscriptions.RequestInfo(
        source=ConsentSource.EMAIL, issue_id=attribution.issue_from_token(data)
    )
    if newsletter_id is None:  # a token from before tokens named their newsletter
        subscriptions.unsubscribe(subscriber, who)
    else:
        subscriptions.unsubscribe_from(subscriber, newsletter_id, who)
