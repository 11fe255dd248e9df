"""A newsletter's topics are topics of its own language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def form_data(newsletter, topics) -> dict:
    return {
        "name": newsletter.name,
        "slug": newsletter.slug,
        "locale": str(newsletter.locale_id),
        "description": "",
        "intro": "",
        "topics": [str(topic.pk) for topic in topics],
        "is_public": "on",
        "is_active": "on",
        "cadence": "weekly",
        "send_weekday": "1",
        "send_day_of_month": "1",
        "send_time": "09:00",
        "max_items": "10",
        "lookback_days": "",
        "sender_name": newsletter.sender_name,
        "sender_email": newsletter.sender_email,
        "reply_to": "",
        "postal_address": newsletter.postal_address,
    }


@pytest.fixture
def topics():
    italian = factories.topic("Innovazione")
    english = italian.copy_for_translation(factories.locale("en"))
    english.name = "Innovation"
    english.save()
    return italian, english


def edit_url(newsletter) -> str:
    return reverse("newsletters:edit", args=(newsletter.pk,))


def test_an_english_newsletter_refuses_an_italian_topic(admin_client, topics):
    italian, _english = topics
    monthly = builders.newsletter(name="Monthly", language="en")

    response = admin_client.post(edit_url(monthly), form_data(monthly, [italian]))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "«Innovazione» è in Italiano" in errors["topics"][0]
    assert not monthly.topics.exists()


def test_an_english_newsletter_keeps_an_english_topic(admin_client, topics):
    _italian, english = topics
    monthly = builders.newsletter(name="Monthly", language="en")

    response = admin_client.post(edit_url(monthly), form_data(monthly, [english]))

    assert response.status_code == 302
    assert list(monthly.topics.all()) == [english]


def test_the_newsletter_form_offers_topics_of_its_language_only(admin_client, topics):
    italian, english = topics
    monthly = builders.newsletter(name="Monthly", language="en")

    response = admin_client.get(edit_url(monthly))

    offered = {
        getattr(value, "value", value)
        for value, _label in response.context["form"].fields["topics"].widget.choices
    }
    assert english.pk in offered
    assert italian.pk not in offered
