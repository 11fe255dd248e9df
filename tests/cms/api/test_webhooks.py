"""Webhooks: signed JSON to integrators on publish, unpublish and delete, via Celery."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model

from cms import webhooks
from cms.models import WebhookDelivery, WebhookDeliveryState, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.services("postgres", "redis")


class Receiver:
    """A real HTTP server on 127.0.0.1 that records webhook requests."""

    def __init__(self, fail_first: int = 0):
        self.requests: list[tuple[dict, bytes]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[dict, bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.requests) >= count, f"got {len(self.requests)} of {count} requests"
        return self.requests[:count]

    def stop(self):
        self.server.shutdown()


@pytest.fixture(autouse=True)
def _loopback_receivers_are_allowed(settings):
    """The receivers here listen on 127.0.0.1, which webhooks refuse unless allowed."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def celery_worker(celery_worker_factory):
    return celery_worker_factory(WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def failing_receiver():
    server = Receiver(fail_first=2)
    yield server
    server.stop()


def verify(headers: dict, body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Notiziario-Signature"], expected)


@pytest.mark.django_db(transaction=True)
def test_publishing_news_posts_a_signed_payload_through_a_real_worker(celery_worker, receiver):
    endpoint = WebhookEndpoint.objects.create(name="intoscana", url=receiver.url)
    page = factories.news(title="Pubblicata")
    [(headers, body)] = receiver.wait_for(1)
    payload = json.loads(body)
    assert verify(headers, body, endpoint.secret)
    assert payload == {
        "id": page.id,
        "type": "cms.NewsPage",
        "url": f"https://notizie.example.org{page.url}",
        "locale": "it",
        "event": "published",
    }


@pytest.mark.django_db(transaction=True)
def test_unpublishing_and_deleting_are_notified(celery_worker, receiver):
    WebhookEndpoint.objects.create(name="intoscana", url=receiver.url)
    page = factories.news(title="Da ritirare")
    receiver.wait_for(1)
    page.unpublish()
    receiver.wait_for(2)
    page.delete()
    events = [json.loads(body)["event"] for _, body in receiver.wait_for(3)]
    assert events == ["published", "unpublished", "deleted"]


@pytest.mark.django_db(transaction=True)
def test_failed_deliveries_are_retried_with_backoff_until_they_succeed(
    celery_worker, failing_receiver
):
    WebhookEndpoint.objects.create(name="intoscana", url=failing_receiver.url)
    factories.news(title="Ritentata")
    failing_receiver.wait_for(3)
    deadline = time.monotonic() + 30
    delivery = WebhookDelivery.objects.get()
    while delivery.state != WebhookDeliveryState.DELIVERED and time.monotonic() < deadline:
        time.sleep(0.2)
        delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (WebhookDeliveryState.DELIVERED, 3)


@pytest.mark.django_db
def test_a_delivery_that_keeps_failing_is_marked_failed_after_the_last_attempt(receiver):
    receiver.fail_first = 100
    endpoint = WebhookEndpoint.objects.create(name="giù", url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="published", payload={"id": 1}, attempts=webhooks.MAX_ATTEMPTS - 1
    )
    webhooks.deliver(delivery.id)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDeliveryState.FAILED
    assert delivery.response_status == 500


@pytest.mark.django_db
def test_inactive_endpoints_are_not_notified():
    WebhookEndpoint.objects.create(name="spento", url="http://127.0.0.1:9/", is_active=False)
    factories.news(title="Nessuno ascolta")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_each_endpoint_gets_its_own_secret():
    first = WebhookEndpoint.objects.create(name="a", url="http://127.0.0.1:9/")
    second = WebhookEndpoint.objects.create(name="b", url="http://127.0.0.1:9/")
    assert first.secret and first.secret != second.secret


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/snippets/cms/webhookendpoint/", "/admin/snippets/cms/webhookdelivery/"]
)
def test_endpoints_and_the_delivery_log_are_in_the_admin(client, url):
    endpoint = WebhookEndpoint.objects.create(name="intoscana", url="http://127.0.0.1:9/")
    WebhookDelivery.objects.create(endpoint=endpoint, event="published", payload={"id": 1})
    admin = get_user_model().objects.create_superuser("capo", "capo@example.org", "pw-123456!")
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"intoscana" in response.content
