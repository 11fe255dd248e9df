"""Fixtures and helpers for the subscriber and consent tests (fixtures reach tests via conftest)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from config.celery import app
from newsletter.models import ConsentRecord, Subscriber, Subscription
from tests.newsletter.builders import newsletter
from web import ratelimit


@pytest.fixture
def fresh_rate_limits():
    """Rate-limit counters live in Redis (or in memory) and would carry over between tests."""
    cache.clear()
    ratelimit.reset_all()
    yield
    cache.clear()
    ratelimit.reset_all()


@pytest.fixture
def eager_tasks(smtp_settings, django_capture_on_commit_callbacks, fresh_rate_limits):
    """Run Celery tasks in-process, sending to the test SMTP server.

    Returns a context manager: tasks enqueued on commit inside it run when it exits.
    """
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager = previous


@pytest.fixture
def weekly(db, fresh_rate_limits):
    return newsletter(name="Innovazione in Toscana", slug="innovazione", description="Ogni lunedì.")


def nothing_stored() -> bool:
    return not (
        Subscriber.objects.exists()
        or ConsentRecord.objects.exists()
        or Subscription.objects.exists()
    )


def link_in(message, path: str) -> str:
    """The first link to `path` in a received email's HTML part."""
    html = message.get_body(preferencelist=("html",)).get_content()
    match = re.search(r'href="(https?://[^"]*' + re.escape(path) + r'[^"]+)"', html)
    assert match, f"no {path} link in:\n{html}"
    return match.group(1)
