"""End to end with real services: API request → Celery worker → SMTP server → confirm."""

from __future__ import annotations

import json

import pytest

from newsletter.models import ConsentRecord, Subscriber, SubscriberStatus
from tests.newsletter.builders import newsletter
from tests.newsletter.consent_support import link_in

pytestmark = pytest.mark.services("postgres", "redis")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_confirmation_and_the_link_confirms(
    client, celery_worker, smtp_server
):
    newsletter(slug="innovazione")
    body = {"email": "anna@example.org", "newsletters": ["innovazione"], "consent": True}

    response = client.post(
        "/api/v2/subscriptions/", json.dumps(body), content_type="application/json"
    )
    [message] = smtp_server.wait_for(1)
    client.post(link_in(message, "/newsletter/confirm/").split("8000", 1)[-1])

    assert response.status_code == 202
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE
    assert "anna@example.org" in ConsentRecord.objects.get(action="subscribe").confirmation_email
