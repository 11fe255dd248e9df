"""Unsubscribing from the newsletter an email came from, from everything, and the way back."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from newsletter import stops, subscriptions, tokens
from newsletter.models import (
    ConsentAction,
    ConsentRecord,
    Delivery,
    DeliveryState,
    Issue,
    SubscriberStatus,
    Subscription,
)
from newsletter.subscriptions import Selection
from newsletter.suppression import suppress
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def two_newsletters():
    return (
        builders.newsletter(name="Innovazione in Toscana"),
        builders.newsletter(name="Cultura e territorio"),
    )


def on_both(newsletters, email="giulia@example.org", topics=()):
    """A subscriber of both newsletters, narrowed to `topics` on the first."""
    first, second = newsletters
    person = builders.subscriber(first, email, topics=topics)
    Subscription.objects.create(subscriber=person, newsletter=second)
    return person


def one_click(url: str):
    """What a mailbox provider sends (RFC 8058): no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def page_action(url: str, action: str):
    return Client(enforce_csrf_checks=True).post(url, {"action": action})


def newsletters_of(person) -> set[str]:
    return set(person.subscriptions.values_list("newsletter__slug", flat=True))


def test_one_click_from_a_digest_ends_only_that_newsletter(
    two_newsletters, smtp_settings, smtp_server
):
    first, second = two_newsletters
    person = on_both(two_newsletters)
    send_all(builders.approved_issue(first))
    [message] = smtp_server.wait_for(1)
    header_url = re.match(r"\s*<([^>]+)>", message["List-Unsubscribe"]).group(1)

    response = one_click(header_url)

    assert response.status_code == 200
    person.refresh_from_db()
    assert newsletters_of(person) == {second.slug}
    assert person.status == SubscriberStatus.ACTIVE and person.unsubscribed_at is None
    [record] = ConsentRecord.objects.filter(subscriber=person, action=ConsentAction.UNSUBSCRIBE)
    assert record.newsletters == [first.slug]


def test_the_footer_link_of_a_digest_names_its_newsletter_too(
    two_newsletters, smtp_settings, smtp_server
):
    first, second = two_newsletters
    person = on_both(two_newsletters)
    send_all(builders.approved_issue(second))
    [message] = smtp_server.wait_for(1)
    html = message.get_body(preferencelist=("html",)).get_content()
    footer_url = re.search(r'href="([^"]*/newsletter/unsubscribe/[^"]+)"', html).group(1)

    one_click(footer_url)

    person.refresh_from_db()
    assert newsletters_of(person) == {first.slug}


def test_unsubscribing_from_the_last_newsletter_makes_the_subscriber_unsubscribed_today(
    two_newsletters,
):
    first, second = two_newsletters
    person = on_both(two_newsletters)

    for newsletter in (first, second):
        one_click(tokens.unsubscribe_url(person, newsletter.pk))

    person.refresh_from_db()
    assert newsletters_of(person) == set()
    assert person.status == SubscriberStatus.UNSUBSCRIBED
    assert person.unsubscribed_at.date() == timezone.now().date()


def test_unsubscribe_from_everything_on_the_page_ends_every_subscription(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters)
    url = tokens.unsubscribe_url(person, first.pk)
    one_click(url)

    response = page_action(url, "everything")

    assert response.status_code == 200
    person.refresh_from_db()
    assert newsletters_of(person) == set()
    assert person.status == SubscriberStatus.UNSUBSCRIBED


def test_the_page_after_one_newsletter_offers_everything_preferences_and_resubscribe(
    two_newsletters,
):
    first, _second = two_newsletters
    person = on_both(two_newsletters)

    html = one_click(tokens.unsubscribe_url(person, first.pk)).content.decode()

    assert 'value="everything"' in html
    assert 'value="resubscribe"' in html
    assert "/newsletter/preferences/" in html
    assert "Innovazione in Toscana" in html


def test_an_older_token_without_a_newsletter_still_ends_every_subscription(two_newsletters):
    person = on_both(two_newsletters)
    old_token = tokens.make_token(person, "unsubscribe")  # as emails carried before

    response = one_click(f"/newsletter/unsubscribe/{old_token}/")

    assert response.status_code == 200
    person.refresh_from_db()
    assert newsletters_of(person) == set()
    assert person.status == SubscriberStatus.UNSUBSCRIBED


@pytest.mark.parametrize("forged", ['"3"', "true", "[1]", "1.5"])
def test_a_token_whose_newsletter_is_not_an_integer_is_refused(two_newsletters, forged):
    person = on_both(two_newsletters)
    token = signing.dumps({"s": person.pk, "n": json.loads(forged)}, salt="newsletter.unsubscribe")

    response = one_click(f"/newsletter/unsubscribe/{token}/")

    assert response.status_code == 400
    person.refresh_from_db()
    assert person.subscriptions.count() == 2


def test_an_unknown_action_is_refused_and_changes_nothing(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters)

    response = page_action(tokens.unsubscribe_url(person, first.pk), "x" * 5000)

    assert response.status_code == 400
    assert person.subscriptions.count() == 2


def test_resubscribe_restores_the_subscription_and_its_topics_and_records_consent(
    two_newsletters,
):
    first, _second = two_newsletters
    startup = factories.topic("Startup")
    person = on_both(two_newsletters, topics=[startup])
    url = tokens.unsubscribe_url(person, first.pk)
    one_click(url)

    response = page_action(url, "resubscribe")

    assert response.status_code == 200
    person.refresh_from_db()
    restored = person.subscriptions.get(newsletter=first)
    assert list(restored.topics.all()) == [startup]
    assert person.status == SubscriberStatus.ACTIVE
    [record] = ConsentRecord.objects.filter(subscriber=person, action=ConsentAction.RESUBSCRIBE)
    assert record.newsletters == [first.slug]
    assert record.source == "email"


def test_resubscribe_after_everything_brings_the_subscriber_back_to_active(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters)
    url = tokens.unsubscribe_url(person, first.pk)
    page_action(url, "everything")

    page_action(url, "resubscribe")

    person.refresh_from_db()
    assert person.status == SubscriberStatus.ACTIVE and person.unsubscribed_at is None
    assert newsletters_of(person) == {first.slug}  # the newsletter the link came from


def test_resubscribe_after_the_window_is_refused_and_points_to_the_form(two_newsletters, settings):
    settings.NEWSLETTER_RESUBSCRIBE_DAYS = 30
    first, second = two_newsletters
    person = on_both(two_newsletters)
    url = tokens.unsubscribe_url(person, first.pk)
    one_click(url)
    later = timezone.now() + timedelta(days=31)

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = page_action(url, "resubscribe")

    assert response.status_code == 409
    assert b"/newsletter/subscribe/?newsletter=" in response.content
    assert newsletters_of(person) == {second.slug}
    assert not ConsentRecord.objects.filter(action=ConsentAction.RESUBSCRIBE).exists()


def test_resubscribe_is_refused_for_a_suppressed_address(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters)
    url = tokens.unsubscribe_url(person, first.pk)
    one_click(url)
    suppress(person.email, "complaint")

    response = page_action(url, "resubscribe")

    assert response.status_code == 409
    assert not person.subscriptions.filter(newsletter=first).exists()


def test_resubscribe_cannot_add_a_newsletter_that_was_never_left(two_newsletters):
    first, second = two_newsletters
    person = builders.subscriber(first, "giulia@example.org")
    url = tokens.unsubscribe_url(person, second.pk)  # validly signed, but never subscribed

    response = page_action(url, "resubscribe")

    assert response.status_code == 409
    assert newsletters_of(person) == {first.slug}


def test_resubscribing_twice_restores_once(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters)
    url = tokens.unsubscribe_url(person, first.pk)
    one_click(url)

    page_action(url, "resubscribe")
    page_action(url, "resubscribe")

    assert ConsentRecord.objects.filter(action=ConsentAction.RESUBSCRIBE).count() == 1
    assert person.subscriptions.filter(newsletter=first).count() == 1


def test_the_unsubscribe_page_shows_the_address_masked_never_in_full(two_newsletters):
    first, _second = two_newsletters
    person = on_both(two_newsletters, email="giulia.rossi@example.org")
    url = tokens.unsubscribe_url(person, first.pk)

    pages = [Client().get(url), one_click(url)]

    for response in pages:
        html = response.content.decode()
        assert "g•••@example.org" in html
        assert "giulia" not in html


def test_the_preferences_page_shows_the_address_masked_never_in_full(client, two_newsletters):
    person = on_both(two_newsletters, email="giulia.rossi@example.org")

    html = client.get(tokens.preferences_url(person)).content.decode()

    assert "g•••@example.org" in html
    assert "giulia" not in html


# The stop path: a per-newsletter unsubscribe stops that newsletter's deliveries only.


def issue_of(newsletter, number=1) -> Issue:
    now = timezone.now()
    return Issue.objects.create(
        newsletter=newsletter, number=number, subject="N", window_start=now, window_end=now
    )


def test_a_per_newsletter_unsubscribe_skips_only_that_newsletters_pending_deliveries(
    two_newsletters,
):
    first, second = two_newsletters
    person = on_both(two_newsletters)
    leaving = Delivery.objects.create(issue=issue_of(first), subscriber=person)
    staying = Delivery.objects.create(issue=issue_of(second), subscriber=person)

    subscriptions.unsubscribe_from(person, first.pk, subscriptions.RequestInfo(source="email"))

    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert (leaving.state, staying.state) == (DeliveryState.SKIPPED, DeliveryState.PENDING)


def test_a_per_newsletter_unsubscribe_marks_only_that_newsletters_batches_in_flight(
    two_newsletters,
):
    first, second = two_newsletters
    person = on_both(two_newsletters)
    issues = issue_of(first), issue_of(second)
    for issue in issues:
        Delivery.objects.create(issue=issue, subscriber=person, state=DeliveryState.SENDING)
    cache.clear()

    subscriptions.unsubscribe_from(person, first.pk, subscriptions.RequestInfo(source="email"))

    assert stops.stopped_among(issues[0].pk, [person.pk]) == {person.pk}
    assert stops.stopped_among(issues[1].pk, [person.pk]) == set()


def test_leaving_a_newsletter_on_the_preferences_page_stops_its_batch_in_flight(two_newsletters):
    first, second = two_newsletters
    person = on_both(two_newsletters)
    issues = issue_of(first), issue_of(second)
    for issue in issues:
        Delivery.objects.create(issue=issue, subscriber=person, state=DeliveryState.SENDING)
    cache.clear()

    subscriptions.update_preferences(
        person, Selection({second.pk: []}), "it", subscriptions.RequestInfo(source="email")
    )

    assert stops.stopped_among(issues[0].pk, [person.pk]) == {person.pk}
    assert stops.stopped_among(issues[1].pk, [person.pk]) == set()
    assert newsletters_of(person) == {second.slug}
