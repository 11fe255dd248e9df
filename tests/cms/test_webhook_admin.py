"""Webhook admin: "send a test event" reaches the endpoint signed; the delivery log has no add."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.contrib.auth import get_user_model

from cms.models import WebhookDelivery, WebhookEndpoint
from tests.cms.api.test_webhooks import Receiver

pytestmark = [pytest.mark.services("postgres"), pytest.mark.django_db]


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw-12345")
    client.force_login(user)
    return user


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def test_a_test_event_is_posted_signed_and_stays_out_of_the_log(client, admin, settings, receiver):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    endpoint = WebhookEndpoint.objects.create(name="Prova", url=receiver.url, secret="s3greto")
    listing = client.get("/admin/snippets/cms/webhookendpoint/").content.decode()
    url = f"/admin/snippets/cms/webhookendpoint/{endpoint.pk}/test-event/"
    assert url in listing
    response = client.post(url, follow=True)
    assert "Evento di prova consegnato (HTTP 204)." in response.content.decode()
    ((headers, body),) = receiver.wait_for(1)
    assert json.loads(body)["event"] == "test"
    assert headers["X-Notiziario-Event"] == "test"
    expected = "sha256=" + hmac.new(b"s3greto", body, hashlib.sha256).hexdigest()
    assert headers["X-Notiziario-Signature"] == expected
    assert not WebhookDelivery.objects.exists()


def test_a_test_event_to_a_refused_address_says_so(client, admin, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    endpoint = WebhookEndpoint.objects.create(name="Interno", url="https://example.org/hook")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/hook")
    response = client.post(
        f"/admin/snippets/cms/webhookendpoint/{endpoint.pk}/test-event/", follow=True
    )
    assert "non consegnato: indirizzo non consentito" in response.content.decode()


def test_the_delivery_log_offers_no_add_button(client, admin):
    html = client.get("/admin/snippets/cms/webhookdelivery/").content.decode()
    assert "/admin/snippets/cms/webhookdelivery/add/" not in html
