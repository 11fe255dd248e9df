"""Tell integrators when news is published, unpublished or deleted.

Each active endpoint gets a WebhookDelivery row (the admin's delivery log)
and a Celery task (cms.tasks.deliver_webhook) that POSTs the JSON payload,
signed with the endpoint's secret, retrying with exponential backoff. This
module never imports the tasks: cms/signals.py logs the deliveries here and
enqueues them once the transaction commits.

Only public addresses are called, at the address vetted just before the
connection, and redirects are not followed (cms/outbound.py).

Verifying on the receiving side: HMAC-SHA256 of the raw request body with
the shared secret, hex-encoded, equals the X-Notiziario-Signature header
after its "sha256=" prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.utils import timezone

from cms import outbound
from cms.links import page_html_url
from cms.models import (
    NewsPage,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
    WebhookEvent,
)

SIGNATURE_HEADER = "X-Notiziario-Signature"
EVENT_HEADER = "X-Notiziario-Event"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8


class TemporaryDeliveryError(Exception):
    """The endpoint did not accept the delivery; worth another try later."""


def payload_for(page: NewsPage, event: WebhookEvent) -> dict:
    try:
        url = page_html_url(page)
    except Exception:  # the page's tree may already be gone when it is deleted
        url = None
    return {
        "id": page.id,
        "type": f"{page._meta.app_label}.{type(page).__name__}",
        "url": url,
        "locale": page.locale.language_code if page.locale_id else None,
        "event": str(event),
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def notify(page: NewsPage, event: WebhookEvent) -> list[WebhookDelivery]:
    """Log a pending delivery for each active endpoint (the caller enqueues them)."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    if not endpoints:
        return []
    payload = payload_for(page, event)
    return [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        for endpoint in endpoints
    ]


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def deliver(delivery_id: int) -> WebhookDelivery:
    """POST one delivery once. Raises TemporaryDeliveryError when it should be retried."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.state in (WebhookDeliveryState.DELIVERED, WebhookDeliveryState.FAILED):
        return delivery
    body = encode(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Notiziario-Webhooks ({settings.SITE_URL})",
        SIGNATURE_HEADER: sign(body, delivery.endpoint.secret),
        EVENT_HEADER: delivery.event,
        "X-Notiziario-Delivery": str(delivery.id),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    refused = False
    try:
        status = outbound.post(delivery.endpoint.url, body, headers, timeout=TIMEOUT_SECONDS)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except (outbound.Unresolvable, outbound.DeliveryFailed):
        # Refused, unreachable, timed out or not resolved read the same: the log is no port
        # scanner. Worth another try later.
        status, error = None, "connessione non riuscita"
    except outbound.RefusedTarget:
        # Not a public address: no retry changes that.
        status, error, refused = None, "indirizzo non consentito", True
    delivery.response_status = status
    delivery.error = error[:2000]
    if status is not None and 200 <= status < 300:
        delivery.state = WebhookDeliveryState.DELIVERED
        delivery.delivered_at = timezone.now()
    elif refused or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = WebhookDeliveryState.FAILED
    else:
        delivery.state = WebhookDeliveryState.RETRYING
    delivery.save()
    if delivery.state == WebhookDeliveryState.RETRYING:
        raise TemporaryDeliveryError(error or f"HTTP {status}")
    return delivery


def send_test_event(endpoint: WebhookEndpoint) -> tuple[int | None, str]:
    """POST a signed "test" event to one endpoint now, outside the delivery log.

    Returns (HTTP status or None, error text; empty when the endpoint answered 2xx).
    """
    body = encode({"event": "test", "id": None, "type": None, "url": None, "locale": None})
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Notiziario-Webhooks ({settings.SITE_URL})",
        SIGNATURE_HEADER: sign(body, endpoint.secret),
        EVENT_HEADER: "test",
    }
    try:
        status = outbound.post(endpoint.url, body, headers, timeout=TIMEOUT_SECONDS)
    except (outbound.Unresolvable, outbound.DeliveryFailed):
        return None, "connessione non riuscita"
    except outbound.RefusedTarget:
        return None, "indirizzo non consentito"
    return status, "" if 200 <= status < 300 else f"HTTP {status}"
