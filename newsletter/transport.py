"""Handing a batch of deliveries to the mail system: an SMTP server, or an ESP.

`send(batch)` is the one interface the state machine (sending.py) uses. It yields
one Outcome per delivery, in order, as each is settled, and raises
TemporarySendError when the mail system cannot take the rest now; the state
machine records the outcomes and decides what a refusal means. The path is
chosen here, once, from the configured email backend:

- Django's SMTP backend: one connection per batch; each copy is built as bytes
  (emails.MessageFactory) and handed over by pipelining.py in two round trips.
  A stop (stops.py) that committed before a copy's MAIL FROM wins.
- any other backend (an ESP through django-anymail, or a development backend):
  the whole batch as Django messages, in one `send_messages` call.

pipelining.py stays a module of its own: it is the SMTP client exchange alone
(smtplib in, smtplib's exceptions out), tested against real servers without
any newsletter model.

Both paths pace the hand-over with NEWSLETTER_RATE_LIMIT_PER_MINUTE (one window
shared by every worker, in Redis); SMTP also waits NEWSLETTER_SEND_INTERVAL_MS
between messages.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from web.ratelimit import RateLimit

from . import emails, outgoing, pipelining
from .assembly import render_variant
from .models import Delivery, Issue, IssueRendition
from .rendering import RenderedEmail, without_personal_links

SENT = "sent"  # the mail system took it
STOPPED = "stopped"  # not handed over: its subscriber was stopped after the claim
REFUSED = "refused"  # the SMTP server refused it, with `code` and `text`


class TemporarySendError(Exception):
    """The SMTP server or the network said "later"; the batch task retries with backoff.

    `tried` is the delivery being handed over when it happened (it goes back to
    pending without losing its attempt); `failure`, when set, counts as one more
    failure in a row, with that reason.
    """

    def __init__(self, message: str, *, tried: Delivery | None = None, failure: str = ""):
        super().__init__(message)
        self.tried = tried
        self.failure = failure


@dataclass(frozen=True)
class Batch:
    issue: Issue
    deliveries: list[Delivery]  # claimed, with their subscribers, in the order to send
    renditions: dict[str, IssueRendition]  # variant key → rendition
    stopped_among: Callable[[list[Delivery]], set[int]]  # subscriber ids stopped since the claim


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    status: str  # SENT, STOPPED or REFUSED
    code: int = 0
    text: str = ""
    at_rcpt: bool = False  # refused at RCPT: the mailbox itself, not the message


def send(batch: Batch) -> Iterator[Outcome]:
    """Hand `batch` over, yielding each delivery's outcome; close the iterator when done."""
    connection = get_connection(fail_silently=False)
    if isinstance(connection, SMTPBackend):
        return _by_smtp(connection, batch)
    return _in_one_call(connection, batch)


def _by_smtp(connection: SMTPBackend, batch: Batch) -> Iterator[Outcome]:
    limiter = _limiter()
    interval = settings.NEWSLETTER_SEND_INTERVAL_MS / 1000
    try:
        factory = emails.MessageFactory(batch.issue, batch.renditions)
        connection.open()
        for delivery in batch.deliveries:
            _wait_for_rate_limit(limiter, batch.issue.newsletter.slug)
            data = factory.build(delivery)
            # The last thing before MAIL FROM: a stop that has committed by now wins.
            if batch.stopped_among([delivery]):
                yield Outcome(delivery, STOPPED)
                continue
            try:
                pipelining.send(
                    connection.connection, factory.envelope_sender, delivery.subscriber.email, data
                )
            except (
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError,
            ) as exc:
                code, text = _refusal(exc)
                at_rcpt = isinstance(exc, smtplib.SMTPRecipientsRefused)
                yield Outcome(delivery, REFUSED, code, text, at_rcpt=at_rcpt)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                raise TemporarySendError(
                    f"connection lost: {type(exc).__name__}: {exc}",
                    tried=delivery,
                    failure=f"{type(exc).__name__}: {exc}",
                ) from exc
            yield Outcome(delivery, SENT)
            if interval:
                time.sleep(interval)
    except OSError as exc:  # could not connect at all
        raise TemporarySendError(f"cannot reach the mail server: {exc}") from exc
    finally:
        _close(connection)


def _in_one_call(connection, batch: Batch) -> Iterator[Outcome]:
    """An ESP through anymail (or a development backend): the batch in one call."""
    limiter = _limiter()
    try:
        for _ in batch.deliveries:
            _wait_for_rate_limit(limiter, batch.issue.newsletter.slug)
        halted = batch.stopped_among(batch.deliveries)
        going = []
        for delivery in batch.deliveries:
            if delivery.subscriber_id in halted:
                yield Outcome(delivery, STOPPED)
            else:
                going.append(delivery)
        links = emails.LinkMaker(batch.issue.newsletter_id, batch.issue.pk)
        copies = [
            emails.build_message(batch.issue, batch.renditions[d.variant_key], d, links)
            for d in going
        ]
        try:
            connection.send_messages(copies)
        except Exception as exc:
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc
        for delivery in going:
            yield Outcome(delivery, SENT)
    except OSError as exc:
        raise TemporarySendError(f"cannot reach the mail server: {exc}") from exc
    finally:
        _close(connection)


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # the server may already be gone
        pass


def _refusal(exc: smtplib.SMTPException) -> tuple[int, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return int(code), _decode(text)
    return int(exc.smtp_code), _decode(exc.smtp_error)


def _decode(text) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _limiter() -> RateLimit:
    return RateLimit("newsletter-send", settings.NEWSLETTER_RATE_LIMIT_PER_MINUTE, 60)


def _wait_for_rate_limit(limiter: RateLimit, identity: str) -> None:
    while True:
        decision = limiter.hit(identity)
        if decision.allowed:
            return
        time.sleep(max(decision.retry_after, 0.05))


def send_test(issue: Issue, to: str) -> None:
    """Send the issue as it will look, to one address, outside the ledger."""
    rendition = issue.renditions.filter(variant_key="").first() or render_variant(issue, "")
    body = without_personal_links(RenderedEmail(rendition.html, rendition.text), issue.pk)
    message = emails.compose(issue, body, to=to, headers={})
    message.subject = f"[TEST] {outgoing.one_line(issue.subject)}"
    message.send()
