"""The public newsletters list and the JSON subscription endpoint."""

from __future__ import annotations

import json

import pytest

from newsletter.models import ConsentRecord, ConsentSource, Subscriber, SubscriberStatus
from tests import factories
from tests.newsletter.builders import newsletter
from tests.newsletter.consent_support import nothing_stored

pytestmark = pytest.mark.services("postgres", "redis")
URL = "/api/v2/subscriptions/"


def post(client, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def valid(**overrides):
    return {"email": "anna@example.org", "newsletters": ["innovazione"], "locale": "it",
            "consent": True, "source": "homepage", **overrides}  # fmt: skip


@pytest.mark.django_db
def test_newsletter_list_describes_public_newsletters_with_cadence_in_their_language(client):
    topic = factories.topic("Startup")
    weekly = newsletter(slug="innovazione", description="Le notizie della settimana.")
    weekly.topics.add(topic)
    newsletter(slug="monthly", language="en", cadence="monthly", send_day_of_month=1)
    newsletter(slug="hidden", is_public=False)

    items = {item["slug"]: item for item in client.get("/api/v2/newsletters/").json()["items"]}

    assert set(items) == {"innovazione", "monthly"}
    assert items["innovazione"]["cadence_in_words"] == "ogni lunedì alle 09:00"
    assert items["innovazione"]["topics"] == [{"slug": "startup", "name": "Startup"}]
    assert items["innovazione"]["locale"] == "it"
    assert items["monthly"]["cadence_in_words"] == "on day 1 of every month at 09:00"


@pytest.mark.django_db
def test_subscribing_creates_a_pending_subscriber_and_a_consent_record(client, weekly, eager_tasks):
    with eager_tasks():
        response = post(client, valid(), HTTP_USER_AGENT="Test/1.0", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 202
    subscriber = Subscriber.objects.get(email="anna@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    record = ConsentRecord.objects.get(subscriber=subscriber)
    assert (record.action, record.source, record.origin) == (
        "subscribe",
        ConsentSource.API,
        "homepage",
    )
    assert record.newsletters == ["innovazione"]
    assert record.user_agent == "Test/1.0"
    assert record.ip_hash and "203.0.113.9" not in record.ip_hash
    assert record.privacy_notice_version


@pytest.mark.django_db
def test_subscribing_sends_a_localised_confirmation_email_and_keeps_it(
    client, weekly, eager_tasks, smtp_server
):
    with eager_tasks():
        post(client, valid(locale="en"))

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Confirm your subscription"
    assert "/newsletter/confirm/" in message.get_body(preferencelist=("plain",)).get_content()
    record = ConsentRecord.objects.get(action="subscribe")
    assert "Confirm your subscription" in record.confirmation_email
    assert "/newsletter/confirm/" in record.confirmation_email


@pytest.mark.django_db
def test_the_response_is_identical_for_a_new_and_an_existing_address(client, weekly):
    first = post(client, valid(email="new@example.org"))
    Subscriber.objects.create(email="old@example.org", status=SubscriberStatus.ACTIVE)
    second = post(client, valid(email="old@example.org"))

    assert (first.status_code, first.content) == (second.status_code, second.content)


@pytest.mark.django_db
def test_a_suppressed_address_gets_the_same_response_and_no_email(
    client, weekly, eager_tasks, smtp_server
):
    from newsletter.suppression import suppress

    suppress("blocked@example.org", "complaint")
    with eager_tasks():
        normal = post(client, valid(email="someone@example.org"))
        blocked = post(client, valid(email="blocked@example.org"))

    assert (blocked.status_code, blocked.content) == (normal.status_code, normal.content)
    smtp_server.wait_for(1)
    assert smtp_server.recipients() == ["someone@example.org"]
    assert not Subscriber.objects.filter(email="blocked@example.org").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "__all__"),
        ("[1, 2]", "__all__"),
        (valid(consent=False), "consent"),
        ({k: v for k, v in valid().items() if k != "consent"}, "consent"),
        (valid(consent="yes"), "consent"),
        (valid(newsletters=["nonexistent"]), "newsletters"),
        (valid(newsletters="innovazione"), "newsletters"),
        (valid(newsletters=[]), "newsletters"),
        (valid(email="not-an-address"), "email"),
        (valid(email="a" * 250 + "@example.org"), "email"),
        (valid(email="anna@example.org\r\nBcc: victim@example.org"), "email"),
        (valid(source="x" * 5000), "source"),
        (valid(topics=["unknown-topic"]), "topics"),
        (valid(locale="xx"), "locale"),
        ("null", "__all__"),
        (valid(email=None), "email"),
        (valid(newsletters=[{"slug": "innovazione"}]), "newsletters"),
        (valid(topics="startup"), "topics"),
    ],
    ids=["malformed-json", "not-an-object", "consent-false", "consent-missing", "consent-not-boolean",
         "unknown-newsletter", "newsletters-not-a-list", "no-newsletter", "invalid-email",
         "oversized-email", "crlf-in-email", "oversized-source", "unknown-topic", "unknown-locale",
         "null-body", "null-email", "newsletter-object", "topics-not-a-list"],
)  # fmt: skip
@pytest.mark.django_db
def test_bad_input_gets_400_naming_the_field_and_stores_nothing(client, weekly, body, field):
    response = post(client, body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert nothing_stored()


@pytest.mark.django_db
def test_an_oversized_body_is_refused_without_storing_anything(client, weekly):
    response = post(client, valid(source="x" * 20_000))

    assert response.status_code == 413
    assert "__all__" in response.json()["errors"]
    assert nothing_stored()


@pytest.mark.django_db
def test_the_endpoint_needs_no_csrf_token(weekly):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), valid())

    assert response.status_code == 202


@pytest.mark.django_db
def test_a_cors_preflight_from_an_allowed_origin_is_answered(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]

    response = client.options(
        URL,
        HTTP_ORIGIN="https://partner.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://partner.example.org"
    assert "content-type" in response["Access-Control-Allow-Headers"]


@pytest.mark.django_db
def test_a_preflight_from_an_unknown_origin_gets_no_cors_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]

    response = client.options(
        URL, HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_too_many_requests_from_one_ip_get_429(client, weekly, settings, eager_tasks):
    settings.NEWSLETTER_RATE_LIMITS = {
        **settings.NEWSLETTER_RATE_LIMITS,
        "subscribe_per_ip": "2/3600",
    }

    with eager_tasks():
        statuses = [post(client, valid(email=f"p{i}@example.org")).status_code for i in range(3)]

    assert statuses == [202, 202, 429]
    assert Subscriber.objects.count() == 2


@pytest.mark.django_db
def test_too_many_requests_for_one_address_are_answered_alike_but_ignored(
    client, weekly, settings, eager_tasks
):
    settings.NEWSLETTER_RATE_LIMITS = {
        **settings.NEWSLETTER_RATE_LIMITS, "subscribe_per_address": "2/86400"
    }  # fmt: skip

    with eager_tasks():
        responses = [post(client, valid()) for _ in range(3)]

    assert len({(r.status_code, r.content) for r in responses}) == 1
    assert ConsentRecord.objects.filter(action="subscribe").count() == 2
