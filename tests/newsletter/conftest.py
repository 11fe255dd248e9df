"""Fixtures for the newsletter tests."""

import pytest

from tests.newsletter.consent_support import eager_tasks, fresh_rate_limits, weekly  # noqa: F401
from tests.support.smtp_faults import faulty_smtp_server


@pytest.fixture
def smtp_server():
    """The shared fixture's SMTP server, with the fault controls of tests/support/smtp_faults.py."""
    server = faulty_smtp_server()
    yield server
    if server.handler.gate is not None:
        server.handler.gate.release(1000)  # never leave the event loop blocked at teardown
    server.stop()
