"""Forged provider webhooks: nobody but our email provider can report a bounce or a complaint.

Seen on c88be13: an unauthenticated Postmark SpamComplaint to /anymail/postmark/tracking/ got a
200 and suppressed the address for good; so did /anymail/sendgrid/tracking/, a provider we do
not use. Test settings play a deployment that sends through Postmark (EMAIL_ESP = "postmark").
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import importlib
import json

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from newsletter.models import ConsentRecord, Subscriber, SubscriberStatus, Suppression
from newsletter.suppression import is_suppressed
from tests.newsletter.builders import subscriber
from tests.newsletter.test_bounces import complaint

pytestmark = pytest.mark.services("postgres", "redis")
GOOD_AUTH = "Basic " + base64.b64encode(b"webhook:test-secret").decode()
WRONG_AUTH = "Basic " + base64.b64encode(b"webhook:guessed").decode()
# Every provider anymail knows, except the one we send through.
OTHER_PROVIDERS = [
    "amazon_ses", "brevo", "mailersend", "mailgun", "mailjet", "mailtrap", "mandrill", "postal",
    "resend", "sendgrid", "sendinblue", "sparkpost", "unisender_go",
]  # fmt: skip


def post(client, url: str, payload: dict, auth: str | None):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(url, json.dumps(payload), content_type="application/json", **headers)


def nothing_changed(person: Subscriber) -> bool:
    person.refresh_from_db()
    return (
        person.status == SubscriberStatus.ACTIVE
        and person.soft_bounce_count == 0
        and not is_suppressed(person.email)
        and not Suppression.objects.exists()
        and not ConsentRecord.objects.filter(subscriber=person).exists()
    )


@contextlib.contextmanager
def urls_built_with(**overrides):
    """config.urls decides its routes at import: rebuild them under these settings."""
    import config.urls

    try:
        with override_settings(**overrides):
            clear_url_caches()
            importlib.reload(config.urls)
            yield
    finally:
        clear_url_caches()
        importlib.reload(config.urls)


@pytest.mark.django_db
def test_a_complaint_without_credentials_is_refused_and_changes_nothing(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = post(client, "/anymail/postmark/tracking/", complaint(), auth=None)

    assert response.status_code == 401
    assert nothing_changed(person)


@pytest.mark.django_db
def test_a_complaint_with_wrong_credentials_is_refused_and_changes_nothing(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = post(client, "/anymail/postmark/tracking/", complaint(), auth=WRONG_AUTH)

    assert response.status_code == 401
    assert nothing_changed(person)


@pytest.mark.django_db
def test_the_configured_provider_with_the_secret_is_still_heard(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = post(client, "/anymail/postmark/tracking/", complaint(), auth=GOOD_AUTH)

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == SubscriberStatus.COMPLAINED


@pytest.mark.parametrize("provider", OTHER_PROVIDERS)
@pytest.mark.parametrize("kind", ["tracking", "inbound"])
@pytest.mark.django_db
def test_a_provider_we_do_not_use_answers_404(client, weekly, provider, kind):
    person = subscriber(weekly, "anna@example.org")

    response = post(client, f"/anymail/{provider}/{kind}/", complaint(), auth=GOOD_AUTH)

    assert response.status_code == 404
    assert nothing_changed(person)


@pytest.mark.django_db
def test_sending_by_smtp_mounts_no_provider_webhook(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    with urls_built_with(EMAIL_ESP=""):
        response = post(client, "/anymail/postmark/tracking/", complaint(), auth=GOOD_AUTH)

    assert response.status_code == 404
    assert nothing_changed(person)


@pytest.mark.django_db
def test_a_provider_without_a_webhook_secret_mounts_nothing(client, weekly):
    """Development with an ESP but no secret: anymail would only warn; we do not listen."""
    person = subscriber(weekly, "anna@example.org")

    with urls_built_with(EMAIL_ESP="postmark", ANYMAIL={}):
        response = post(client, "/anymail/postmark/tracking/", complaint(), auth=None)

    assert response.status_code == 404
    assert nothing_changed(person)


def mailgun_complaint(signing_key: str, email: str = "anna@example.org") -> dict:
    timestamp, token = "1764496800", "a" * 50
    signature = hmac.new(
        signing_key.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "complained", "timestamp": 1764496800.0, "id": "-Agny091SquKnsrW2NEKUA",
            "recipient": email, "message": {"headers": {"message-id": "x@example.org"}},
        },
    }  # fmt: skip


@pytest.mark.django_db
def test_a_wrongly_signed_mailgun_complaint_is_refused_and_changes_nothing(client, weekly):
    person = subscriber(weekly, "anna@example.org")
    anymail = {"WEBHOOK_SECRET": "webhook:test-secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "real-key"}

    with urls_built_with(EMAIL_ESP="mailgun", ANYMAIL=anymail):
        forged = post(
            client, "/anymail/mailgun/tracking/", mailgun_complaint("guessed-key"), GOOD_AUTH
        )
        unchanged = nothing_changed(person)
        genuine = post(
            client, "/anymail/mailgun/tracking/", mailgun_complaint("real-key"), GOOD_AUTH
        )

    assert forged.status_code == 401
    assert unchanged
    assert genuine.status_code == 200  # the same request, rightly signed, is heard
    person.refresh_from_db()
    assert person.status == SubscriberStatus.COMPLAINED
