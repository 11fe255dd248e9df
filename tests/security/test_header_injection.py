"""CR/LF in the newsletter's name, sender name or an issue's subject never starts a header
on the wire: not in the digest, the test send or the confirmation, after the Subject is
refolded and DKIM-signed (newsletter/outgoing.py)."""

from __future__ import annotations

import re

import pytest

from newsletter import subscriptions, transport
from newsletter.models import Issue
from newsletter.subscriptions import RequestInfo, Selection
from tests.newsletter import builders
from tests.newsletter.sending_support import send_all

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

INJECTED = "Bcc: vittima@evil.example"
BREAKS = ["\r\n", "\n", "\r", "\r\n ", "\u2028", "\x85"]


def hostile_newsletter(line_break: str):
    return builders.newsletter(
        name=f"Innovazione{line_break}{INJECTED}",
        sender_name=f"Notiziario{line_break}{INJECTED}",
    )


def head_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def assert_no_injected_header(raw: bytes) -> None:
    head = head_of(raw)
    assert not re.search(rb"^bcc\s*:", head, re.MULTILINE | re.IGNORECASE), head.decode("latin-1")
    assert b"\r\n" + INJECTED.encode() not in head and b"\n" + INJECTED.encode() not in head


@pytest.fixture
def received(smtp_settings, smtp_server):
    def wait(count: int = 1) -> list[bytes]:
        smtp_server.wait_for(count)
        items = smtp_server.received()
        assert all(
            "vittima@evil.example" not in recipient for item in items for recipient in item.rcpt_tos
        )
        return [item.raw for item in items]

    return wait


@pytest.mark.parametrize("line_break", BREAKS)
def test_the_digest_carries_no_injected_header(received, line_break):
    newsletter = hostile_newsletter(line_break)
    builders.subscriber(newsletter, "anna@example.org")
    issue = builders.approved_issue(newsletter)
    Issue.objects.filter(pk=issue.pk).update(subject=f"Numero 1{line_break}{INJECTED}")
    issue.refresh_from_db()
    send_all(issue)
    [raw] = received()
    assert_no_injected_header(raw)


@pytest.mark.parametrize("line_break", BREAKS)
def test_the_test_send_carries_no_injected_header(received, line_break):
    newsletter = hostile_newsletter(line_break)
    issue = builders.approved_issue(newsletter)
    Issue.objects.filter(pk=issue.pk).update(subject=f"Numero 1{line_break}{INJECTED}")
    issue.refresh_from_db()
    transport.send_test(issue, "redazione@example.org")
    [raw] = received()
    assert_no_injected_header(raw)


@pytest.mark.parametrize("line_break", BREAKS)
def test_the_confirmation_carries_no_injected_header(received, eager_tasks, line_break):
    newsletter = hostile_newsletter(line_break)
    with eager_tasks():
        subscriptions.subscribe(
            "anna@example.org", Selection({newsletter.pk: []}), "it", RequestInfo(source="api")
        )
    [raw] = received()
    assert_no_injected_header(raw)
