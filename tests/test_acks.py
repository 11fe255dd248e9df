"""Celery never drops work: a task whose prefork child is killed mid-task runs again.

This needs both `acks_late` (the message is acknowledged only after the task ends)
and `task_reject_on_worker_lost` (a lost child puts the message back on the queue).
The task here is a real one: a webhook delivery, held mid-request by a receiver
that answers nothing until the child running it has been killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cms.models import WebhookDelivery, WebhookDeliveryState, WebhookEndpoint
from cms.tasks import deliver_webhook
from tests.support.proc import children_of
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 45.0  # seconds; every wait below is bounded by this


class HoldingReceiver:
    """Records each POST; holds the first one open until `release` is set."""

    def __init__(self):
        self.requests: list[dict] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(dict(self.headers))
                if len(receiver.requests) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(WAIT)
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:  # the client was killed meanwhile
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = HoldingReceiver()
    yield server
    server.stop()


def test_a_task_whose_worker_child_is_killed_runs_again_on_another_child(
    celery_worker_factory, receiver
):
    # The receiver listens on loopback, which webhook deliveries refuse unless it is allowed.
    worker = celery_worker_factory(concurrency=1, WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    endpoint = WebhookEndpoint.objects.create(name="intoscana", url=receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="published", payload={"id": 1}
    )
    [child] = wait_until(
        lambda: children_of(worker.process.pid), WAIT, "the worker's pool child", poll=0.1
    )

    deliver_webhook.delay(delivery.id)
    assert receiver.first_arrived.wait(WAIT), "the task never reached the receiver"
    os.kill(child, signal.SIGKILL)
    receiver.release.set()

    def delivered():
        delivery.refresh_from_db()
        return delivery.state == WebhookDeliveryState.DELIVERED

    wait_until(delivered, WAIT, "the task to run again and deliver", poll=0.1)
    assert child not in children_of(worker.process.pid)
    assert len(receiver.requests) == 2
    assert {r["X-Notiziario-Delivery"] for r in receiver.requests} == {str(delivery.id)}
    assert delivery.attempts == 1, "the killed attempt never finished, so it is not counted"
