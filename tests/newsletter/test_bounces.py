"""Bounces and complaints arriving through django-anymail's Postmark tracking webhook."""

from __future__ import annotations

import base64
import json

import pytest

from newsletter.models import Subscriber, SubscriberStatus
from newsletter.suppression import is_suppressed
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")
AUTH = "Basic " + base64.b64encode(b"webhook:test-secret").decode()
URL = "/anymail/postmark/tracking/"


def bounce(kind: str, email: str = "anna@example.org") -> dict:
    # Shape of a real Postmark bounce webhook (https://postmarkapp.com/developer/webhooks/bounce-webhook).
    return {
        "RecordType": "Bounce", "ID": 4323372036854775807, "Type": kind, "TypeCode": 1,
        "Name": kind, "Tag": "", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message.", "Details": "",
        "Email": email, "From": "notizie@example.org", "BouncedAt": "2026-11-25T10:00:00Z",
        "DumpAvailable": False, "Inactive": True, "CanActivate": True, "Subject": "Numero 1",
        "ServerID": 1, "MessageStream": "broadcast", "Content": "", "Metadata": {},
    }  # fmt: skip


def complaint(email: str = "anna@example.org") -> dict:
    return {**bounce("SpamComplaint", email), "RecordType": "SpamComplaint"}


def deliver(client, payload, auth=AUTH):
    return client.post(
        URL, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth
    )


@pytest.mark.django_db
def test_a_hard_bounce_suppresses_the_address(client, weekly):
    subscriber(weekly, "anna@example.org")

    response = deliver(client, bounce("HardBounce"))

    assert response.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.BOUNCED
    assert is_suppressed("anna@example.org")


@pytest.mark.django_db
def test_a_complaint_suppresses_the_address(client, weekly):
    subscriber(weekly, "anna@example.org")

    deliver(client, complaint())

    assert Subscriber.objects.get().status == SubscriberStatus.COMPLAINED
    assert is_suppressed("anna@example.org")


@pytest.mark.django_db
def test_soft_bounces_are_counted_and_suppress_only_at_the_limit(client, weekly, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 3
    subscriber(weekly, "anna@example.org")

    deliver(client, bounce("SoftBounce"))
    deliver(client, bounce("SoftBounce"))
    after_two = (Subscriber.objects.get().status, is_suppressed("anna@example.org"))
    deliver(client, bounce("SoftBounce"))

    assert after_two == (SubscriberStatus.ACTIVE, False)
    person = Subscriber.objects.get()
    assert (person.soft_bounce_count, person.status) == (3, SubscriberStatus.BOUNCED)
    assert is_suppressed("anna@example.org")


@pytest.mark.django_db
def test_a_webhook_without_the_secret_is_refused(client, weekly):
    subscriber(weekly, "anna@example.org")

    response = deliver(
        client, bounce("HardBounce"), auth="Basic " + base64.b64encode(b"x:y").decode()
    )

    assert response.status_code == 401
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE


def send_mailto_unsubscribe(client, headers: dict[str, str]):
    """Answer a List-Unsubscribe mailto as a mail client would: the provider posts it to us."""
    mailto = headers["List-Unsubscribe"].split("<mailto:")[1]
    subject = mailto.split("?subject=")[1].rstrip(">").replace("%20", " ")
    # Shape of a Postmark inbound webhook (https://postmarkapp.com/developer/webhooks/inbound-webhook).
    payload = {
        "FromFull": {"Email": "anna@example.org", "Name": ""}, "ToFull": [{"Email": "x@y", "Name": ""}],
        "Subject": subject, "MessageID": "a8c1040e-db1c-4e18-ac79-bc5f64c7ce2c",
        "TextBody": "", "HtmlBody": "", "Headers": [], "Attachments": [],
    }  # fmt: skip
    return client.post(
        "/anymail/postmark/inbound/", json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=AUTH,
    )  # fmt: skip


@pytest.mark.django_db
def test_an_email_to_the_mailto_unsubscribe_address_unsubscribes(client, weekly):
    from newsletter.emails import list_unsubscribe_headers

    person = subscriber(weekly, "anna@example.org")
    response = send_mailto_unsubscribe(client, list_unsubscribe_headers(person))

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == SubscriberStatus.UNSUBSCRIBED


@pytest.mark.django_db
def test_a_mailto_unsubscribe_ends_only_the_newsletter_whose_email_it_answers(client, weekly):
    from newsletter.emails import list_unsubscribe_headers
    from newsletter.models import Subscription
    from tests.newsletter.builders import newsletter

    other = newsletter(name="Cultura e territorio")
    person = subscriber(weekly, "anna@example.org")
    Subscription.objects.create(subscriber=person, newsletter=other)
    response = send_mailto_unsubscribe(client, list_unsubscribe_headers(person, weekly))

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == SubscriberStatus.ACTIVE
    assert [s.newsletter for s in person.subscriptions.all()] == [other]
