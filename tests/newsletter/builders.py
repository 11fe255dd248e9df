"""Builders for newsletters, subscribers and issues used by the sending tests."""

from __future__ import annotations

import itertools

from newsletter.models import Newsletter, Subscriber, SubscriberStatus, Subscription
from tests import factories

_counter = itertools.count(1)


def newsletter(**fields) -> Newsletter:
    number = next(_counter)
    defaults = {
        "name": "Innovazione in Toscana",
        "slug": f"innovazione-{number}",
        "locale": factories.locale(fields.pop("language", "it")),
        "sender_name": "Notiziario Innovazione",
        "sender_email": "notizie@example.org",
        "reply_to": "redazione@example.org",
        "postal_address": "Via dei Servi 15\n50122 Firenze",
        "intro": "Le notizie della settimana.",
    }
    return Newsletter.objects.create(**{**defaults, **fields})


def subscriber(
    newsletter: Newsletter, email: str | None = None, *, topics=(), status=SubscriberStatus.ACTIVE
) -> Subscriber:
    person = Subscriber.objects.create(
        email=email or f"lettore{next(_counter)}@example.com", status=status
    )
    subscription = Subscription.objects.create(subscriber=person, newsletter=newsletter)
    if topics:
        subscription.topics.set(topics)
    return person


def subscribers(newsletter: Newsletter, count: int, prefix: str = "lettore") -> list[Subscriber]:
    run = next(_counter)
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{run}-{i}@example.com", status=SubscriberStatus.ACTIVE)
        for i in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=person, newsletter=newsletter) for person in people
    )
    return people


def approved_issue(newsletter: Newsletter, *, news_count: int = 1, **news_fields):
    """Publish `news_count` news items, assemble the next issue and approve it."""
    from newsletter import assembly, sending

    for _ in range(news_count):
        factories.news(**news_fields)
    issue = assembly.assemble(newsletter).issue
    sending.approve(issue)
    return issue
