"""Reading deployment settings from the environment (12-factor).

Every knob lives here so that a missing or malformed variable fails at start-up
with a message that names it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def get(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def get_bool(name: str, default: bool = False) -> bool:
    value = get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def get_int(name: str, default: int) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def get_float(name: str, default: float) -> float:
    value = get(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def get_rate(name: str, default: str) -> str:
    """A rate written "LIMIT/SECONDS", for example "20/3600"; checked at start-up."""
    value = get(name, default)
    limit, slash, period = value.partition("/")
    if not (slash and limit.strip().isdigit() and period.strip().isdigit() and int(period) > 0):
        raise ImproperlyConfigured(
            f"{name} must be a rate written LIMIT/SECONDS, for example 20/3600, not {value!r}."
        )
    return value


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    value = get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


NOT_RUNNING = (
    "{name} is not set, and no `make run` is running in this checkout (it writes the "
    "addresses of its own PostgreSQL and Redis to var/services.env). Start `make run` in "
    "another terminal, or set {name}, for example {name}={example}"
)
EXAMPLES = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/notiziario",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _not_configured(name: str) -> ImproperlyConfigured:
    example = EXAMPLES.get(name, "…")
    return ImproperlyConfigured(NOT_RUNNING.format(name=name, example=example))


ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def get_origins(name: str) -> list[str]:
    """Comma-separated web origins such as https://partner.example.org (a leading *. allowed).

    Anything else (a bare *, a path, a quote, a semicolon) fails at start-up: these
    go verbatim into security headers.
    """
    origins = get_list(name)
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise ImproperlyConfigured(
                f"{name} must list origins like https://partner.example.org, not {origin!r}."
            )
    return origins


def url(
    name: str, default: str | None, schemes: tuple[str, ...], *, required: bool = False
) -> str | None:
    """A URL whose scheme is one of `schemes` and which names a host."""
    value = get(name, default)
    if value is None:
        if required:
            raise _not_configured(name)
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be a URL like {schemes[0]}://host…, not {value!r}."
        )
    return value


def redis_database_beside(redis_url: str) -> str:
    """Another database of the same Redis: index + 8 (mod 16), e.g. /2 → /10.

    For development and tests only: maxmemory and the eviction policy belong to
    a whole instance, so production gives the response cache an instance of its own.
    """
    parts = urlsplit(redis_url)
    index = parts.path.strip("/") or "0"
    number = int(index) if index.isascii() and index.isdigit() else 0
    return parts._replace(path=f"/{(number + 8) % 16}").geturl()


def same_redis_instance(first: str, second: str) -> bool:
    a, b = urlsplit(first), urlsplit(second)
    return (a.hostname, a.port or 6379) == (b.hostname, b.port or 6379)


def database(name: str, default: str | None) -> dict:
    url = get(name, default)
    if url is None:
        raise _not_configured(name)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several kinds
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
    return config


def esp_name(email_backend: str) -> str:
    """The anymail provider an EMAIL_BACKEND sends through ("postmark"), or ""."""
    if not email_backend.startswith("anymail.backends."):
        return ""
    return email_backend.removeprefix("anymail.backends.").split(".")[0]


def email(name: str, default: str, mail_dir: Path) -> dict:
    """Translate EMAIL_URL into Django's EMAIL_* settings.

    Supported: smtp://user:pass@host:port (add ?tls=1 for STARTTLS),
    smtps://… (implicit TLS), file:///path (one .eml per message; file: alone
    means var/mail/), console:, and anymail+<esp>: for a provider through
    django-anymail.
    """
    url = get(name, default)
    parts = urlsplit(url)
    scheme = parts.scheme
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, for example smtp://mail:25.")
        return {
            # Django's SMTP backend, with tidy headers and DKIM (newsletter/outgoing.py)
            "EMAIL_BACKEND": "newsletter.outgoing.SMTPBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true"},
            "EMAIL_TIMEOUT": int(query.get("timeout", "30")),
        }
    if scheme == "file":
        path = Path(unquote(parts.path)) if parts.path else mail_dir
        return {"EMAIL_BACKEND": "config.mail.EmlFileBackend", "EMAIL_FILE_PATH": str(path)}
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme.startswith("anymail+"):
        esp = scheme.removeprefix("anymail+")
        return {"EMAIL_BACKEND": f"anymail.backends.{esp}.EmailBackend"}
    raise ImproperlyConfigured(
        f"{name} has an unsupported scheme {scheme!r}; use smtp, smtps, file, console or anymail+<esp>."
    )
