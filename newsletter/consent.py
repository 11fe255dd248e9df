"""Subscription and consent flows as plain functions.

Views, the API, admin actions, management commands and the bounce webhook all
call these; none of them touches Subscriber status or ConsentRecord directly.

Enumeration: `subscribe` returns nothing and does the same synchronous work for
every valid address (it enqueues `process_subscription`); whether the address is
new, pending, active or suppressed is decided in the worker, and the confirmation
email is rendered and sent by a further task enqueued on commit.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.client_ip import client_ip, client_network
from config.ratelimit import RateLimit

from . import stops, tokens
from .addresses import address_hash, is_suppressed, keyed_hash, normalise_email, suppress
from .models import (
    ConsentAction,
    ConsentRecord,
    Newsletter,
    Subscriber,
    SubscriberStatus,
    Subscription,
    SuppressionReason,
)
from .rendering import render_email

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


def _record(
    subscriber: Subscriber | None,
    action: str,
    who: RequestInfo,
    newsletters: list[str],
    *,
    lawful_basis: str = "",
) -> ConsentRecord:
    return ConsentRecord.objects.create(
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


def _slugs(selection: Selection) -> list[str]:
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
    from .consent_tasks import process_subscription

    process_subscription.delay_on_commit(email, selection.as_payload(), locale, who.as_payload())


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
        record = _record(subscriber, ConsentAction.SUBSCRIBE, who, _slugs(selection))
        # Checked again under the lock: another worker may have sent one meanwhile.
        send = may_send and not _cooling_down(subscriber)
        if send:
            subscriber.confirmation_sent_at = timezone.now()
        subscriber.save()
        if send:
            from .consent_tasks import send_confirmation

            send_confirmation.delay_on_commit(record.pk, selection.as_payload())


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
    token = tokens.make_token(subscriber, "confirm", {"n": selection.as_payload(), "r": record_id})
    return tokens.link("confirm", token)


def read_confirmation(token: str) -> tuple[Subscriber, Selection]:
    """The subscriber and selection of a confirm link still usable; InvalidLink otherwise."""
    try:
        subscriber, data = tokens.read_token_data(token, "confirm")
    except tokens.InvalidToken:
        raise InvalidLink from None
    record_id = data.get("r")
    if not isinstance(record_id, int) or _confirmation_spent(subscriber, record_id):
        raise InvalidLink
    if subscriber.status not in MAILABLE:
        raise InvalidLink
    return subscriber, Selection.from_payload(data.get("n") or {})


SPENDS_CONFIRMATION = (ConsentAction.CONFIRM, ConsentAction.UNSUBSCRIBE, ConsentAction.ERASE)


def _confirmation_spent(subscriber: Subscriber, record_id: int) -> bool:
    return subscriber.consent_records.filter(
        pk__gt=record_id, action__in=SPENDS_CONFIRMATION
    ).exists()


def sender_of(newsletters: list[Newsletter]) -> str:
    """A From header built from checked parts: no CR/LF can reach the header."""
    if newsletters:
        name = " ".join(newsletters[0].sender_name.split())
        address = newsletters[0].sender_email
    else:
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, normalise_email(address)))


def send_confirmation_email(record_id: int, selection_payload: dict[str, list[int]]) -> bool:
    """Render and send the confirmation email, and keep the exact message in the record.

    Runs in a worker. Re-checks suppression: the address may have been
    suppressed between the request and now.
    """
    from django.core.mail import EmailMultiAlternatives

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
    newsletters = selection.newsletters()
    with translation.override(subscriber.locale):
        subject = _("Conferma la tua iscrizione")
        rendered = render_email(
            "newsletter/email/confirmation.mjml",
            {
                "subject": subject,
                "preheader": _("Un clic per confermare: senza conferma non riceverai nulla."),
                "newsletters": newsletters,
                "confirm_url": confirmation_url(subscriber, selection, record.pk),
                "sender_name": newsletters[0].sender_name if newsletters else "Notiziario",
                "postal_address": newsletters[0].postal_address if newsletters else "",
                "expiry_days": tokens.LIFETIMES["confirm"].days,
            },
            language=subscriber.locale,
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=sender_of(newsletters),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(rendered.html, "text/html")
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
        _add_subscriptions(subscriber, selection)
        if subscriber.status != SubscriberStatus.ACTIVE:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
        _record(subscriber, ConsentAction.CONFIRM, who, _slugs(selection))
    return subscriber


def _add_subscriptions(subscriber: Subscriber, selection: Selection) -> None:
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
        subscriber.subscriptions.exclude(newsletter__in=selection.topics_by_newsletter).delete()
        for newsletter in selection.newsletters():
            subscription, _created = Subscription.objects.get_or_create(
                subscriber=subscriber, newsletter=newsletter
            )
            subscription.topics.set(selection.topics_by_newsletter[newsletter.pk])
        subscriber.locale = locale
        subscriber.save(update_fields=["locale"])
        _record(subscriber, ConsentAction.PREFERENCES, who, _slugs(selection))
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
        slugs = list(subscriber.subscriptions.values_list("newsletter__slug", flat=True))
        subscriber.subscriptions.all().delete()
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        _record(subscriber, ConsentAction.UNSUBSCRIBE, who, slugs)
    return subscriber


def unsubscribe_mailto() -> str:
    configured = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    return normalise_email(configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1])


def list_unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 + RFC 8058 headers for one subscriber's copy of a newsletter.

    The URL and subject carry only a signed token (URL-safe base64 and ':'),
    never the address, so nothing user-controlled reaches the header.
    """
    token = tokens.make_token(subscriber, "unsubscribe")
    return unsubscribe_headers(tokens.link("unsubscribe", token), token, unsubscribe_mailto())


def unsubscribe_headers(url: str, token: str, mailto: str) -> dict[str, str]:
    """The same headers from parts already made (bulk sending makes each token once)."""
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{mailto}?subject=unsubscribe%20{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# Bounces and complaints -----------------------------------------------------------------


def _stop_mailing(email: str, status: str, reason: str) -> None:
    # One transaction: batches in flight see the stop (stops.py) before it commits.
    with transaction.atomic():
        suppress(email, reason)
        subscriber = find_subscriber(email)
        if subscriber is None:
            return
        stops.stop_deliveries(subscriber.pk, f"suppressed: {reason}")
        if subscriber.status != SubscriberStatus.ERASED:
            Subscriber.objects.filter(pk=subscriber.pk).update(status=status)


def record_hard_bounce(email: str) -> None:
    _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.HARD_BOUNCE)


def record_invalid_recipient(email: str) -> None:
    """The receiving server refused the mailbox itself (550/551/553 at RCPT)."""
    _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.INVALID_RECIPIENT)


def record_complaint(email: str) -> None:
    _stop_mailing(email, SubscriberStatus.COMPLAINED, SuppressionReason.COMPLAINT)


def record_soft_bounce(email: str) -> int:
    """Count a temporary failure; suppress once the count reaches the limit. Returns the count."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(email=normalise_email(email)).first()
        )
        if subscriber is None:
            return 0
        subscriber.soft_bounce_count += 1
        subscriber.save(update_fields=["soft_bounce_count"])
    if subscriber.soft_bounce_count >= settings.NEWSLETTER_SOFT_BOUNCE_LIMIT:
        _stop_mailing(email, SubscriberStatus.BOUNCED, SuppressionReason.SOFT_BOUNCES)
    return subscriber.soft_bounce_count


# GDPR: access and erasure ---------------------------------------------------------------


def find_subscriber(email: str) -> Subscriber | None:
    return Subscriber.objects.filter(email=normalise_email(email)).first()


def export(subscriber: Subscriber) -> dict[str, Any]:
    """Everything held on one person, as JSON-ready data (Art. 15 GDPR)."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "subscriber": {
            "id": subscriber.pk,
            "email": subscriber.email,
            "locale": subscriber.locale,
            "status": subscriber.status,
            "created_at": when(subscriber.created_at),
            "confirmed_at": when(subscriber.confirmed_at),
            "unsubscribed_at": when(subscriber.unsubscribed_at),
            "confirmation_sent_at": when(subscriber.confirmation_sent_at),
            "soft_bounce_count": subscriber.soft_bounce_count,
            "suppressed": bool(subscriber.email) and is_suppressed(subscriber.email),
        },
        "subscriptions": [
            {
                "newsletter": subscription.newsletter.slug,
                "topics": sorted(topic.slug for topic in subscription.topics.all()),
                "created_at": when(subscription.created_at),
            }
            for subscription in subscriber.subscriptions.select_related("newsletter")
        ],
        "consent_records": [
            {
                "action": record.action,
                "source": record.source,
                "created_at": when(record.created_at),
                "privacy_notice_version": record.privacy_notice_version,
                "lawful_basis": record.lawful_basis,
                "origin": record.origin,
                "user_agent": record.user_agent,
                "ip_hash": record.ip_hash,
                "newsletters": record.newsletters,
                "confirmation_email": record.confirmation_email,
            }
            for record in subscriber.consent_records.order_by("created_at", "pk")
        ],
        "deliveries": [
            {
                "issue": delivery.issue.subject,
                "newsletter": delivery.issue.newsletter.slug,
                "state": delivery.state,
                "sent_at": when(delivery.sent_at),
                "error_code": delivery.error_code,
                "error_message": delivery.error_message,
            }
            for delivery in subscriber.deliveries.select_related("issue__newsletter").order_by("pk")
        ],
    }


def erase(subscriber: Subscriber, who: RequestInfo) -> Subscriber:
    """Remove personal data (Art. 17 GDPR), keeping a hashed suppression and anonymous counts.

    The subscriber row stays, without its address, so delivery and consent
    counts still add up; the keyed hash keeps the address from being mailed again.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.email:
            suppress(subscriber.email, SuppressionReason.ERASED)
        stops.stop_deliveries(subscriber.pk)
        subscriber.deliveries.update(error_message="", message_id="")
        subscriber.consent_records.update(
            user_agent="", ip_hash="", origin="", confirmation_email=""
        )
        subscriber.subscriptions.all().delete()
        email = subscriber.email
        subscriber.email = None
        subscriber.status = SubscriberStatus.ERASED
        subscriber.save(update_fields=["email", "status"])
        _record(subscriber, ConsentAction.ERASE, RequestInfo(source=who.source), [])
        if email:
            _scrub_admin_history(subscriber, email)
    return subscriber


def _scrub_admin_history(subscriber: Subscriber, email: str) -> None:
    """Take the address out of the admin's history: Wagtail log entries (its labels are
    str(subscriber) at the time, i.e. the address) and Django admin log entries.

    Scans the log tables for the address: an erasure is a rare admin action, not a request.
    """
    from django.apps import apps
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q, TextField
    from django.db.models.functions import Cast
    from wagtail.models import BaseLogEntry

    erased_label = str(subscriber)  # "#12 (Cancellato)"
    address = re.compile(re.escape(email), re.IGNORECASE)
    content_type = ContentType.objects.get_for_model(Subscriber)
    log_models = [
        model
        for model in apps.get_models()
        if issubclass(model, BaseLogEntry) and not model._meta.abstract
    ]
    for model in log_models:
        if any(field.name == "object_id" for field in model._meta.get_fields()):
            model.objects.filter(content_type=content_type, object_id=str(subscriber.pk)).update(
                label=erased_label
            )
        mentions = model.objects.annotate(data_text=Cast("data", TextField())).filter(
            Q(label__icontains=email) | Q(data_text__icontains=email)
        )
        for entry in mentions:
            entry.label = address.sub(erased_label, entry.label)
            entry.data = _without(entry.data, address, erased_label)
            entry.save(update_fields=["label", "data"])
    LogEntry.objects.filter(content_type=content_type, object_id=str(subscriber.pk)).update(
        object_repr=erased_label
    )
    for entry in LogEntry.objects.filter(
        Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    ):
        entry.object_repr = address.sub(erased_label, entry.object_repr)
        entry.change_message = address.sub(erased_label, entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


def _without(data: Any, address: re.Pattern, replacement: str) -> Any:
    """`data` (decoded JSON) with every match of `address` in keys and strings replaced."""
    if isinstance(data, str):
        return address.sub(replacement, data)
    if isinstance(data, list):
        return [_without(item, address, replacement) for item in data]
    if isinstance(data, dict):
        return {
            _without(key, address, replacement): _without(value, address, replacement)
            for key, value in data.items()
        }
    return data


def import_subscriber(
    email: str,
    selection: Selection,
    locale: str,
    *,
    lawful_basis: str,
    who: RequestInfo,
) -> str:
    """Add one imported person: active on the stated lawful basis, or sent a confirmation.

    Returns what happened: "active", "confirmation", "suppressed" or "unchanged". Someone
    who unsubscribed, bounced or complained is never brought back by an import.
    """
    email = normalise_email(email)
    if is_suppressed(email):
        return "suppressed"
    if not lawful_basis:
        existing = Subscriber.objects.filter(email=email, status=SubscriberStatus.ACTIVE)
        if existing.exists():
            return "unchanged"
        with transaction.atomic():
            subscriber, _created = Subscriber.objects.get_or_create(
                email=email, defaults={"locale": locale}
            )
            if subscriber.status != SubscriberStatus.PENDING:
                return "unchanged"
            subscriber.status = SubscriberStatus.PENDING
            subscriber.confirmation_sent_at = timezone.now()
            subscriber.save()
            record = _record(subscriber, ConsentAction.SUBSCRIBE, who, _slugs(selection))
            from .consent_tasks import send_confirmation

            send_confirmation.delay_on_commit(record.pk, selection.as_payload())
        return "confirmation"
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"locale": locale}
        )
        if subscriber.status not in MAILABLE:
            return "unchanged"  # an unsubscribe is never overridden by an import
        _add_subscriptions(subscriber, selection)
        if subscriber.status != SubscriberStatus.ACTIVE:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["status", "confirmed_at"])
        _record(
            subscriber,
            ConsentAction.SUBSCRIBE,
            who,
            _slugs(selection),
            lawful_basis=lawful_basis,
        )
    return "active"
