"""Settings for bench/api_throughput.py: the real settings plus two comparison views."""

from config.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.api_urls"
ALLOWED_HOSTS = ["*"]
# Throughput is measured from one client IP; the limiter would only measure itself.
API_RATE_LIMIT = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
