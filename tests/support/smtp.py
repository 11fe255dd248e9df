"""A real SMTP server for tests: aiosmtpd on a free port on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple = ()  # the client's (host, port): one value per SMTP connection
    at: float = 0.0  # the handler's clock when the message arrived
    raw: bytes = b""  # the DATA as received (dot-unstuffed), for checks on the exact bytes


@dataclass
class RecordingHandler:
    """Keeps every message it accepts.

    `refuse_with` makes the server answer RCPT with that reply (for example
    "451 4.3.0 Try again later") for matching addresses, or for all when
    `refuse_all` is set, so tests can exercise temporary and permanent failures.
    `clock` stamps each message (`at`); a test may swap in a fake clock.
    """

    received: list[ReceivedMessage] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    refuse_all: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock: Callable[[], float] = time.monotonic

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        if self.refuse_all:
            return self.refuse_all
        if address.lower() in self.refuse_rcpt:
            return self.refuse_rcpt[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                ReceivedMessage(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message,
                    peer=tuple(session.peer or ()),
                    at=self.clock(),
                    raw=envelope.original_content or b"",
                )
            )
        return "250 Message accepted for delivery"


class _BoundController(Controller):
    """aiosmtpd on a socket we bound to port 0 ourselves.

    Choosing a free port, closing it and letting aiosmtpd bind it later is a race
    with every other process on the machine; handing over the bound socket is not.
    """

    def __init__(self, handler, listener: socket.socket):
        self.listener = listener
        super().__init__(handler, hostname="127.0.0.1", port=listener.getsockname()[1])

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.listener)


class SMTPServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        self.controller = _BoundController(self.handler, listener)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.listener.getsockname()[1]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return [item.message for item in self.handler.received]

    def received(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.received)

    def recipients(self) -> list[str]:
        with self.handler.lock:
            return [rcpt for item in self.handler.received for rcpt in item.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)} in {timeout}s")
