"""Settings shared by every environment. Deployment knobs come from env.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from devservices import addresses

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
    "axes",
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
    # Pages take their language from the URL, other views from the browser (web/locale.py).
    "web.locale.PathLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Old unprefixed addresses of English pages; listed above Wagtail's redirects, which
    # see a 404 first, so an editor's own redirect wins.
    "cms.translated_urls.TranslatedPageRedirectMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# Admin login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one
# username from one client (an IPv4 address or an IPv6 /64, read like every other limit
# through web/client_ip.py), that pair is refused, even with the right password, for
# LOGIN_LOCKOUT_MINUTES. Keyed on the pair, so nobody can lock a real editor out from
# another address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_CLIENT_IP_CALLABLE = "web.client_ip.client_login_ip"
AXES_RESET_ON_SUCCESS = True

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

# Without DATABASE_URL / REDIS_URL, the PostgreSQL and Redis of a `make run` running in
# this checkout (var/services.env, see devservices/); otherwise start-up stops and says so.
_RUNNING_SERVICES = addresses.read_live(VAR_DIR)
DATABASES = {"default": env.database("DATABASE_URL", _RUNNING_SERVICES.get("DATABASE_URL"))}
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
# The public pages' own stylesheet (static/site.css), beside the shared frame templates/base.html.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "Notiziario"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The admin calls no third party: no gravatar (editors' addresses would be hashed to
# gravatar.com; avatars are the initials Wagtail draws, or an uploaded picture), no
# release check against releases.wagtail.org, no "what's new" banner linking out.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Email
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "Notiziario <notizie@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email = env.email("EMAIL_URL", "file:", VAR_DIR / "mail")
globals().update(_email)
# The email provider behind anymail ("postmark", "mailgun", …), or "" when mail goes
# by SMTP or to files. Only this provider's webhooks are mounted (config/urls.py).
EMAIL_ESP = env.esp_name(_email["EMAIL_BACKEND"])
# DKIM signing of what we hand to an SMTP relay (newsletter/dkim_signing.py): all three or none.
DKIM_DOMAIN = env.get("DKIM_DOMAIN", "")
DKIM_SELECTOR = env.get("DKIM_SELECTOR", "")
DKIM_PRIVATE_KEY = env.get("DKIM_PRIVATE_KEY", "")
if not DKIM_PRIVATE_KEY and env.get("DKIM_PRIVATE_KEY_FILE"):
    DKIM_PRIVATE_KEY = Path(env.get("DKIM_PRIVATE_KEY_FILE")).read_text()
if any((DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY)) and not all(
    (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY)
):
    raise ImproperlyConfigured(
        "DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE)."
    )

# Redis carries the broker, rate-limit counters and job progress: it must never evict
# (maxmemory-policy noeviction). The API/feed response cache (cms/caching.py) is
# evictable and lives apart, at CACHE_REDIS_URL: an instance with maxmemory and
# allkeys-lru. Development and tests default it to another database of REDIS_URL
# (index + 8); production requires an instance of its own.
REDIS_URL = env.url(
    "REDIS_URL", _RUNNING_SERVICES.get("REDIS_URL"), ("redis", "rediss"), required=True
)
CACHE_REDIS_URL = env.url(
    "CACHE_REDIS_URL", env.redis_database_beside(REDIS_URL), ("redis", "rediss")
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "notiziario"),
    }
}
CELERY_BROKER_URL = REDIS_URL

# Celery: a crash must never silently drop work.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env.get("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.get_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
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
# X-Forwarded-For. 0: use REMOTE_ADDR as it is (see web/client_ip.py).
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)

# Keyed hashes for IP addresses and suppressed addresses; rotate only with care.
# Development falls back to SECRET_KEY; production requires its own value.
HASH_KEY = env.get("HASH_KEY", SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "task_context": {"()": "config.logging.TaskContextFilter"},
        # Unsubscribe, preferences, confirm and preview tokens never reach a log.
        "redact_tokens": {"()": "config.logging.RedactTokensFilter"},
    },
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [task=%(task_id)s] %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["task_context", "redact_tokens"],
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # No handler of its own: Django's default console one would print each line twice.
        "django": {"handlers": [], "level": "INFO"},
        # runserver's request lines go through stdout too, so their tokens are redacted.
        "django.server": {"handlers": ["stdout"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs its search-index and reference-index tasks inline; one line each is noise.
        "django_tasks": {"level": "WARNING"},
        "celery": {"level": "INFO"},
        # django-axes announces itself at every start; failures and lockouts still log.
        "axes.apps": {"level": "WARNING"},
    },
}

# Subscribers and consent (newsletter/subscriptions.py). Every knob has an environment variable.
PRIVACY_NOTICE_VERSION = env.get("PRIVACY_NOTICE_VERSION", "2026-01")
# The privacy notice the consent checkbox, the confirmation email and every digest link to.
# A URL, not a page chosen in Wagtail: a headless deployment's notice often lives on the
# front-end site. Required in production; development points at /privacy/ on SITE_URL.
NEWSLETTER_PRIVACY_URL = env.url(
    "NEWSLETTER_PRIVACY_URL", SITE_URL + "/privacy/", ("https", "http")
)
# An unsubscribe can be undone with one click ("Iscriviti di nuovo") for this many days,
# without a new confirmation email; after that the form and its double opt-in are the way back.
NEWSLETTER_RESUBSCRIBE_DAYS = env.get_int("NEWSLETTER_RESUBSCRIBE_DAYS", 30)
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
# Who may embed the hosted subscribe form in a frame (CSP frame-ancestors sources): this
# site, plus the partner origins listed in the environment variable.
NEWSLETTER_FORM_FRAME_ANCESTORS = [
    "'self'",
    *env.get_origins("NEWSLETTER_FORM_FRAME_ANCESTORS"),
]
# The provider's webhooks (bounces, complaints at /anymail/<EMAIL_ESP>/tracking/, mailto:
# unsubscribes at …/inbound/), behind basic auth "user:password". They are mounted only
# when both EMAIL_ESP and this secret are set; production refuses an ESP without it.
# Provider-specific keys (e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY) are read by anymail
# from the environment.
ANYMAIL = {}
if env.get("ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = env.get("ANYMAIL_WEBHOOK_SECRET")

# Newsletter sending (newsletter/sending.py). Every knob has an environment variable.
# Deliveries claimed per batch task; a crash can leave at most one batch per worker uncertain.
NEWSLETTER_BATCH_SIZE = env.get_int("NEWSLETTER_BATCH_SIZE", 100)
# Batch tasks working on one issue at once (match the number of worker processes).
NEWSLETTER_SEND_LANES = env.get_int("NEWSLETTER_SEND_LANES", 2)
# A worker holds the deliveries it claimed for this many seconds and renews the hold every
# NEWSLETTER_HEARTBEAT_SECONDS while it is alive. When a worker dies, its claimed deliveries are
# reported as uncertain, and the rest of the issue is picked up again, once the lease runs out.
NEWSLETTER_LEASE_SECONDS = env.get_int("NEWSLETTER_LEASE_SECONDS", 30)
NEWSLETTER_HEARTBEAT_SECONDS = env.get_float("NEWSLETTER_HEARTBEAT_SECONDS", 5)
# How often beat runs the reconcile job that finds leases run out and restarts stalled issues.
NEWSLETTER_RECONCILE_SECONDS = env.get_int("NEWSLETTER_RECONCILE_SECONDS", 10)
if not 0 < NEWSLETTER_HEARTBEAT_SECONDS < NEWSLETTER_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "NEWSLETTER_HEARTBEAT_SECONDS must be above 0 and below NEWSLETTER_LEASE_SECONDS "
        f"({NEWSLETTER_HEARTBEAT_SECONDS} and {NEWSLETTER_LEASE_SECONDS})."
    )
# Messages per minute per newsletter, across all workers; 0 means no limit.
NEWSLETTER_RATE_LIMIT_PER_MINUTE = env.get_int("NEWSLETTER_RATE_LIMIT_PER_MINUTE", 0)
# Pause between two messages from one worker, in milliseconds (gentle throttling).
NEWSLETTER_SEND_INTERVAL_MS = env.get_int("NEWSLETTER_SEND_INTERVAL_MS", 0)
# Temporary failures (4xx, lost connection): retries with exponential backoff.
NEWSLETTER_MAX_RETRIES = env.get_int("NEWSLETTER_MAX_RETRIES", 8)
NEWSLETTER_RETRY_BASE_SECONDS = env.get_float("NEWSLETTER_RETRY_BASE_SECONDS", 30)
NEWSLETTER_RETRY_MAX_SECONDS = env.get_float("NEWSLETTER_RETRY_MAX_SECONDS", 30 * 60)
# After this many failures in a row the issue pauses itself and says why.
NEWSLETTER_PAUSE_AFTER_FAILURES = env.get_int("NEWSLETTER_PAUSE_AFTER_FAILURES", 25)
CELERY_BEAT_SCHEDULE["newsletter-reconcile-deliveries"] = {
    "task": "newsletter.tasks.reconcile_stale_deliveries",
    "schedule": float(NEWSLETTER_RECONCILE_SECONDS),
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
# The edge cache in front of the app (Varnish, deploy/varnish/default.vcl), e.g.
# http://varnish:80: every publish, unpublish, move, delete and snippet change purges the
# paths that show it (cms/edge.py) through wagtail.contrib.frontend_cache. Unset: no purges.
VARNISH_URL = (env.url("VARNISH_URL", None, ("http", "https")) or "").rstrip("/")
WAGTAILFRONTENDCACHE = (
    {"varnish": {"BACKEND": "cms.edge.VarnishBackend", "LOCATION": VARNISH_URL}}
    if VARNISH_URL
    else {}
)
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
