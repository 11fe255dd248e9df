"""Signed, purpose-specific, expiring tokens for the links in our emails."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from cms.links import absolute_url

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


def make_token(
    subscriber: Subscriber, purpose: str, extra: dict | None = None, *, compress: bool = False
) -> str:
    """Sign the subscriber's id, plus any `extra` data the link must carry.

    Compress only a token that carries a lot (the confirm link's selection): a
    bare {"s": id} or {"s": id, "n": id} never shrinks, and trying zlib on every
    token cost time in bulk sending.
    """
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return signing.dumps(
        {**(extra or {}), "s": subscriber.pk}, salt=f"newsletter.{purpose}", compress=compress
    )


def read_token_data(token: str, purpose: str) -> tuple[Subscriber, dict]:
    """Return the subscriber a token was made for and everything it carries, or raise InvalidToken."""
    try:
        data = signing.loads(
            token, salt=f"newsletter.{purpose}", max_age=LIFETIMES[purpose].total_seconds()
        )
        return Subscriber.objects.get(pk=data["s"]), data
    except (signing.BadSignature, KeyError, TypeError, Subscriber.DoesNotExist):
        raise InvalidToken(purpose) from None


def read_token(token: str, purpose: str) -> Subscriber:
    return read_token_data(token, purpose)[0]


def link(purpose: str, token: str) -> str:
    """The absolute URL of the page for `purpose` (a newsletter: URL name) with its token."""
    return absolute_url(reverse(f"newsletter:{purpose}", args=[token]))


def preferences_url(subscriber: Subscriber) -> str:
    return link("preferences", make_token(subscriber, "preferences"))


def unsubscribe_token(
    subscriber: Subscriber, newsletter_id: int | None, issue_id: int | None = None
) -> str:
    """The token of an unsubscribe link: it names the newsletter the email came from.

    A token without a newsletter (links sent before tokens carried one) means
    "every newsletter". `issue_id` names the issue whose email carried the link,
    for its report (newsletter.attribution); it is never trusted for anything else.
    """
    extra = {}
    if newsletter_id is not None:
        extra["n"] = newsletter_id
    if issue_id is not None:
        extra["i"] = issue_id
    return make_token(subscriber, "unsubscribe", extra or None)


def read_unsubscribe_token(token: str) -> tuple[Subscriber, int | None, dict]:
    """The subscriber, the newsletter id (None: every newsletter) and all the link carries."""
    subscriber, data = read_token_data(token, "unsubscribe")
    newsletter_id = data.get("n")
    if newsletter_id is not None and type(newsletter_id) is not int:
        raise InvalidToken("unsubscribe")
    return subscriber, newsletter_id, data


def unsubscribe_url(subscriber: Subscriber, newsletter_id: int | None = None) -> str:
    return link("unsubscribe", unsubscribe_token(subscriber, newsletter_id))
