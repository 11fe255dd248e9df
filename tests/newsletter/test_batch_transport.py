"""A batch goes to the mail transport in one piece: one ESP call, or one SMTP connection.

Counted where it arrives: the calls a backend receives, and the connections the
real SMTP server sees (each message carries the client's address and port).
"""

from __future__ import annotations

import pytest

from newsletter import sending
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401
from tests.support.mail_backends import CallRecordingBackend

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def recording_backend(settings):
    settings.EMAIL_BACKEND = "tests.support.mail_backends.CallRecordingBackend"
    CallRecordingBackend.calls = []
    yield CallRecordingBackend
    CallRecordingBackend.calls = []


def test_an_esp_backend_gets_each_batch_in_one_call(recording_backend):
    weekly = builders.newsletter()
    people = builders.subscribers(weekly, 7)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)

    first = sending.send_next_batch(issue.pk, 5)
    second = sending.send_next_batch(issue.pk, 5)

    assert (first.sent, second.sent) == (5, 2)
    assert [len(call) for call in recording_backend.calls] == [5, 2]
    assert sorted(to for call in recording_backend.calls for to in call) == sorted(
        p.email for p in people
    )


def test_an_smtp_batch_travels_over_one_connection(smtp_settings, smtp_server):
    weekly = builders.newsletter()
    builders.subscribers(weekly, 6)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)

    result = sending.send_next_batch(issue.pk, 10)

    received = smtp_server.received()
    assert result.sent == len(received) == 6
    assert len({message.peer for message in received}) == 1, "one SMTP connection per batch"
    assert all(len(message.rcpt_tos) == 1 for message in received)
