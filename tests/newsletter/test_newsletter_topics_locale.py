"""A newsletter's topics: picked with the searchable topic chooser, in the
newsletter's own language, ordered, each at most once."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from newsletter.models import Newsletter
from tests import factories
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def topics():
    italian = factories.topic("Innovazione")
    english = italian.copy_for_translation(factories.locale("en"))
    english.name = "Innovation"
    english.save()
    return italian, english


def edit_url(newsletter) -> str:
    return reverse("newsletters:edit", args=(newsletter.pk,))


def row_errors(response) -> list[str]:
    formset = response.context["form"].formsets["topic_links"]
    return [str(error) for form in formset.forms for error in form.errors.get("topic", [])]


def test_an_english_newsletter_refuses_an_italian_topic(admin_client, topics):
    italian, _english = topics
    monthly = builders.newsletter(name="Monthly", language="en")

    response = admin_client.post(
        edit_url(monthly), builders.newsletter_form_data(monthly, [italian])
    )

    assert response.status_code == 200
    assert "«Innovazione» è in Italiano" in row_errors(response)[0]
    assert not monthly.topics.exists()


def test_changing_the_language_refuses_the_topics_of_the_old_one(admin_client, topics):
    italian, _english = topics
    weekly = builders.newsletter(name="Settimanale")
    weekly.topics.set([italian])

    english = factories.locale("en")
    response = admin_client.post(
        edit_url(weekly),
        builders.newsletter_form_data(weekly, [italian], locale=str(english.pk)),
    )

    assert response.status_code == 200
    assert "«Innovazione» è in Italiano" in row_errors(response)[0]
    weekly.refresh_from_db()
    assert weekly.locale.language_code == "it"


def test_topics_are_kept_in_the_order_they_were_chosen(admin_client):
    weekly = builders.newsletter(name="Settimanale")
    chosen = [factories.topic(name) for name in ("Ricerca", "Bandi", "Innovazione")]

    response = admin_client.post(edit_url(weekly), builders.newsletter_form_data(weekly, chosen))

    assert response.status_code == 302
    links = weekly.topic_links.order_by("sort_order")
    assert [link.topic.name for link in links] == ["Ricerca", "Bandi", "Innovazione"]
    assert set(weekly.topics.all()) == set(chosen)


def test_a_topic_chosen_twice_is_refused_on_its_row(admin_client):
    weekly = builders.newsletter(name="Settimanale")
    topic = factories.topic("Innovazione")

    response = admin_client.post(
        edit_url(weekly), builders.newsletter_form_data(weekly, [topic, topic])
    )

    assert response.status_code == 200
    assert row_errors(response) == ["Il tema «Innovazione» è già nella newsletter."]
    assert not weekly.topics.exists()


def test_a_new_newsletter_gets_its_topics(admin_client, topics):
    _italian, english = topics
    template = builders.newsletter(name="Monthly", language="en")
    data = builders.newsletter_form_data(template, [english], name="Second", slug="second")

    response = admin_client.post(reverse("newsletters:add"), data)

    assert response.status_code == 302
    assert list(Newsletter.objects.get(slug="second").topics.all()) == [english]


def test_the_topic_chooser_opens_in_the_newsletters_language(admin_client, topics):
    monthly = builders.newsletter(name="Monthly", language="en")

    html = admin_client.get(edit_url(monthly)).content.decode()

    config = re.search(r'<script id="wagtail-config" type="application/json">(.*?)</script>', html)
    assert json.loads(config.group(1))["ACTIVE_CONTENT_LOCALE"] == "en"
    assert 'data-locale-codes="' in html  # the script follows the language field
    new = admin_client.get(reverse("newsletters:add")).content.decode()
    config = re.search(r'<script id="wagtail-config" type="application/json">(.*?)</script>', new)
    assert json.loads(config.group(1))["ACTIVE_CONTENT_LOCALE"] == "it"


def test_the_chooser_offers_topics_of_the_language_it_is_opened_in(admin_client, topics):
    italian, english = topics

    html = admin_client.get("/admin/snippets/choose/cms/topic/", {"locale": "en"}).json()["html"]

    assert "Innovation" in html
    assert "Innovazione" not in html
