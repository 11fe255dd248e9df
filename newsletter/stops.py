"""Stopping mail to a subscriber at once, including in the middle of a send.

Every stop path (unsubscribe, hard bounce, invalid recipient, complaint, too many
soft bounces, erasure) calls `stop_deliveries`, inside its own transaction; an
unsubscribe from one newsletter (its link, or leaving it on the preferences
page) calls it with that newsletter, and stops only that newsletter's deliveries:

- the subscriber's `pending` deliveries become `skipped`, so no batch claims them;
- for each issue that holds one of their deliveries in a batch right now
  (`sending`), a stop mark goes into the cache (Redis) *before* the transaction
  commits. The worker sending that batch reads the mark just before each
  message's MAIL FROM (`stopped_among`): one cache read per message, no database
  query. So a message never leaves after the stop has committed, whatever the
  batch size, the relay's speed or the rate limit.

The worker marks a delivery it dropped that way `skipped` itself: the rows a
batch holds are written by that batch alone.

Redis may lose its data (restarted empty), and with it marks of stops that have
committed. So each batch keeps a key of its own, written before its claim
(`open_batch`), and reads it with the marks: when it is gone, so may be marks
written after it, and the batch stops (`MarksLost`); its rows go back to
`pending` and are checked against the database when claimed again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

import redis
from django.conf import settings
from django.core.cache import cache

from web.redis_client import redis_client

from .models import Delivery, DeliveryState

logger = logging.getLogger(__name__)

# A batch holds its rows for at most the Celery task time limit (30 minutes by
# default); the mark only has to outlive that.
STOP_MARK_SECONDS = 24 * 3600
STOPPED_MID_SEND = "stopped (unsubscribed, bounced, complained or erased) during the send"


def _marks() -> redis.Redis:
    """The cache's Redis, without Django's cache in between (web.redis_client).

    A mark is a key that exists, under the cache's own names (`cache.make_key`), so
    clearing the cache clears the marks. Read once per message, Django's cache cost
    five times the round trip itself.
    """
    return redis_client(settings.CACHES["default"]["LOCATION"])


def stop_key(issue_id: int, subscriber_id: int) -> str:
    return f"newsletter:issue:{issue_id}:stopped:{subscriber_id}"


def stop_deliveries(
    subscriber_id: int, reason: str = "", *, newsletter_id: int | None = None
) -> int:
    """Stop every delivery to this subscriber not sent yet. Returns how many pending ones were skipped.

    With `newsletter_id`, only the deliveries of that newsletter's issues stop (an
    unsubscribe from one newsletter); the marks are per issue, so batches of the
    subscriber's other newsletters go on.

    Call it inside the transaction that records the stop, so that the marks for
    batches in flight exist before the stop commits.
    """
    deliveries = Delivery.objects.filter(subscriber_id=subscriber_id)
    if newsletter_id is not None:
        deliveries = deliveries.filter(issue__newsletter_id=newsletter_id)
    skipped = deliveries.filter(state=DeliveryState.PENDING).update(
        state=DeliveryState.SKIPPED, error_message=reason[:1000]
    )
    # Read after the update: a claim racing with it either lost the row lock to
    # us (the row is skipped) or committed first (the row is `sending`, seen here).
    in_flight = set(
        deliveries.filter(state=DeliveryState.SENDING).values_list("issue_id", flat=True)
    )
    if in_flight:
        try:
            with _marks().pipeline(transaction=False) as marks:
                for issue_id in in_flight:
                    marks.set(
                        cache.make_key(stop_key(issue_id, subscriber_id)), 1, ex=STOP_MARK_SECONDS
                    )
                marks.execute()
        except Exception:
            # The stop itself is never refused: it is committed, and any batch that
            # cannot read the cache stops and hands its rows back (see sending.py),
            # to be re-checked against the database when they are claimed again.
            logger.exception(
                "Could not mark subscriber %s as stopped for issue(s) %s in the cache",
                subscriber_id,
                sorted(in_flight),
            )
    return skipped


class MarksLost(Exception):
    """The cache lost the batch's own key since the claim: stop marks may be lost too."""


def batch_key(issue_id: int, batch: str) -> str:
    return f"newsletter:issue:{issue_id}:batch:{batch}"


def open_batch(issue_id: int) -> str:
    """Before a claim: write the batch's own key; `stopped_among` then notices a cache that
    lost its data. Returns the batch's name. Raises if the cache is down."""
    batch = uuid.uuid4().hex
    _marks().set(cache.make_key(batch_key(issue_id, batch)), 1, ex=STOP_MARK_SECONDS)
    return batch


def close_batch(issue_id: int, batch: str) -> None:
    try:
        _marks().delete(cache.make_key(batch_key(issue_id, batch)))
    except Exception:  # it expires on its own
        pass


def stopped_among(
    issue_id: int, subscriber_ids: Iterable[int], batch: str | None = None
) -> set[int]:
    """The subscribers of `subscriber_ids` stopped mid-send, in one cache round trip.

    With `batch` (open_batch), raises MarksLost when the batch's key is gone.
    """
    subscribers = [pk for pk in subscriber_ids if pk is not None]
    keys = [cache.make_key(stop_key(issue_id, pk)) for pk in subscribers]
    if batch is not None:
        keys.append(cache.make_key(batch_key(issue_id, batch)))
    if not keys:
        return set()
    found = _marks().mget(keys)
    if batch is not None and found.pop() is None:
        raise MarksLost(f"the cache lost batch {batch} of issue {issue_id} since its claim")
    return {pk for pk, mark in zip(subscribers, found, strict=True) if mark is not None}
