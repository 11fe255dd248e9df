"""An SMTP server whose faults a test controls: a gate per message, a hook, timestamps.

It records, on the test process's monotonic clock, when each MAIL FROM arrived
and for whom, so a test can compare it with the moment an unsubscribe committed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.smtp import Envelope

from .smtp import RecordingHandler, SMTPServer

GATE_TIMEOUT = 60.0  # a test that forgets to open the gate fails instead of hanging


@dataclass
class FaultyHandler(RecordingHandler):
    """RecordingHandler, plus:

    - `gate`: when set, each message waits for a permit before it is accepted
      (the DATA reply is held back), so a test can act while a batch is mid-way;
      `held` is set while a message waits;
    - `before_accepting(n)`: called with the message's number (1, 2, …) after it
      is received and before the server answers 250;
    - `mail_from_times`: (monotonic time of MAIL FROM, recipient) per RCPT accepted;
    - `sessions` and `refusals`: EHLOs seen and RCPTs refused.
    """

    gate: threading.Semaphore | None = None
    held: threading.Event = field(default_factory=threading.Event)
    before_accepting: Callable[[int], None] | None = None
    mail_from_times: list[tuple[float, str]] = field(default_factory=list)
    accepted_times: list[float] = field(default_factory=list)
    sessions: int = 0
    refusals: int = 0
    data_count: int = 0

    async def handle_EHLO(self, server, session, envelope: Envelope, hostname: str, responses):
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
        return responses

    async def handle_MAIL(self, server, session, envelope: Envelope, address: str, mail_options):
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        envelope.mail_from_time = time.monotonic()
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        reply = await super().handle_RCPT(server, session, envelope, address, rcpt_options)
        with self.lock:
            if reply.startswith("250"):
                self.mail_from_times.append((envelope.mail_from_time, address.lower()))
            else:
                self.refusals += 1
        return reply

    async def handle_DATA(self, server, session, envelope: Envelope):
        with self.lock:
            self.data_count += 1
            number = self.data_count
        if self.gate is not None:
            # Blocks the server's event loop on purpose: the worker waits for our reply.
            acquired = self.gate.acquire(blocking=False)
            if not acquired:
                self.held.set()
                acquired = self.gate.acquire(timeout=GATE_TIMEOUT)
                self.held.clear()
            if not acquired:
                return "421 4.3.0 the test never opened the gate"
        if self.before_accepting is not None:
            self.before_accepting(number)
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.accepted_times.append(time.monotonic())
        return reply


def faulty_smtp_server() -> SMTPServer:
    server = SMTPServer()
    server.handler = FaultyHandler()
    server.controller.handler = server.handler
    return server.start()
