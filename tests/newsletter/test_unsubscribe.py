"""RFC 8058 one-click unsubscribe: raw POSTs without cookies, both encodings, repeated."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from newsletter import emails, subscriptions
from newsletter.models import ConsentRecord, Delivery, DeliveryState, Issue, SubscriberStatus
from newsletter.tokens import make_token
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")


def url_for(person) -> str:
    return f"/newsletter/unsubscribe/{make_token(person, 'unsubscribe')}/"


def one_click(url: str, multipart: bool):
    client = Client(enforce_csrf_checks=True)  # and no cookies at all
    if multipart:
        return client.post(url, {"List-Unsubscribe": "One-Click"})
    return client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.django_db
def test_a_cookieless_one_click_post_unsubscribes_and_repeating_it_is_harmless(weekly, multipart):
    person = subscriber(weekly, "anna@example.org")
    url = url_for(person)

    first, second = one_click(url, multipart), one_click(url, multipart)

    assert (first.status_code, second.status_code) == (200, 200)
    assert not first.has_header("Location")
    person.refresh_from_db()
    assert person.status == SubscriberStatus.UNSUBSCRIBED
    assert ConsentRecord.objects.filter(subscriber=person, action="unsubscribe").count() == 1


@pytest.mark.django_db
def test_the_unsubscribe_get_shows_a_button_and_changes_nothing(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = client.get(url_for(person))

    assert response.status_code == 200
    assert b"<button" in response.content
    person.refresh_from_db()
    assert person.status == SubscriberStatus.ACTIVE
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_unsubscribing_skips_every_pending_delivery_but_keeps_sent_ones(weekly):
    person = subscriber(weekly, "anna@example.org")
    now = timezone.now()
    issues = [
        Issue.objects.create(
            newsletter=weekly, number=n, subject=f"N{n}", window_start=now, window_end=now
        )
        for n in (1, 2)
    ]
    pending = Delivery.objects.create(issue=issues[0], subscriber=person)
    sent = Delivery.objects.create(issue=issues[1], subscriber=person, state=DeliveryState.SENT)

    subscriptions.unsubscribe(person, subscriptions.RequestInfo(source="email"))

    pending.refresh_from_db()
    sent.refresh_from_db()
    assert (pending.state, sent.state) == (DeliveryState.SKIPPED, DeliveryState.SENT)


@pytest.mark.django_db
def test_a_tampered_token_is_refused_with_400(weekly):
    person = subscriber(weekly, "anna@example.org")

    response = one_click(
        url_for(person).replace("/unsubscribe/", "/unsubscribe/x"), multipart=False
    )

    assert response.status_code == 400
    person.refresh_from_db()
    assert person.status == SubscriberStatus.ACTIVE


@pytest.mark.django_db
def test_list_unsubscribe_headers_name_the_url_and_a_mailto_with_the_token(weekly, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@example.org"
    person = subscriber(weekly, "anna+x@example.org")

    headers = emails.list_unsubscribe_headers(person)

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url_part, mailto_part = headers["List-Unsubscribe"].split(", ")
    assert url_part.startswith("<http") and "/newsletter/unsubscribe/" in url_part
    assert mailto_part.startswith("<mailto:unsubscribe@example.org?subject=unsubscribe%20")
    assert "anna" not in headers["List-Unsubscribe"]
    assert "\r" not in headers["List-Unsubscribe"] and "\n" not in headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_the_link_pages_cannot_be_framed(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = client.get(url_for(person))

    assert response["X-Frame-Options"] == "DENY"
