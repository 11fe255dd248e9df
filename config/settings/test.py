"""Test settings: real PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set.

Without them the suite falls back to a SQLite file and the filesystem broker;
tests that need a real service say so with @pytest.mark.services(...).
"""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that a Celery worker started by a test shares it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The webhook tests play a deployment that sends through Postmark.
EMAIL_ESP = "postmark"
ANYMAIL = {"WEBHOOK_SECRET": "webhook:test-secret"}

# Tests that need volume must not trip the API rate limit; its own tests turn it on.
API_RATE_LIMIT = 0

# Tests never run collectstatic: WhiteNoise looks files up per request instead of
# warning at start-up that STATIC_ROOT is missing.
WHITENOISE_AUTOREFRESH = True
