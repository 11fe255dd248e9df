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


def newsletter_form_data(newsletter: Newsletter, topics=(), **changes) -> dict:
    """What the admin's newsletter form posts: its fields and one chooser row per topic."""
    data = {
        "name": newsletter.name,
        "slug": newsletter.slug,
        "locale": str(newsletter.locale_id),
        "description": "",
        "intro": "",
        "is_public": "on",
        "is_active": "on",
        "cadence": newsletter.cadence,
        "send_weekday": str(newsletter.send_weekday),
        "send_day_of_month": str(newsletter.send_day_of_month),
        "send_time": "09:00",
        "max_items": "10",
        "lookback_days": "",
        "sender_name": newsletter.sender_name,
        "sender_email": newsletter.sender_email,
        "reply_to": "",
        "postal_address": newsletter.postal_address,
        "topic_links-TOTAL_FORMS": str(len(topics)),
        "topic_links-INITIAL_FORMS": "0",
        "topic_links-MIN_NUM_FORMS": "0",
        "topic_links-MAX_NUM_FORMS": "1000",
    }
    for index, topic in enumerate(topics):
        data[f"topic_links-{index}-topic"] = str(topic.pk)
        data[f"topic_links-{index}-ORDER"] = str(index + 1)
        data[f"topic_links-{index}-id"] = ""
        data[f"topic_links-{index}-DELETE"] = ""
    data.update(changes)
    return data
