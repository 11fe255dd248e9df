"""Settings shared by every environment. Deployment knobs come from env.py."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env.get("VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env.get_bool("DEBUG", False)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env.get_list("CORS_ALLOWED_ORIGINS")
# Only the public, read-only API and the subscription endpoint are cross-origin.
CORS_URLS_REGEX = r"^/(api/v2/|feeds/).*$"

SITE_URL = env.url("SITE_URL", "http://localhost:8000", ("http", "https")).rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILAPI_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "cms",
    "newsletter",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.api.v2",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "wagtail_headless_preview",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular_sidecar",  # Swagger UI for /api/docs/, served locally (no CDN)
    "corsheaders",
    "anymail",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'notiziario.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Italian first, English second.
LANGUAGE_CODE = "it"
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "Notiziario"
# PostgreSQL gets its full-text search. SQLite (development only) uses the plain
# fallback: the SQLite FTS backend fails counting snippet search results
# ("no such column: name") in the admin listings.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database.fallback"
        if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        else "wagtail.search.backends.database"
    }
}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Email
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "Notiziario <notizie@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(env.email("EMAIL_URL", "file:", VAR_DIR / "mail"))

# Redis carries the broker and the cache. Without it, development uses kombu's
# filesystem transport (works across processes) and a file-based cache.
# REDIS_URL (broker, rate-limit counters, job progress) must never evict: run it
# with maxmemory-policy noeviction. The API/feed response cache (cms/caching.py)
# is evictable and lives apart, at CACHE_REDIS_URL: an instance with maxmemory and
# allkeys-lru. Development and tests default it to another database of REDIS_URL
# (index + 8); production requires an instance of its own.
REDIS_URL = env.url("REDIS_URL", None, ("redis", "rediss"))
CACHE_REDIS_URL = env.url(
    "CACHE_REDIS_URL",
    env.redis_database_beside(REDIS_URL) if REDIS_URL else None,
    ("redis", "rediss"),
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "notiziario"),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://localhost/"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    # kombu reads these folders without creating them; every process (web,
    # worker, beat, tests) must find them, so settings create them.
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)

# Celery: a crash must never silently drop work.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env.get("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.get_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
if REDIS_URL:
    # Above the longest task, so an unacknowledged task is not handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "cms.tasks.publish_scheduled",
        # Go-live and expiry take effect within this many seconds.
        "schedule": float(env.get_int("PUBLISH_SCHEDULED_EVERY", 60)),
    },
}

# `manage.py load_demo` runs each app's loader in order; config wires the apps together.
DEMO_LOADERS = ["cms.demo.load", "newsletter.demo.load"]

# How many reverse proxies stand in front of the web server; each appends to
# X-Forwarded-For. 0: use REMOTE_ADDR as it is (see config/client_ip.py).
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)

# Keyed hashes for IP addresses and suppressed addresses; rotate only with care.
HASH_KEY = env.get("HASH_KEY", SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"task_context": {"()": "config.logging.TaskContextFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [task=%(task_id)s] %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["task_context"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # No handler of its own: Django's default console one would print each line twice.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs its search-index and reference-index tasks inline; one line each is noise.
        "django_tasks": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

# Subscribers and consent (newsletter/consent.py). Every knob has an environment variable.
PRIVACY_NOTICE_VERSION = env.get("PRIVACY_NOTICE_VERSION", "2026-01")
# Where mail clients send a mailto: unsubscribe; the token goes in the subject.
NEWSLETTER_UNSUBSCRIBE_MAILTO = env.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
NEWSLETTER_SOFT_BOUNCE_LIMIT = env.get_int("NEWSLETTER_SOFT_BOUNCE_LIMIT", 3)
# No second confirmation email to the same address within this many seconds.
NEWSLETTER_CONFIRMATION_COOLDOWN = env.get_int("NEWSLETTER_CONFIRMATION_COOLDOWN", 15 * 60)
# "limit/period-in-seconds" for each rate limit on the public subscription endpoints.
NEWSLETTER_RATE_LIMITS = {
    "subscribe_per_ip": env.get_rate("NEWSLETTER_RATE_SUBSCRIBE_PER_IP", "20/3600"),
    "subscribe_per_address": env.get_rate("NEWSLETTER_RATE_SUBSCRIBE_PER_ADDRESS", "5/86400"),
    "confirmation_per_address": env.get_rate("NEWSLETTER_RATE_CONFIRMATION_PER_ADDRESS", "3/86400"),
}
# Who may embed the hosted subscribe form in a frame (CSP frame-ancestors sources).
NEWSLETTER_FORM_FRAME_ANCESTORS = env.get_list("NEWSLETTER_FORM_FRAME_ANCESTORS", ["*"])
# Tracking webhooks (bounces, complaints) at /anymail/<esp>/tracking/, behind basic auth
# "user:password"; provider-specific keys (e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY) are
# read by anymail from the environment.
ANYMAIL = {}
if env.get("ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = env.get("ANYMAIL_WEBHOOK_SECRET")

# Newsletter sending (newsletter/sending.py). Every knob has an environment variable.
# Deliveries claimed per batch task; a crash can leave at most one batch per worker uncertain.
NEWSLETTER_BATCH_SIZE = env.get_int("NEWSLETTER_BATCH_SIZE", 100)
# Batch tasks working on one issue at once (match the number of worker processes).
NEWSLETTER_SEND_LANES = env.get_int("NEWSLETTER_SEND_LANES", 2)
# A claimed batch must be done within this many seconds, or it is reported as uncertain.
NEWSLETTER_LEASE_SECONDS = env.get_int("NEWSLETTER_LEASE_SECONDS", 600)
# Messages per minute per newsletter, across all workers; 0 means no limit.
NEWSLETTER_RATE_LIMIT_PER_MINUTE = env.get_int("NEWSLETTER_RATE_LIMIT_PER_MINUTE", 0)
# Pause between two messages from one worker, in milliseconds (gentle throttling).
NEWSLETTER_SEND_INTERVAL_MS = env.get_int("NEWSLETTER_SEND_INTERVAL_MS", 0)
# Temporary failures (4xx, lost connection): retries with exponential backoff.
NEWSLETTER_MAX_RETRIES = env.get_int("NEWSLETTER_MAX_RETRIES", 8)
NEWSLETTER_RETRY_BASE_SECONDS = env.get_int("NEWSLETTER_RETRY_BASE_SECONDS", 30)
NEWSLETTER_RETRY_MAX_SECONDS = env.get_int("NEWSLETTER_RETRY_MAX_SECONDS", 30 * 60)
# After this many failures in a row the issue pauses itself and says why.
NEWSLETTER_PAUSE_AFTER_FAILURES = env.get_int("NEWSLETTER_PAUSE_AFTER_FAILURES", 25)
CELERY_BEAT_SCHEDULE["newsletter-reconcile-deliveries"] = {
    "task": "newsletter.tasks.reconcile_stale_deliveries",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["newsletter-send-scheduled-issues"] = {
    "task": "newsletter.tasks.send_scheduled_issues",
    "schedule": 60.0,
}

# Public content API and feeds (cms/api/, cms/feeds.py, cms/caching.py).
# Cache-Control max-age, in seconds, of every API and feed response.
API_CACHE_MAX_AGE = env.get_int("API_CACHE_MAX_AGE", 60)
# How long a rendered response stays in Redis; publishing invalidates it sooner. 0 turns it off.
# Neither this nor API_CACHE_MAX_AGE outlives the next scheduled expiry or go-live of a page.
API_RESPONSE_CACHE_TIMEOUT = env.get_int("API_RESPONSE_CACHE_TIMEOUT", 600)
# A response larger than this many bytes is served but not stored.
API_RESPONSE_CACHE_MAX_BYTES = env.get_int("API_RESPONSE_CACHE_MAX_BYTES", 1024 * 1024)
# Requests per client IP per API_RATE_LIMIT_PERIOD seconds; 0 turns rate limiting off.
API_RATE_LIMIT = env.get_int("API_RATE_LIMIT", 600)
API_RATE_LIMIT_PERIOD = env.get_int("API_RATE_LIMIT_PERIOD", 60)
WAGTAILAPI_LIMIT_MAX = env.get_int("API_LIMIT_MAX", 100)
# Webhooks (cms/outbound.py) reach only public addresses. Exceptions, for receivers on an
# intranet: comma-separated host names and IP addresses or CIDR networks, e.g.
# "hooks.intranet.example,10.20.0.0/16".
WEBHOOK_ALLOWED_HOSTS = env.get_list("WEBHOOK_ALLOWED_HOSTS")
# Headless preview: where editors' previews open, and how long a preview token lives.
API_PREVIEW_TOKEN_TTL = env.get_int("API_PREVIEW_TOKEN_TTL", 3600)
WAGTAIL_HEADLESS_PREVIEW = {
    # The external site's preview page; it receives ?content_type=…&token=….
    "CLIENT_URLS": {"default": env.get("PREVIEW_CLIENT_URL", SITE_URL + "/anteprima/")},
}
