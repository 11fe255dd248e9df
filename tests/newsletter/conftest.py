"""Fixtures for the newsletter tests."""

from tests.newsletter.consent_support import eager_tasks, fresh_rate_limits, weekly  # noqa: F401
