"""Sending an issue: the state machine of issues and deliveries, in one module.

Issue:     draft → approved → sending → sent
                                 ↘ paused ↔ sending      (too many failures in a row, or by hand)
           draft/approved/paused → cancelled
Delivery:  pending → sending → sent | failed
                      sending → pending                   (temporary failure: retried later)
                      sending → unknown                   (lease ran out: its worker died)
                      sending → skipped                   (stopped while its batch was under way)
           pending → skipped                              (unsubscribed or suppressed meanwhile)
           failed (4xx) → pending                         (Riprendi: the server never took it)

Recipients are frozen into Delivery rows when sending starts. Batch tasks claim
pending rows under SELECT … FOR UPDATE SKIP LOCKED and mark them `sending` with
a lease. A row only ever leaves `pending` once per attempt, and `sent` and
`unknown` are final, so no delivery is sent twice. A live worker renews the
lease of the rows it holds every NEWSLETTER_HEARTBEAT_SECONDS; a row still
`sending` when its lease runs out was in flight when its worker died: it is
reported as `unknown`, never sent again.

Outcomes are recorded with `_recorded`, which survives a dropped database
connection: every recording write is idempotent, so it is simply run again on a
fresh connection.

Handing the messages over is transport.py's job, building them emails.py's; this
module decides what each outcome means (a 4xx is retried, a 5xx is final, too many
failures in a row pause the issue) and what a batch task does next (run_batch).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from . import attribution, emails, stops, suppression, transport
from .addresses import address_hash
from .assembly import render_variant
from .models import (
    Delivery,
    DeliveryState,
    Issue,
    IssueState,
    Newsletter,
    SubscriberStatus,
    Subscription,
    Suppression,
)
from .rendering import items_for_variant, variant_key
from .transport import TemporarySendError

logger = logging.getLogger(__name__)
T = TypeVar("T")

FREEZE_CHUNK = 5000
INVALID_RECIPIENT_CODES = {550, 551, 553}
# A dropped database connection is retried this many times, waiting 0.2 s, 0.4 s, … between.
RECORD_ATTEMPTS = 6


class TransitionError(Exception):
    """The issue is not in a state that allows this action."""


# --- Issue transitions --------------------------------------------------------------------

# The states each action on an issue starts from: the transitions below move only
# from these, and the admin offers an action only when allowed_actions() names it.
# "send" is the admin's "Invia ora": it approves a draft first, then starts sending.
SOURCES: dict[str, tuple[str, ...]] = {
    "approve": (IssueState.DRAFT,),
    "schedule": (IssueState.APPROVED,),
    "send": (IssueState.DRAFT, IssueState.APPROVED),
    "cancel": (IssueState.DRAFT, IssueState.APPROVED, IssueState.PAUSED),
    "pause": (IssueState.SENDING,),
    "resume": (IssueState.PAUSED,),
}


def allowed_actions(issue: Issue) -> frozenset[str]:
    """The actions an editor may take on the issue in its current state."""
    return frozenset(action for action, sources in SOURCES.items() if issue.state in sources)


def _transition(issue: Issue, sources: Iterable[str], target: str, **fields) -> bool:
    """Move an issue from one of `sources` to `target` in one guarded UPDATE."""
    moved = Issue.objects.filter(pk=issue.pk, state__in=list(sources)).update(
        state=target, **fields
    )
    if moved:
        issue.refresh_from_db()
    return bool(moved)


def approve(issue: Issue, user=None, *, scheduled_for: datetime | None = None) -> None:
    if not _transition(
        issue,
        SOURCES["approve"],
        IssueState.APPROVED,
        approved_at=timezone.now(),
        approved_by=user,
        scheduled_for=scheduled_for,
    ):
        raise TransitionError(f"only a draft can be approved, this issue is {issue.state}")


def schedule(issue: Issue, when: datetime) -> None:
    if issue.state == IssueState.DRAFT:
        raise TransitionError("approve the issue before scheduling it")
    scheduled = Issue.objects.filter(pk=issue.pk, state__in=SOURCES["schedule"])
    if not scheduled.update(scheduled_for=when):
        raise TransitionError(f"only an approved issue can be scheduled, this one is {issue.state}")
    issue.refresh_from_db()


def cancel(issue: Issue, reason: str = "") -> None:
    with transaction.atomic():
        if not _transition(issue, SOURCES["cancel"], IssueState.CANCELLED, status_reason=reason):
            raise TransitionError(f"a {issue.state} issue cannot be cancelled")
        issue.deliveries.filter(state=DeliveryState.PENDING).update(
            state=DeliveryState.SKIPPED, error_message="issue cancelled"
        )


def pause(issue: Issue, reason: str) -> bool:
    return _transition(issue, SOURCES["pause"], IssueState.PAUSED, status_reason=reason)


def resume(issue: Issue) -> None:
    """paused → sending. Deliveries that only failed temporarily (4xx) get another chance.

    The server never accepted them, so sending them again is no duplicate; a
    delivery whose retries ran out during an outage would otherwise be lost.
    """
    with transaction.atomic():
        if not _transition(
            issue, SOURCES["resume"], IssueState.SENDING, status_reason="", consecutive_failures=0
        ):
            raise TransitionError(f"only a paused issue can be resumed, this one is {issue.state}")
        issue.deliveries.filter(state=DeliveryState.FAILED, error_code__startswith="4").update(
            state=DeliveryState.PENDING, attempts=0, error_code="", error_message=""
        )


def retry_countdown(retries: int) -> float | None:
    """Seconds before retry number `retries + 1` of a batch, or None once the retries are used up.

    The limit is NEWSLETTER_MAX_RETRIES: callers pass it on to Celery's retry(),
    whose max_retries=None would mean the task's default (3), not "unlimited".
    """
    if retries >= settings.NEWSLETTER_MAX_RETRIES:
        return None
    return min(
        settings.NEWSLETTER_RETRY_BASE_SECONDS * 2**retries, settings.NEWSLETTER_RETRY_MAX_SECONDS
    )


def pause_after_retries(issue_id: int, retries: int, reason: str) -> bool:
    """sending → paused once a batch has used up its retries; Riprendi continues."""
    issue = _recorded(lambda: Issue.objects.get(pk=issue_id))
    paused = _recorded(
        lambda: pause(issue, f"The mail server kept refusing after {retries} retries: {reason}")
    )
    if paused:
        logger.warning("Issue %s paused after %d retries: %s", issue_id, retries, reason)
    return paused


@dataclass(frozen=True)
class BatchStep:
    """What the batch task does after one batch: the policy, decided here, not in the task."""

    sent: int = 0
    next_batch: bool = False  # queue the next batch of this lane now
    retry_in: float | None = None  # retry this batch after that many seconds
    error: TemporarySendError | None = None  # why it is retried


def run_batch(issue_id: int, batch_size: int | None, retries: int) -> BatchStep:
    """One batch of a lane, with the retry and pause policy.

    A temporary failure is retried with exponential backoff (retry_countdown);
    once NEWSLETTER_MAX_RETRIES retries are used up the issue pauses, and
    Riprendi continues it. While there is work, the lane goes on.
    """
    heartbeat(issue_id, settings.NEWSLETTER_LEASE_SECONDS)
    try:
        result = send_next_batch(issue_id, batch_size)
    except TemporarySendError as exc:
        countdown = retry_countdown(retries)
        if countdown is None:
            pause_after_retries(issue_id, retries, str(exc))
            return BatchStep()
        heartbeat(issue_id, countdown + settings.NEWSLETTER_LEASE_SECONDS)
        logger.info("Issue %s: temporary failure (%s); retrying in %ss", issue_id, exc, countdown)
        return BatchStep(retry_in=countdown, error=exc)
    return BatchStep(sent=result.sent, next_batch=bool(result.claimed))


def due_issues(now: datetime | None = None):
    """Approved issues whose scheduled time has come."""
    now = now or timezone.now()
    return Issue.objects.filter(state=IssueState.APPROVED, scheduled_for__lte=now)


# --- Starting: freezing the recipients ----------------------------------------------------


def start_sending(issue: Issue) -> int:
    """approved → sending, freezing the recipients. Running it again does nothing new.

    Returns the number of deliveries to send.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.state == IssueState.SENDING:
            return issue.recipients_total
        if issue.state != IssueState.APPROVED:
            raise TransitionError(f"only an approved issue can be sent, this one is {issue.state}")
        total = freeze_recipients(issue)
        Issue.objects.filter(pk=issue.pk).update(
            state=IssueState.SENDING, send_started_at=timezone.now(), recipients_total=total
        )
    logger.info("Sending issue %s to %d recipient(s)", issue.pk, total)
    return total


def eligible_subscriptions(newsletter: Newsletter):
    return Subscription.objects.filter(
        newsletter=newsletter,
        subscriber__status=SubscriberStatus.ACTIVE,
        subscriber__email__isnull=False,
    )


def freeze_recipients(issue: Issue) -> int:
    """Create one Delivery per confirmed, unsuppressed subscriber, in bulk; idempotent.

    The subscriptions are read in chunks of FREEZE_CHUNK, in primary-key order,
    so the worker's memory does not grow with the size of the list: only one
    chunk's rows, topics and suppressed hashes are held at a time.
    """
    items = list(issue.items.all())
    keys: dict[str, str | None] = {}  # a subscriber's topic selection → the variant it receives

    def variant_for(selection: list[int]) -> str | None:
        key = variant_key(selection)
        if key not in keys:
            chosen = items_for_variant(items, key)
            keys[key] = "" if len(chosen) == len(items) else (key if chosen else None)
        return keys[key]

    subscriptions = eligible_subscriptions(issue.newsletter).order_by("pk")
    last_pk = 0
    while True:
        rows = list(
            subscriptions.filter(pk__gt=last_pk).values_list(
                "pk", "subscriber_id", "subscriber__email"
            )[:FREEZE_CHUNK]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        _insert_deliveries(issue, _chunk_deliveries(rows, variant_for))
    for key in set(keys.values()) - {None}:
        render_variant(issue, key, items=items)
    return issue.deliveries.exclude(state=DeliveryState.SKIPPED).count()


def _chunk_deliveries(
    rows: list[tuple[int, int, str]], variant_for: Callable[[list[int]], str | None]
) -> list[tuple[int, str, str, str]]:
    """(subscriber id, variant key, state, error) for one chunk of subscriptions."""
    topics_of: dict[int, list[int]] = {}
    for subscription_id, topic_id in Subscription.topics.through.objects.filter(
        subscription_id__in=[row[0] for row in rows]
    ).values_list("subscription_id", "topic_id"):
        topics_of.setdefault(subscription_id, []).append(topic_id)
    hashes = {email: address_hash(email) for _, _, email in rows}
    suppressed = set(
        Suppression.objects.filter(address_hash__in=set(hashes.values())).values_list(
            "address_hash", flat=True
        )
    )
    deliveries = []
    for subscription_id, subscriber_id, email in rows:
        if hashes[email] in suppressed:
            continue
        key = variant_for(topics_of.get(subscription_id, []))
        if key is None:
            deliveries.append((subscriber_id, "", DeliveryState.SKIPPED, NOTHING_MATCHES))
        else:
            deliveries.append((subscriber_id, key, DeliveryState.PENDING, ""))
    return deliveries


NOTHING_MATCHES = "nothing in this issue matches the subscriber's topics"


def _insert_deliveries(issue: Issue, rows: list[tuple[int, str, str, str]]) -> None:
    """Insert Delivery rows, skipping any that exist already (freezing is idempotent).

    On PostgreSQL the rows go in as four arrays in one INSERT … SELECT FROM
    unnest(…): bulk_create prepares eleven values per row in Python, which made
    freezing 100,000 recipients take most of ten seconds.
    """
    if not rows:
        return
    if connections[Delivery.objects.db].vendor != "postgresql":
        Delivery.objects.bulk_create(
            [
                Delivery(
                    issue=issue, subscriber_id=subscriber_id, variant_key=key,
                    state=state, error_message=error,
                )
                for subscriber_id, key, state, error in rows
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        return
    column = {f.name: f.column for f in Delivery._meta.concrete_fields}
    columns = ", ".join(
        column[name]
        for name in (
            "issue", "subscriber", "variant_key", "state", "error_message",
            "attempts", "message_id", "error_code", "updated_at",
        )
    )  # fmt: skip
    subscriber_ids, keys, states, errors = (list(values) for values in zip(*rows, strict=True))
    with connections[Delivery.objects.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} ({columns}) "
            "SELECT %s, s, k, st, e, 0, '', '', %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS t(s, k, st, e) "
            "ON CONFLICT DO NOTHING",
            [issue.pk, timezone.now(), subscriber_ids, keys, states, errors],
        )


# --- Sending a batch ----------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0  # handed back to pending after a temporary failure
    finished: bool = False  # the issue has nothing left to send


def lease_until() -> datetime:
    """A claim holds until then, unless its worker renews it (LeaseKeeper) first."""
    return timezone.now() + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def claim(issue: Issue, batch_size: int) -> list[int]:
    """pending → sending for up to `batch_size` rows nobody else holds."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(issue=issue, state=DeliveryState.PENDING)
            # No ORDER BY: sorting every pending row of a 100,000-row issue to
            # take 500 cost tens of milliseconds per claim; any pending rows will do.
            .values_list("pk", flat=True)[:batch_size]
        )
        claimed = {
            "state": DeliveryState.SENDING,
            "lease_until": lease_until(),
            "attempts": F("attempts") + 1,
        }
        pending = Delivery.objects.filter(state=DeliveryState.PENDING)
        if connections[Delivery.objects.db].features.has_select_for_update_skip_locked:
            pending.filter(pk__in=ids).update(**claimed)
        else:
            # Without row locks (SQLite in development) two claimers may read the
            # same ids: each row is taken by whoever flips it first.
            ids = [pk for pk in ids if pending.filter(pk=pk).update(**claimed)]
    return ids


def send_next_batch(issue_id: int, batch_size: int | None = None) -> BatchResult:
    """Claim one batch of the issue's deliveries and send it over one connection.

    Raises TemporarySendError after handing the unsent rest of the batch back,
    so the caller retries later with backoff.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    issue = _recorded(
        lambda: Issue.objects.select_related("newsletter", "newsletter__locale").get(pk=issue_id)
    )
    result = BatchResult()
    if issue.state != IssueState.SENDING:
        return result
    batch = _open_batch(issue)  # before the claim: see stops.py
    try:
        _claim_and_send(issue, batch, batch_size, result)
    finally:
        stops.close_batch(issue.pk, batch)
    return result


def _open_batch(issue: Issue) -> str:
    try:
        return stops.open_batch(issue.pk)
    except Exception as exc:  # nothing claimed yet: the batch is simply retried later
        raise TemporarySendError(f"cannot open a batch: {type(exc).__name__}: {exc}") from exc


def _claim_and_send(issue: Issue, batch: str, batch_size: int, result: BatchResult) -> None:
    ids = _recorded(lambda: claim(issue, batch_size))
    result.claimed = len(ids)
    if not ids:
        result.finished = _recorded(lambda: finish_if_done(issue))
        return
    with LeaseKeeper(issue.pk, ids):
        deliveries = _recorded(
            lambda: _skip_ineligible(
                issue,
                list(
                    Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk")
                ),
                result,
            )
        )
        try:
            _send(issue, batch, deliveries, result)
        finally:
            if result.sent:
                _recorded(lambda: Issue.objects.filter(pk=issue.pk).update(consecutive_failures=0))


def _recorded(write: Callable[[], T]) -> T:
    """Run one idempotent database step; after a dropped connection, reconnect and run it again.

    A database blip must not turn mail the server accepted into `unknown`, nor
    stall the send until the lease runs out. Inside a transaction nothing can be
    retried (the transaction is lost), so the error goes up as it is.
    """
    connection = connections[Delivery.objects.db]
    for attempt in range(RECORD_ATTEMPTS):
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or attempt == RECORD_ATTEMPTS - 1:
                raise
            logger.warning("Database connection lost (%s); reconnecting", exc)
            try:
                connection.close()
            except Exception:  # already gone
                pass
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


class LeaseKeeper(threading.Thread):
    """Renews a batch's claim every NEWSLETTER_HEARTBEAT_SECONDS while its worker is alive.

    A thread, so that the lease stays fresh while the sender waits on a slow
    relay or on the rate limit. When the worker dies the renewals stop, and the
    claim (and the issue's heartbeat) run out NEWSLETTER_LEASE_SECONDS later.
    """

    def __init__(self, issue_id: int, ids: list[int]):
        super().__init__(name=f"lease-keeper-issue-{issue_id}", daemon=True)
        self.issue_id = issue_id
        self.ids = ids
        self.done = threading.Event()

    def __enter__(self) -> LeaseKeeper:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.done.set()
        self.join(timeout=30)

    def run(self) -> None:
        try:
            while not self.done.wait(settings.NEWSLETTER_HEARTBEAT_SECONDS):
                try:
                    renew_lease(self.issue_id, self.ids)
                except Exception:
                    logger.warning(
                        "Issue %s: could not renew a lease", self.issue_id, exc_info=True
                    )
                    connections.close_all()  # this thread's own; the next round reconnects
        finally:
            connections.close_all()


def renew_lease(issue_id: int, ids: list[int]) -> int:
    """Push the lease of the rows still held (`sending`) forward; say the issue is being worked on."""
    heartbeat(issue_id, settings.NEWSLETTER_LEASE_SECONDS)
    return Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
        lease_until=lease_until()
    )


def _skip_ineligible(issue: Issue, deliveries: list[Delivery], result: BatchResult):
    """Honour unsubscriptions and suppressions that arrived after the freeze."""
    subscriber_ids = [d.subscriber_id for d in deliveries if d.subscriber_id]
    still_subscribed = set(
        eligible_subscriptions(issue.newsletter)
        .filter(subscriber_id__in=subscriber_ids)
        .values_list("subscriber_id", flat=True)
    )
    hashes = {
        d.pk: address_hash(d.subscriber.email)
        for d in deliveries
        if d.subscriber_id in still_subscribed
    }
    suppressed = set(
        Suppression.objects.filter(address_hash__in=hashes.values()).values_list(
            "address_hash", flat=True
        )
    )
    keep, skip = [], []
    for delivery in deliveries:
        if delivery.pk in hashes and hashes[delivery.pk] not in suppressed:
            keep.append(delivery)
        else:
            skip.append(delivery.pk)
    if skip:
        result.skipped = Delivery.objects.filter(pk__in=skip, state=DeliveryState.SENDING).update(
            state=DeliveryState.SKIPPED,
            lease_until=None,
            error_message="unsubscribed or suppressed before sending",
        )
    return keep


def _send(issue: Issue, batch: str, deliveries: list[Delivery], result: BatchResult) -> None:
    """Hand the batch to the transport and record what became of each delivery.

    A 4xx refusal, or the transport giving up, raises TemporarySendError after
    the unsent rest of the batch is handed back (`_release`).
    """
    renditions = _recorded(lambda: {r.variant_key: r for r in issue.renditions.all()})
    sent: list[int] = []
    stopped: list[int] = []  # stopped (stops.py) after the batch was claimed
    pending = {delivery.pk: delivery for delivery in deliveries}
    tried = None  # the delivery whose attempt failed temporarily, if any
    outcomes = transport.send(
        transport.Batch(issue, deliveries, renditions, partial(_stopped_among, issue, batch))
    )
    try:
        for outcome in outcomes:
            delivery = outcome.delivery
            if outcome.status == transport.STOPPED:
                stopped.append(pending.pop(delivery.pk).pk)
            elif outcome.status == transport.SENT:
                # Marked `sent` once, when the batch ends: a crash loses the fate of the
                # batch in flight either way (its rows become `unknown`), so marking
                # row by row would only cost writes.
                sent.append(pending.pop(delivery.pk).pk)
            else:
                tried = delivery.pk
                paused = _record_failure(
                    issue, delivery, outcome.code, outcome.text, result, at_rcpt=outcome.at_rcpt
                )
                del pending[delivery.pk]
                if paused:
                    break
    except TemporarySendError as exc:
        if exc.tried is not None:
            tried = exc.tried.pk
        if exc.failure:
            failure = exc.failure
            _recorded(lambda: _count_failure(issue, failure))
        raise
    finally:
        outcomes.close()  # closes the connection before anything is recorded
        if sent:
            _recorded(lambda: _mark_sent(issue, sent, result))
        if stopped:
            _recorded(lambda: _mark_stopped(stopped, result))
        if pending:
            _recorded(lambda: _release(list(pending.values()), result, tried=tried))


def _stopped_among(issue: Issue, batch: str, deliveries: list[Delivery]) -> set[int]:
    """Subscribers of `deliveries` stopped since the claim; one cache read, no database query."""
    try:
        return stops.stopped_among(issue.pk, [d.subscriber_id for d in deliveries], batch)
    except Exception as exc:
        # Without the cache, or after it lost its data (MarksLost), nobody can tell whether
        # a stop is pending: send nothing, hand the rows back; they are re-checked in the
        # database when claimed again.
        raise TemporarySendError(f"cannot check for stops: {type(exc).__name__}: {exc}") from exc


def _record_failure(
    issue: Issue, delivery: Delivery, code: int, text: str, result, *, at_rcpt: bool
) -> bool:
    """A refusal: 4xx is temporary (raises, so the batch stops and is retried), 5xx is final.

    Only a refusal of the recipient itself (at RCPT) marks the address invalid;
    a 550 for the content says nothing about the mailbox. Returns True when this
    failure paused the issue.
    """
    if 400 <= code < 500:
        _recorded(lambda: _count_failure(issue, f"{code} {text}"))
        if delivery.attempts <= settings.NEWSLETTER_MAX_RETRIES:
            raise TemporarySendError(f"{code} {text}")  # a paused issue is simply not retried
    result.failed += _recorded(
        lambda: Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
            state=DeliveryState.FAILED,
            lease_until=None,
            error_code=str(code),
            error_message=text[:1000],
        )
    )
    if (
        at_rcpt
        and code in INVALID_RECIPIENT_CODES
        and delivery.subscriber
        and delivery.subscriber.email
    ):
        _recorded(lambda: suppression.record_invalid_recipient(delivery.subscriber.email))
        _recorded(lambda: attribution.note_smtp_refusal(delivery.subscriber.email, issue.pk))
    return code >= 500 and _recorded(lambda: _count_failure(issue, f"{code} {text}"))


def _count_failure(issue: Issue, reason: str) -> bool:
    """Count one more failure in a row; pause the issue at the limit. True when it paused."""
    Issue.objects.filter(pk=issue.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = Issue.objects.values_list("consecutive_failures", flat=True).get(pk=issue.pk)
    if failures >= settings.NEWSLETTER_PAUSE_AFTER_FAILURES and pause(
        issue, f"Paused after {failures} failures in a row. Last: {reason}"
    ):
        logger.warning("Issue %s paused after %d failures in a row: %s", issue.pk, failures, reason)
        return True
    return False


def _mark_sent(issue: Issue, ids: list[int], result: BatchResult) -> None:
    # The Message-ID is derived from the delivery, so it need not be written row by row.
    result.sent += Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        message_id=Concat(
            Value("<" + emails.message_id_prefix(issue)), Cast("pk", CharField()),
            Value(f"@{emails.domain(issue.newsletter)}>"),
        ),
    )  # fmt: skip


def _mark_stopped(ids: list[int], result: BatchResult) -> None:
    result.skipped += Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING).update(
        state=DeliveryState.SKIPPED, lease_until=None, error_message=stops.STOPPED_MID_SEND
    )


def _release(deliveries: list[Delivery], result: BatchResult, *, tried: int | None) -> None:
    """sending → pending for the row that got a 4xx and the rows not tried yet.

    Rows never tried give back the attempt counted when they were claimed.
    """
    ids = [d.pk for d in deliveries]
    back = Delivery.objects.filter(state=DeliveryState.SENDING)
    result.released += (
        back.filter(pk__in=ids)
        .exclude(pk=tried)
        .update(state=DeliveryState.PENDING, lease_until=None, attempts=F("attempts") - 1)
    )
    if tried in ids:
        result.released += back.filter(pk=tried).update(
            state=DeliveryState.PENDING, lease_until=None
        )


def delivery_counts(issue: Issue) -> dict[str, int]:
    """{delivery state: how many of the issue's deliveries are in it}, in one query."""
    return dict(
        issue.deliveries.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )


def finish_if_done(issue: Issue) -> bool:
    """sending → sent once no delivery is pending or in flight."""
    if issue.deliveries.filter(state__in=[DeliveryState.PENDING, DeliveryState.SENDING]).exists():
        return False
    counts = delivery_counts(issue)
    problems = []
    if counts.get(DeliveryState.FAILED):
        problems.append(f"{counts[DeliveryState.FAILED]} failed")
    if counts.get(DeliveryState.UNKNOWN):
        problems.append(
            f"{counts[DeliveryState.UNKNOWN]} uncertain (in flight when a worker stopped; "
            "not resent)"
        )
    done = _transition(
        issue,
        [IssueState.SENDING],
        IssueState.SENT,
        send_finished_at=timezone.now(),
        status_reason="; ".join(problems),
    )
    if done:
        logger.info("Issue %s sent: %s", issue.pk, counts)
    return done


# --- Crash recovery -----------------------------------------------------------------------


def reconcile_stale_deliveries(now: datetime | None = None) -> dict[int, int]:
    """sending → unknown for every row whose lease has run out. Returns {issue id: count}."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=now)
    by_issue = dict(
        stale.values_list("issue_id").annotate(n=Count("pk")).values_list("issue_id", "n")
    )
    if by_issue:
        stale.update(
            state=DeliveryState.UNKNOWN,
            error_message="in flight when its worker stopped; not resent, check the mail logs",
        )
        for issue_id, count in by_issue.items():
            logger.warning(
                "Issue %s: %d delivery(ies) were in flight when a worker stopped; "
                "marked unknown and not resent",
                issue_id,
                count,
            )
    for issue in Issue.objects.filter(state=IssueState.SENDING):
        finish_if_done(issue)
    return by_issue


def stalled_issues() -> list[int]:
    """Issues still sending that no batch task is working on (their workers died)."""
    return [
        issue_id
        for issue_id in Issue.objects.filter(state=IssueState.SENDING).values_list("pk", flat=True)
        if not cache.get(heartbeat_key(issue_id))
    ]


def heartbeat_key(issue_id: int) -> str:
    return f"newsletter:issue:{issue_id}:heartbeat"


def heartbeat(issue_id: int, seconds: int) -> None:
    """Say that a batch task will touch this issue within `seconds`."""
    cache.set(heartbeat_key(issue_id), 1, timeout=max(seconds, 1))


# --- Progress -----------------------------------------------------------------------------


def progress(issue: Issue) -> dict:
    counts = delivery_counts(issue)
    total = sum(counts.values())
    finished = issue.send_finished_at or (timezone.now() if issue.send_started_at else None)
    return {
        "state": issue.state,
        "total": total,
        **{state: counts.get(state, 0) for state in DeliveryState.values},
        "duration_seconds": (
            round((finished - issue.send_started_at).total_seconds())
            if issue.send_started_at
            else None
        ),
        "status_reason": issue.status_reason,
    }
