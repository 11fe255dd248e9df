"""PIPELINING against a server that really implements it: Postfix's smtp-sink.

The aiosmtpd tests only pretend the server advertises PIPELINING. Here the
server is Postfix's own test sink, started on a kernel-chosen port; every
message it accepts is dumped to a file, and the test counts those files.
"""

from __future__ import annotations

import re
import smtplib
from collections import Counter

import pytest

from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401
from tests.support import smtp_sink

pytestmark = [
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db,
]


def point_email_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def sink(settings):
    server = smtp_sink.SMTPSink().start()
    point_email_at(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def sink_without_pipelining(settings):
    server = smtp_sink.SMTPSink("-p").start()
    point_email_at(settings, server.port)
    yield server
    server.stop()


def rcpt_counts(dumps: list[str]) -> Counter:
    return Counter(
        address.lower()
        for dump in dumps
        for address in re.findall(r"^X-Rcpt-Args: <([^>]+)>", dump, re.MULTILINE)
    )


def test_a_pipelined_batch_reaches_a_pipelining_server_whole(sink, monkeypatch):
    def no_sendmail(*args, **kwargs):
        raise AssertionError("smtp-sink advertises PIPELINING: the pipelined path must be used")

    monkeypatch.setattr(smtplib.SMTP, "sendmail", no_sendmail)
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 7)
    issue = builders.approved_issue(weekly, title="Robotica a Pisa")
    send_all(issue, batch_size=5)

    dumps = sink.wait_for(7)
    assert len(dumps) == 7
    assert rcpt_counts(dumps) == Counter({p.email: 1 for p in people})
    for dump in dumps:
        assert "X-Mail-Args: <notizie@example.org" in dump
        assert "Robotica a Pisa" in dump
        assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in dump
    assert issue.deliveries.filter(state="sent").count() == 7


def test_without_pipelining_advertised_every_message_still_arrives_once(sink_without_pipelining):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 4)
    send_all(builders.approved_issue(weekly), batch_size=3)
    dumps = sink_without_pipelining.wait_for(4)
    assert rcpt_counts(dumps) == Counter({p.email: 1 for p in people})
