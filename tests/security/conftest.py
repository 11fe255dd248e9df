"""Fixtures for the attack catalogue: the newsletter's consent fixtures, shared."""

from tests.newsletter.consent_support import eager_tasks, fresh_rate_limits, weekly  # noqa: F401
