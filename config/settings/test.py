"""Test settings: the real PostgreSQL and Redis, as in production.

`make test` (the pytest plugin devservices.pytest_plugin) starts throw-away ones
when DATABASE_URL / REDIS_URL are not set, and sets both before these settings load.
"""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The webhook tests play a deployment that sends through Postmark.
EMAIL_ESP = "postmark"
ANYMAIL = {"WEBHOOK_SECRET": "webhook:test-secret"}

# Tests that need volume must not trip the API rate limit; its own tests turn it on.
API_RATE_LIMIT = 0

# Tests never run collectstatic: WhiteNoise looks files up per request instead of
# warning at start-up that STATIC_ROOT is missing.
WHITENOISE_AUTOREFRESH = True

# A test run may share a Redis database with a developer's `make run` (an explicit
# REDIS_URL): every key it writes, cache and broker alike, carries the run's own prefix,
# and cache.clear() deletes only those keys instead of flushing the database.
# TEST_RUN_ID is set by the pytest plugin and inherited by the workers tests start.
TEST_KEY_PREFIX = f"notiziario-test-{env.get('TEST_RUN_ID', 'run')}"  # noqa: F405
CACHES["default"]["BACKEND"] = "tests.support.cache.PrefixScopedRedisCache"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = TEST_KEY_PREFIX  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{TEST_KEY_PREFIX}:"  # noqa: F405
