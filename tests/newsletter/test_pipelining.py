"""Sending with SMTP PIPELINING: same outcomes as smtplib's sendmail, fewer round trips.

The test server (aiosmtpd) reads pipelined commands correctly but does not
advertise PIPELINING, so the `pipelining` fixture makes the client believe it
does, and makes smtplib's own `sendmail` unusable to prove the fast path ran.
"""

from __future__ import annotations

import smtplib

import pytest

from newsletter import pipelining, sending
from newsletter.models import DeliveryState, IssueState
from newsletter.suppression import is_suppressed
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401


@pytest.fixture
def weekly():
    return builders.newsletter()


@pytest.fixture
def pipelining_server(monkeypatch, smtp_settings, smtp_server):
    ehlo = smtplib.SMTP.ehlo

    def ehlo_with_pipelining(self, name=""):
        reply = ehlo(self, name)
        self.esmtp_features["pipelining"] = ""
        return reply

    def no_sendmail(*args, **kwargs):
        raise AssertionError("the pipelined path should have been used")

    monkeypatch.setattr(smtplib.SMTP, "ehlo", ehlo_with_pipelining)
    monkeypatch.setattr(smtplib.SMTP, "sendmail", no_sendmail)
    return smtp_server


@pytest.mark.parametrize(
    "data",
    [
        b"Subject: x\r\n\r\n.hidden\r\n..two\r\nend.\r\n",
        b".starts with a dot\r\nno final line break",
        b"bare\n.newline\r\n",
        b"",
    ],
)
def test_dot_stuffing_matches_smtplib(data):
    expected = smtplib._quote_periods(data)
    if expected[-2:] != b"\r\n":
        expected += b"\r\n"
    assert pipelining.stuff_dots(data) == expected + b".\r\n"


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_pipelined_messages_arrive_whole_with_their_headers(weekly, pipelining_server):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    send_all(issue)
    messages = pipelining_server.wait_for(3)
    assert issue.state == IssueState.SENT
    assert set(pipelining_server.recipients()) == set(
        issue.deliveries.values_list("subscriber__email", flat=True)
    )
    for message in messages:
        html = message.get_body(("html",)).get_content()
        assert "/newsletter/unsubscribe/" in html
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_a_pipelined_permanent_refusal_fails_only_that_delivery(weekly, pipelining_server):
    builders.subscribers(weekly, 2)
    builders.subscriber(weekly, "nobody@example.org")
    builders.subscribers(weekly, 2)
    pipelining_server.handler.refuse_rcpt["nobody@example.org"] = "550 5.1.1 No such user"
    issue = builders.approved_issue(weekly)
    send_all(issue)
    failed = issue.deliveries.get(state=DeliveryState.FAILED)
    assert (failed.subscriber.email, failed.error_code) == ("nobody@example.org", "550")
    assert issue.deliveries.filter(state=DeliveryState.SENT).count() == 4
    assert len(pipelining_server.wait_for(4)) == 4
    assert is_suppressed("nobody@example.org")


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_a_pipelined_temporary_refusal_hands_the_batch_back(weekly, pipelining_server):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    pipelining_server.handler.refuse_all = "451 4.3.0 Try again later"
    with pytest.raises(sending.TemporarySendError):
        sending.send_next_batch(issue.pk, 10)
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert pipelining_server.messages == []


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_a_pipelined_refusal_of_the_content_fails_the_delivery_without_suppressing(
    weekly, pipelining_server, monkeypatch
):
    async def refuse_data(server, session, envelope):
        return "554 5.6.0 Content rejected"

    monkeypatch.setattr(pipelining_server.handler, "handle_DATA", refuse_data)
    person = builders.subscriber(weekly)
    issue = builders.approved_issue(weekly)
    send_all(issue)
    failed = issue.deliveries.get()
    assert (failed.state, failed.error_code) == (DeliveryState.FAILED, "554")
    assert not is_suppressed(person.email)


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_without_pipelining_advertised_smtplib_sendmail_is_used(
    weekly, smtp_settings, smtp_server, monkeypatch
):
    calls = []
    sendmail = smtplib.SMTP.sendmail

    def counting_sendmail(self, *args, **kwargs):
        calls.append(args[1])
        return sendmail(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "sendmail", counting_sendmail)
    person = builders.subscriber(weekly)
    send_all(builders.approved_issue(weekly))
    assert calls == [[person.email]]
    assert len(smtp_server.wait_for(1)) == 1
