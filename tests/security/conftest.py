"""Fixtures for the attack catalogue."""

from tests.newsletter.consent_support import eager_tasks, fresh_rate_limits, weekly  # noqa: F401
