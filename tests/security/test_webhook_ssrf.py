"""Webhook URLs cannot reach our own network (SSRF), follow redirects, or scan ports.

The receivers are real HTTP servers on 127.0.0.1. Only DNS is faked, in the
one test about a name that changes its answer between two lookups (rebinding):
the sandbox has no resolver we could make do that.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from cms import webhooks
from cms.models import WebhookDelivery, WebhookDeliveryState, WebhookEndpoint

pytestmark = [pytest.mark.services("postgres"), pytest.mark.django_db]

FORBIDDEN = [
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://localhost:8000/hook",
    "ftp://93.184.215.14/",
    "http://user:secret@93.184.215.14/",
]


def endpoint(url: str) -> WebhookEndpoint:
    return WebhookEndpoint(name="prova", url=url)


@pytest.mark.parametrize("url", FORBIDDEN)
def test_an_endpoint_to_a_non_public_target_is_refused_at_save(url):
    with pytest.raises(ValidationError) as refused:
        endpoint(url).full_clean()
    assert list(refused.value.message_dict) == ["url"]


def test_the_refusal_explains_itself_in_italian():
    with pytest.raises(ValidationError) as refused:
        endpoint("http://169.254.169.254/").full_clean()
    assert "non pubblica" in refused.value.message_dict["url"][0]
    assert "WEBHOOK_ALLOWED_HOSTS" in refused.value.message_dict["url"][0]


def test_a_public_address_is_accepted():
    endpoint("https://93.184.215.14/hook").full_clean()


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        (["10.0.0.0/8"], "http://10.20.30.40/hook"),
        (["localhost"], "http://localhost:8000/hook"),
        (["127.0.0.1"], "http://127.0.0.1:9000/hook"),
        (["::1"], "http://[::1]:9000/hook"),
    ],
)
def test_the_allowlist_admits_intranet_receivers(settings, allowed, url):
    settings.WEBHOOK_ALLOWED_HOSTS = allowed
    endpoint(url).full_clean()


def test_the_allowlist_admits_only_what_it_names(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.0.0.0/8"]
    with pytest.raises(ValidationError):
        endpoint("http://192.168.1.1/").full_clean()


def test_the_admin_form_refuses_the_metadata_service(client):
    admin = get_user_model().objects.create_superuser("capo", "capo@example.org", "pw-123456!")
    client.force_login(admin)
    response = client.post(
        "/admin/snippets/cms/webhookendpoint/add/",
        {"name": "metadati", "url": "http://169.254.169.254/latest/", "secret": "s" * 40},
    )
    assert response.status_code == 200
    assert "non pubblica" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


# -- at send time ------------------------------------------------------------------------------


class Receiver:
    """A real HTTP server on 127.0.0.1 recording (method, path) of every request."""

    def __init__(self, *, redirect_to: str | None = None):
        self.requests: list[tuple[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                receiver.requests.append((self.command, self.path))
                if redirect_to and self.path == "/hook":
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                else:
                    self.send_response(204)
                self.end_headers()

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def delivery_to(url: str) -> WebhookDelivery:
    # objects.create skips validation: what was saved before this check existed, or a
    # name whose DNS answer changed since.
    target = WebhookEndpoint.objects.create(name="prova", url=url)
    return WebhookDelivery.objects.create(endpoint=target, event="published", payload={"id": 1})


def test_a_name_that_resolves_to_loopback_is_refused_at_send_time(receiver):
    delivery = delivery_to(f"http://localhost:{receiver.port}/hook")
    webhooks.deliver(delivery.id)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.state == WebhookDeliveryState.FAILED
    assert delivery.error == "indirizzo non consentito"


def test_the_connection_goes_to_the_address_that_was_vetted(settings, receiver, monkeypatch):
    """A name answering 127.0.0.1 (allowed) then 10.0.0.1 is looked up once, and reached once."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    answers = iter(["127.0.0.1", "10.0.0.1", "10.0.0.1"])
    lookups = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    delivery = delivery_to(f"http://rebind.example:{receiver.port}/hook")
    webhooks.deliver(delivery.id)
    delivery.refresh_from_db()
    assert lookups == ["rebind.example"]
    assert receiver.requests == [("POST", "/hook")]
    assert delivery.state == WebhookDeliveryState.DELIVERED


def test_a_redirect_is_not_followed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    target = Receiver()
    redirecting = Receiver(redirect_to=f"http://127.0.0.1:{target.port}/internal")
    try:
        delivery = delivery_to(f"http://127.0.0.1:{redirecting.port}/hook")
        with pytest.raises(webhooks.TemporaryDeliveryError):
            webhooks.deliver(delivery.id)
        delivery.refresh_from_db()
        assert redirecting.requests == [("POST", "/hook")]
        assert target.requests == []
        assert (delivery.state, delivery.response_status) == (WebhookDeliveryState.RETRYING, 302)
    finally:
        target.stop()
        redirecting.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_and_a_timeout_read_the_same_in_the_log(settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    silent = socket.socket()  # accepts connections (backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        refused = delivery_to(f"http://127.0.0.1:{closed_port()}/hook")
        timed_out = delivery_to(f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        for delivery in (refused, timed_out):
            with pytest.raises(webhooks.TemporaryDeliveryError):
                webhooks.deliver(delivery.id)
            delivery.refresh_from_db()
    finally:
        silent.close()
    assert refused.error == timed_out.error == "connessione non riuscita"
    assert refused.response_status is timed_out.response_status is None
