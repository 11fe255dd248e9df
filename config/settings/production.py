"""Production: every deployment setting must come from the environment.

A missing or unsafe value stops start-up with a message naming the variable.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = env.get("SECRET_KEY", required=True)  # noqa: F405
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")  # noqa: F405
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required, for example news.example.org.")
for _name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL", "DEFAULT_FROM_EMAIL"):
    env.get(_name, required=True)  # noqa: F405
if not SITE_URL.startswith("https://"):  # noqa: F405
    raise ImproperlyConfigured("SITE_URL must be an https:// URL in production.")
# The consent checkbox and every email link to the privacy notice: no default here.
NEWSLETTER_PRIVACY_URL = env.url("NEWSLETTER_PRIVACY_URL", None, ("https",), required=True)  # noqa: F405
# Its own key: with a SECRET_KEY fallback, rotating the secret key would void every
# suppression hash and let erased or complaining addresses be mailed again.
HASH_KEY = env.get("HASH_KEY", required=True)  # noqa: F405
if len(HASH_KEY) < 32:
    raise ImproperlyConfigured("HASH_KEY must be a random value of at least 32 characters.")
# Without a secret anyone could post a forged bounce or complaint and suppress any address.
if EMAIL_ESP and not ANYMAIL.get("WEBHOOK_SECRET"):  # noqa: F405
    raise ImproperlyConfigured(
        f"ANYMAIL_WEBHOOK_SECRET is required when EMAIL_URL sends through {EMAIL_ESP} "  # noqa: F405
        "(a random user:password the provider's webhooks authenticate with)."
    )
if EMAIL_ESP and ":" not in ANYMAIL["WEBHOOK_SECRET"]:  # noqa: F405
    raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET must be written user:password.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz and /readyz answer the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

# The response cache must be able to evict without touching the broker's queue.
CACHE_REDIS_URL = env.url("CACHE_REDIS_URL", None, ("redis", "rediss"))  # noqa: F405
if CACHE_REDIS_URL is None:
    raise ImproperlyConfigured(
        "The environment variable CACHE_REDIS_URL is required: a Redis instance for the "
        "response cache, with maxmemory and maxmemory-policy allkeys-lru."
    )
if env.same_redis_instance(CACHE_REDIS_URL, REDIS_URL):  # noqa: F405
    raise ImproperlyConfigured(
        "CACHE_REDIS_URL must point to a Redis instance of its own (maxmemory, allkeys-lru), "
        "not to the broker's REDIS_URL instance, which must never evict."
    )
