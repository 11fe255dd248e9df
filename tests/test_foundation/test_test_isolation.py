"""A test run never touches a developer's Redis data, even in the same Redis database."""

from __future__ import annotations

import uuid

import redis
from django.conf import settings
from django.core.cache import cache

from config.celery import app


def _raw_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def test_cache_clear_deletes_the_runs_keys_and_leaves_a_developers_keys_alone():
    raw = _raw_client()
    developer_key = f"notiziario:1:developer-{uuid.uuid4().hex}"
    raw.set(developer_key, b"keep me")
    try:
        cache.set("a-test-key", "gone soon")
        cache.clear()
        assert cache.get("a-test-key") is None
        assert raw.get(developer_key) == b"keep me"
    finally:
        raw.delete(developer_key)
        raw.close()


def test_tasks_the_tests_send_land_under_the_runs_prefix_not_in_a_shared_queue():
    queue = f"isolation-{uuid.uuid4().hex[:8]}"
    raw = _raw_client()
    try:
        app.send_task("cms.tasks.publish_scheduled", queue=queue)
        assert raw.llen(f"{settings.TEST_KEY_PREFIX}:{queue}") == 1
        assert not raw.exists(queue)
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
        raw.close()
