"""Signed, purpose-specific, expiring tokens for the links in our emails."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Subscriber

# How long each kind of link stays valid. Unsubscribe links must keep working
# long after the email arrives (RFC 8058 senders are judged on it).
LIFETIMES = {
    "confirm": timedelta(days=7),
    "preferences": timedelta(days=90),
    "unsubscribe": timedelta(days=365),
}


class InvalidToken(Exception):
    pass


def make_token(subscriber: Subscriber, purpose: str) -> str:
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    # No compress=True: a payload this small never shrinks (so the tokens are the same),
    # and trying zlib on every token cost time in bulk sending.
    return signing.dumps({"s": subscriber.pk}, salt=f"newsletter.{purpose}")


def read_token(token: str, purpose: str) -> Subscriber:
    """Return the subscriber a token was made for, or raise InvalidToken."""
    try:
        data = signing.loads(
            token, salt=f"newsletter.{purpose}", max_age=LIFETIMES[purpose].total_seconds()
        )
        return Subscriber.objects.get(pk=data["s"])
    except (signing.BadSignature, KeyError, TypeError, Subscriber.DoesNotExist):
        raise InvalidToken(purpose) from None


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    return absolute_url(reverse("newsletter:confirm", args=[make_token(subscriber, "confirm")]))


def preferences_url(subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:preferences", args=[make_token(subscriber, "preferences")])
    )


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute_url(
        reverse("newsletter:unsubscribe", args=[make_token(subscriber, "unsubscribe")])
    )
