"""Subscribing, confirming, preferences and unsubscribing, as plain functions.

Views, the API, admin actions, management commands, the import and the
provider webhooks all call these; none of them touches Subscriber status or
ConsentRecord directly.

Enumeration: `subscribe` returns nothing and does the same synchronous work for
every valid address (it enqueues `process_subscription`); whether the address is
new, pending, active or suppressed is decided in the worker, and the confirmation
email is rendered and sent by a further task enqueued on commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cms.models import Topic
from web.client_ip import client_ip, client_network
from web.ratelimit import RateLimit

from . import emails, enqueue, stops, tokens
from .addresses import address_hash, keyed_hash, normalise_email
from .models import (
    ConsentAction,
    ConsentRecord,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from .suppression import is_suppressed

USER_AGENT_MAX = 500
MAILABLE = (SubscriberStatus.PENDING, SubscriberStatus.ACTIVE)


@dataclass(frozen=True)
class RequestInfo:
    """Who asked, as far as consent records need to know: never the raw IP."""

    source: str
    user_agent: str = ""
    ip: str = ""
    origin: str = ""  # free text from the client, e.g. the page holding the form
    issue_id: int | None = None  # the issue whose email carried the link (unsubscribes)

    @classmethod
    def from_request(cls, request, source: str, origin: str = "") -> RequestInfo:
        return cls(
            source=source,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip=client_ip(request),
            origin=origin,
        )

    def as_payload(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, str]) -> RequestInfo:
        return cls(**payload)


@dataclass(frozen=True)
class Selection:
    """Newsletters asked for, each optionally narrowed to topics (empty: all topics)."""

    topics_by_newsletter: dict[int, list[int]] = field(default_factory=dict)

    def newsletters(self) -> list[Newsletter]:
        return list(Newsletter.objects.filter(pk__in=self.topics_by_newsletter).order_by("pk"))

    def as_payload(self) -> dict[str, list[int]]:
        return {str(pk): sorted(topics) for pk, topics in self.topics_by_newsletter.items()}

    @classmethod
    def from_payload(cls, payload: dict[str, list[int]]) -> Selection:
        return cls({int(pk): list(topics) for pk, topics in payload.items()})


class InvalidLink(Exception):
    pass


class AlreadyConfirmed(InvalidLink):
    """A used confirm link whose subscriptions are all in place: say so, not "invalid"."""


class CannotResubscribe(Exception):
    """No recent unsubscribe to undo: a new subscription (double opt-in) is needed."""


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


def _rate_limit(name: str) -> RateLimit:
    limit, _sep, period = settings.NEWSLETTER_RATE_LIMITS[name].partition("/")
    return RateLimit(f"newsletter.{name}", int(limit), int(period or 3600))


def check_ip_rate_limit(ip: str) -> None:
    """Raise RateLimited when this client has asked too often. Per IP, so it reveals nothing."""
    decision = _rate_limit("subscribe_per_ip").hit(keyed_hash("ip:" + (client_network(ip) or ip)))
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


def record_consent(
    subscriber: Subscriber | None,
    action: str,
    who: RequestInfo,
    newsletters: list[str],
    *,
    lawful_basis: str = "",
    topics: dict[str, list[int]] | None = None,
) -> ConsentRecord:
    return ConsentRecord.objects.create(
        topics=topics or {},
        subscriber=subscriber,
        action=action,
        source=who.source,
        privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        lawful_basis=lawful_basis,
        origin=who.origin[:200],
        user_agent=who.user_agent[:USER_AGENT_MAX],
        ip_hash=keyed_hash("ip:" + who.ip) if who.ip else "",
        newsletters=newsletters,
        issue_id=who.issue_id,
    )


def newsletter_slugs(selection: Selection) -> list[str]:
    return [newsletter.slug for newsletter in selection.newsletters()]


# Subscribing and confirming -------------------------------------------------------------


def subscribe(email: str, selection: Selection, locale: str, who: RequestInfo) -> None:
    """Ask for a subscription; a confirmation email follows unless one was sent just now.

    Returns nothing on purpose, and does the same work for every valid address:
    it enqueues `process_subscription`. Everything that depends on the address
    (its limits, its suppression, an existing subscriber) is decided in the
    worker, so neither the answer nor its timing tells anything about it.
    """
    email = normalise_email(email)
    enqueue.on_commit(
        "process_subscription", email, selection.as_payload(), locale, who.as_payload()
    )


def process_subscription(email: str, selection: Selection, locale: str, who: RequestInfo) -> None:
    """The decisions behind `subscribe`, in a worker.

    A suppressed address, or one asked for too often, gets no email and no record.
    Rate limits are decided before the subscriber row is locked.
    """
    email = normalise_email(email)
    key = address_hash(email)
    if not _rate_limit("subscribe_per_address").hit(key).allowed:
        return
    if is_suppressed(email):
        return
    known = Subscriber.objects.filter(email=email).only("status", "confirmation_sent_at").first()
    if known is not None and known.status not in MAILABLE + (SubscriberStatus.UNSUBSCRIBED,):
        return  # bounced or complained: suppressed in practice, never mailed
    may_send = not _cooling_down(known) and (
        _rate_limit("confirmation_per_address").hit(key).allowed
    )
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"locale": locale}
        )
        if subscriber.status not in MAILABLE and subscriber.status != SubscriberStatus.UNSUBSCRIBED:
            return
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            subscriber.status = SubscriberStatus.PENDING
        if subscriber.status == SubscriberStatus.PENDING:
            subscriber.locale = locale
        record = record_consent(
            subscriber, ConsentAction.SUBSCRIBE, who, newsletter_slugs(selection)
        )
        # Checked again under the lock: another worker may have sent one meanwhile.
        send = may_send and not _cooling_down(subscriber)
        if send:
            subscriber.confirmation_sent_at = timezone.now()
        subscriber.save()
        if send:
            enqueue.on_commit("send_confirmation", record.pk, selection.as_payload())


def _cooling_down(subscriber: Subscriber | None) -> bool:
    sent_at = subscriber.confirmation_sent_at if subscriber is not None else None
    return bool(sent_at) and timezone.now() - sent_at < timedelta(
        seconds=settings.NEWSLETTER_CONFIRMATION_COOLDOWN
    )


def confirmation_url(subscriber: Subscriber, selection: Selection, record_id: int) -> str:
    """A single-use confirm link for one subscription request (signed, 7 days).

    It names the request's consent record: once a later record confirms,
    unsubscribes or erases the subscriber, the link is spent.
    """
    token = tokens.make_token(
        subscriber, "confirm", {"n": selection.as_payload(), "r": record_id}, compress=True
    )
    return tokens.link("confirm", token)


def read_confirmation(token: str) -> tuple[Subscriber, Selection]:
    """The subscriber and selection of a confirm link still usable; InvalidLink otherwise."""
    try:
        subscriber, data = tokens.read_token_data(token, "confirm")
    except tokens.InvalidToken:
        raise InvalidLink from None
    record_id = data.get("r")
    if type(record_id) is not int:
        raise InvalidLink
    selection = Selection.from_payload(data.get("n") or {})
    if _confirmation_spent(subscriber, record_id):
        if _already_subscribed(subscriber, selection):
            raise AlreadyConfirmed
        raise InvalidLink
    if subscriber.status not in MAILABLE:
        raise InvalidLink
    return subscriber, selection


def _already_subscribed(subscriber: Subscriber, selection: Selection) -> bool:
    """Active, and on every newsletter the selection names."""
    wanted = set(selection.topics_by_newsletter)
    return (
        subscriber.status == SubscriberStatus.ACTIVE
        and bool(wanted)
        and subscriber.subscriptions.filter(newsletter__in=wanted).count() == len(wanted)
    )


SPENDS_CONFIRMATION = (ConsentAction.CONFIRM, ConsentAction.UNSUBSCRIBE, ConsentAction.ERASE)


def _confirmation_spent(subscriber: Subscriber, record_id: int) -> bool:
    return subscriber.consent_records.filter(
        pk__gt=record_id, action__in=SPENDS_CONFIRMATION
    ).exists()


def send_confirmation_email(record_id: int, selection_payload: dict[str, list[int]]) -> bool:
    """Render and send the confirmation email, and keep the exact message in the record.

    Runs in a worker. Re-checks suppression: the address may have been
    suppressed between the request and now.
    """
    record = ConsentRecord.objects.select_related("subscriber").get(pk=record_id)
    subscriber = record.subscriber
    if (
        subscriber is None
        or not subscriber.email
        or subscriber.status not in MAILABLE
        or is_suppressed(subscriber.email)
    ):
        return False
    selection = Selection.from_payload(selection_payload)
    message = emails.confirmation_message(
        subscriber,
        selection.newsletters(),
        confirmation_url(subscriber, selection, record.pk),
    )
    message.send()
    # The one permitted write to a consent record: what was sent, filled once.
    ConsentRecord.objects.filter(pk=record.pk, confirmation_email="").update(
        confirmation_email=message.message().as_string()
    )
    return True


def confirm(token: str, who: RequestInfo) -> Subscriber:
    """Activate the subscriber and add the newsletters the link names; the link is then spent."""
    subscriber, selection = read_confirmation(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        # Read again under the lock: two clicks at once must not both confirm.
        subscriber, selection = read_confirmation(token)
        if is_suppressed(subscriber.email or ""):
            raise InvalidLink
        add_subscriptions(subscriber, selection)
        if subscriber.status != SubscriberStatus.ACTIVE:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
        record_consent(subscriber, ConsentAction.CONFIRM, who, newsletter_slugs(selection))
    return subscriber


def add_subscriptions(subscriber: Subscriber, selection: Selection) -> None:
    for newsletter in selection.newsletters():
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter
        )
        topics = selection.topics_by_newsletter.get(newsletter.pk, [])
        if created or not topics:
            subscription.topics.set(topics)
        else:
            subscription.topics.add(*topics)


# Preferences and unsubscribing ----------------------------------------------------------


def update_preferences(
    subscriber: Subscriber, selection: Selection, locale: str, who: RequestInfo
) -> Subscriber:
    """Replace the subscriber's newsletters, topics and language; none left means unsubscribed."""
    if not selection.topics_by_newsletter:
        return unsubscribe(subscriber, who)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        dropped = subscriber.subscriptions.exclude(newsletter__in=selection.topics_by_newsletter)
        for newsletter_id in dropped.values_list("newsletter_id", flat=True):
            # Leaving a newsletter here stops its deliveries like an unsubscribe, mid-send too.
            stops.stop_deliveries(subscriber.pk, "unsubscribed", newsletter_id=newsletter_id)
        dropped.delete()
        for newsletter in selection.newsletters():
            subscription, _created = Subscription.objects.get_or_create(
                subscriber=subscriber, newsletter=newsletter
            )
            subscription.topics.set(selection.topics_by_newsletter[newsletter.pk])
        subscriber.locale = locale
        subscriber.save(update_fields=["locale"])
        record_consent(subscriber, ConsentAction.PREFERENCES, who, newsletter_slugs(selection))
    return subscriber


def unsubscribe(subscriber: Subscriber, who: RequestInfo) -> Subscriber:
    """Stop all mail to this subscriber at once, including deliveries of an issue mid-send.

    Idempotent: a second call changes nothing and records nothing.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        stops.stop_deliveries(subscriber.pk, "unsubscribed")
        if subscriber.status not in MAILABLE:
            return subscriber
        _end_subscriptions(subscriber, subscriber.subscriptions.all(), who)
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def unsubscribe_from(subscriber: Subscriber, newsletter_id: int, who: RequestInfo) -> Subscriber:
    """End one subscription (the newsletter an email came from) and stop its deliveries now.

    Deliveries of the subscriber's other newsletters go on, even mid-send. Ending
    the last subscription makes the subscriber unsubscribed. Idempotent.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        stops.stop_deliveries(subscriber.pk, "unsubscribed", newsletter_id=newsletter_id)
        ending = subscriber.subscriptions.filter(newsletter_id=newsletter_id)
        if subscriber.status not in MAILABLE or not ending.exists():
            return subscriber
        if not subscriber.subscriptions.exclude(newsletter_id=newsletter_id).exists():
            return unsubscribe(subscriber, who)  # the last one: nested, same transaction
        _end_subscriptions(subscriber, ending, who)
    return subscriber


def _end_subscriptions(subscriber: Subscriber, ending, who: RequestInfo) -> None:
    """Delete these subscriptions, recording which (with their topics) in one consent record."""
    topics: dict[str, list[int]] = {}
    for subscription in ending.select_related("newsletter").prefetch_related("topics"):
        topics[subscription.newsletter.slug] = sorted(t.pk for t in subscription.topics.all())
    ending.delete()
    record_consent(subscriber, ConsentAction.UNSUBSCRIBE, who, list(topics), topics=topics)


def resubscribe_window() -> timedelta:
    return timedelta(days=settings.NEWSLETTER_RESUBSCRIBE_DAYS)


def _undoable_unsubscribe(subscriber: Subscriber, newsletter_slug: str | None):
    """The latest unsubscribe (of this newsletter, or any) if a resubscribe may still undo it."""
    records = subscriber.consent_records.filter(action=ConsentAction.UNSUBSCRIBE)
    if newsletter_slug is not None:
        records = records.filter(newsletters__contains=[newsletter_slug])
    record = records.order_by("-pk").first()
    if record is None or timezone.now() - record.created_at > resubscribe_window():
        return None
    return record


def can_resubscribe(subscriber: Subscriber, newsletter_id: int | None) -> bool:
    """True when `resubscribe` would restore something for this link right now."""
    try:
        return bool(_restorable(subscriber, newsletter_id)[1])
    except CannotResubscribe:
        return False


def _restorable(subscriber: Subscriber, newsletter_id: int | None):
    """(the unsubscribe record to undo, the newsletters it ended that are not back yet)."""
    if subscriber.status not in MAILABLE + (SubscriberStatus.UNSUBSCRIBED,):
        raise CannotResubscribe
    if is_suppressed(subscriber.email or ""):
        raise CannotResubscribe
    slug = None
    if newsletter_id is not None:
        slug = Newsletter.objects.filter(pk=newsletter_id).values_list("slug", flat=True).first()
        if slug is None:
            raise CannotResubscribe
    record = _undoable_unsubscribe(subscriber, slug)
    if record is None:
        raise CannotResubscribe
    slugs = [slug] if slug is not None else list(record.newsletters)
    newsletters = list(
        Newsletter.objects.filter(slug__in=slugs, is_active=True)
        .exclude(subscriptions__subscriber=subscriber)
        .order_by("pk")
    )
    return record, newsletters


def resubscribe(subscriber: Subscriber, newsletter_id: int | None, who: RequestInfo) -> Subscriber:
    """Undo a recent unsubscribe without a new double opt-in, recorded as consent.

    Restores the subscription(s) the link's unsubscribe ended, with their topics,
    within NEWSLETTER_RESUBSCRIBE_DAYS of it. Later, or for a suppressed, bounced or
    erased address, raises CannotResubscribe: the form (and its confirmation) is
    the way back. Idempotent.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        record, newsletters = _restorable(subscriber, newsletter_id)
        if not newsletters:
            return subscriber
        for newsletter in newsletters:
            subscription = Subscription.objects.create(subscriber=subscriber, newsletter=newsletter)
            subscription.topics.set(
                newsletter_topics(newsletter).filter(pk__in=record.topics.get(newsletter.slug, []))
            )
        if subscriber.status != SubscriberStatus.ACTIVE:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["status", "unsubscribed_at"])
        record_consent(
            subscriber,
            ConsentAction.RESUBSCRIBE,
            who,
            [newsletter.slug for newsletter in newsletters],
            lawful_basis=f"undoes unsubscribe record {record.pk} within "
            f"{settings.NEWSLETTER_RESUBSCRIBE_DAYS} days",
        )
    return subscriber


def newsletter_topics(newsletter: Newsletter):
    """The topics a subscription to this newsletter may be narrowed to (the forms offer these)."""
    chosen = newsletter.topics.all()
    return chosen if chosen.exists() else Topic.objects.filter(locale=newsletter.locale)
