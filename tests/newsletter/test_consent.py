"""Double opt-in: the confirmation link, its cooldown and expiry, and the preferences page."""

from __future__ import annotations

import json
import re

import pytest
from django.core import signing

from newsletter import gdpr, subscriptions
from newsletter.models import ConsentRecord, Subscriber, SubscriberStatus
from newsletter.subscriptions import RequestInfo, Selection
from newsletter.tokens import make_token
from tests import factories
from tests.newsletter.builders import newsletter, subscriber
from tests.newsletter.consent_support import link_in

pytestmark = pytest.mark.services("postgres", "redis")
WHO = RequestInfo(source="api")


def ask(email="anna@example.org", newsletter_=None, topics=()):
    subscriptions.subscribe(email, Selection({newsletter_.pk: [t.pk for t in topics]}), "it", WHO)


@pytest.mark.django_db
def test_confirm_get_shows_a_button_and_changes_nothing(client, weekly, eager_tasks, smtp_server):
    with eager_tasks():
        ask(newsletter_=weekly)
    url = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")

    response = client.get(url)

    assert response.status_code == 200
    assert b'<button type="submit">' in response.content
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert not ConsentRecord.objects.filter(action="confirm").exists()


@pytest.mark.django_db
def test_confirm_post_activates_the_subscriber_on_the_requested_newsletter(
    client, weekly, eager_tasks, smtp_server
):
    startup = factories.topic("Startup")
    with eager_tasks():
        ask(newsletter_=weekly, topics=[startup])
    url = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")

    response = client.post(url)

    assert response.status_code == 200
    person = Subscriber.objects.get()
    assert person.status == SubscriberStatus.ACTIVE and person.confirmed_at
    [subscription] = person.subscriptions.all()
    assert subscription.newsletter == weekly
    assert list(subscription.topics.all()) == [startup]
    assert ConsentRecord.objects.filter(subscriber=person, action="confirm").count() == 1


@pytest.mark.django_db
def test_an_expired_confirmation_link_is_refused(client, weekly):
    person = Subscriber.objects.create(email="late@example.org")
    token = signing.dumps(
        {"s": person.pk, "n": {str(weekly.pk): []}}, salt="newsletter.confirm", compress=True
    )
    import time
    from unittest import mock

    with mock.patch("time.time", return_value=time.time() + 8 * 86400):
        response = client.post(f"/newsletter/confirm/{token}/")

    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.mark.django_db
def test_a_token_for_another_purpose_cannot_confirm(client, weekly):
    person = Subscriber.objects.create(email="x@example.org")

    response = client.post(f"/newsletter/confirm/{make_token(person, 'unsubscribe')}/")

    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.mark.django_db
def test_asking_again_within_the_cooldown_sends_no_second_email(weekly, eager_tasks, smtp_server):
    with eager_tasks():
        ask(newsletter_=weekly)
        ask(newsletter_=weekly)

    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1
    assert ConsentRecord.objects.filter(action="subscribe").count() == 2


@pytest.mark.django_db
def test_confirmation_emails_per_address_are_rate_limited(
    weekly, eager_tasks, smtp_server, settings
):
    settings.NEWSLETTER_CONFIRMATION_COOLDOWN = 0
    settings.NEWSLETTER_RATE_LIMITS = {
        **settings.NEWSLETTER_RATE_LIMITS,
        "confirmation_per_address": "2/86400",
    }
    with eager_tasks():
        for _ in range(4):
            ask(newsletter_=weekly)

    smtp_server.wait_for(2)
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_the_confirmation_email_headers_carry_no_injected_lines(weekly, eager_tasks, smtp_server):
    weekly.sender_name = "Notizie\r\nBcc: victim@example.org"
    weekly.save()
    with eager_tasks():
        ask(newsletter_=weekly)

    [message] = smtp_server.wait_for(1)
    assert "Bcc" not in message
    assert smtp_server.recipients() == ["anna@example.org"]


@pytest.mark.django_db
def test_the_form_honeypot_looks_accepted_but_stores_nothing(client, weekly):
    response = client.post(
        "/newsletter/subscribe/",
        {
            "email": "bot@example.org",
            "newsletters": ["innovazione"],
            "consent": "on",
            "website": "http://spam",
        },
    )

    assert response.status_code == 200
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_form_shows_field_errors_and_stores_nothing(client, weekly):
    response = client.post(
        "/newsletter/subscribe/", {"email": "nope", "newsletters": ["innovazione"]}
    )

    assert response.status_code == 400
    assert "Inserisci un indirizzo email valido." in response.content.decode()
    assert "Serve il tuo consenso." in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_form_answers_alike_for_new_and_existing_addresses(client, weekly):
    subscriber(weekly, "old@example.org")
    data = {"newsletters": ["innovazione"], "consent": "on"}

    new = client.post("/newsletter/subscribe/", {**data, "email": "new@example.org"})
    old = client.post("/newsletter/subscribe/", {**data, "email": "old@example.org"})

    assert (new.status_code, new.content) == (old.status_code, old.content)


@pytest.mark.django_db
def test_the_form_may_be_framed_by_the_sites_in_settings(client, weekly, settings):
    settings.NEWSLETTER_FORM_FRAME_ANCESTORS = ["https://partner.example.org"]

    response = client.get("/newsletter/subscribe/")

    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == "frame-ancestors https://partner.example.org"


@pytest.mark.django_db
def test_preferences_change_newsletters_topics_and_language(client, weekly):
    other = newsletter(slug="monthly", language="en")
    innovation = factories.topic("Innovation", language="en")
    person = subscriber(weekly, "anna@example.org")
    url = f"/newsletter/preferences/{make_token(person, 'preferences')}/"

    response = client.post(
        url, {"newsletters": ["monthly"], "topics": ["innovation"], "locale": "en"}
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.locale == "en"
    [subscription] = person.subscriptions.all()
    assert subscription.newsletter == other
    assert list(subscription.topics.all()) == [innovation]
    assert ConsentRecord.objects.filter(subscriber=person, action="preferences").exists()


@pytest.mark.django_db
def test_preferences_can_unsubscribe_from_everything(client, weekly):
    person = subscriber(weekly, "anna@example.org")
    url = f"/newsletter/preferences/{make_token(person, 'preferences')}/"

    client.post(url, {"unsubscribe_all": "1", "locale": "it"})

    person.refresh_from_db()
    assert person.status == SubscriberStatus.UNSUBSCRIBED
    assert not person.subscriptions.exists()


@pytest.mark.django_db
def test_the_export_lists_consent_history(weekly):
    person = subscriber(weekly, "anna@example.org")
    subscriptions.unsubscribe(person, WHO)

    data = json.loads(json.dumps(gdpr.export(person)))

    assert data["subscriber"]["email"] == "anna@example.org"
    assert [r["action"] for r in data["consent_records"]] == ["unsubscribe"]


@pytest.mark.django_db
def test_the_preferences_get_shows_the_current_choices_and_changes_nothing(client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = client.get(f"/newsletter/preferences/{make_token(person, 'preferences')}/")

    assert response.status_code == 200
    assert re.search(rb'<input[^>]*value="innovazione"[^>]*checked', response.content)
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_link_stops_working_once_the_address_is_suppressed(
    client, weekly, eager_tasks, smtp_server
):
    from newsletter.suppression import suppress

    with eager_tasks():
        ask(newsletter_=weekly)
    url = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")
    suppress("anna@example.org", "complaint")

    response = client.post(url)

    assert response.status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.mark.django_db
def test_without_a_stated_locale_the_newsletter_language_is_used(client, weekly, eager_tasks):
    english = newsletter(slug="monthly", language="en")

    with eager_tasks():
        client.post(
            "/api/v2/subscriptions/",
            json.dumps({"email": "jo@example.org", "newsletters": [english.slug], "consent": True}),
            content_type="application/json",
        )

    assert Subscriber.objects.get().locale == "en"
