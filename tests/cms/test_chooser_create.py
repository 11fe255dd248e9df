"""*Crea* in an entity chooser makes the entity in the language the chooser was opened
with (the page's), refuses a slug already used there on the form, and lists the new
entity as chosen."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cms.models import Organisation, Person, Place, Topic
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = {
    "topic": (Topic, {"name": "Agritech"}),
    "organisation": (Organisation, {"name": "AgriSense", "kind": "company"}),
    "person": (Person, {"name": "Leonardo Marras", "role": "assessore"}),
    "place": (Place, {"name": "Grosseto", "country": "Italia"}),
}


def chooser_url(model: str, view: str) -> str:
    return reverse(f"wagtailsnippetchoosers_cms_{model}:{view}")


@pytest.fixture(autouse=True)
def locales():
    factories.locale("it")
    factories.locale("en")


@pytest.mark.parametrize("model", list(MODELS))
def test_the_chooser_offers_a_creation_form_that_keeps_the_pages_language(admin_client, model):
    response = admin_client.get(chooser_url(model, "choose"), {"locale": "en", "multiple": "1"})

    html = json.loads(response.content)["html"]
    assert response.status_code == 200
    assert 'name="name"' in html
    assert chooser_url(model, "create") in html
    assert "locale=en" in html.split(chooser_url(model, "create"), 1)[1][:60]


@pytest.mark.parametrize("model", list(MODELS))
def test_creating_from_an_english_pages_chooser_makes_an_english_entity(admin_client, model):
    cls, data = MODELS[model]

    response = admin_client.post(chooser_url(model, "create") + "?locale=en", data)

    payload = json.loads(response.content)
    assert payload["step"] == "chosen", payload
    entity = cls.objects.get(name=data["name"])
    assert entity.locale.language_code == "en"
    assert entity.slug
    assert str(payload["result"]["id"]) == str(entity.pk)


def test_creating_a_topic_whose_slug_is_taken_in_that_language_is_refused_on_the_form(
    admin_client,
):
    factories.topic("Agritech", language="en")

    response = admin_client.post(
        chooser_url("topic", "create") + "?locale=en", {"name": "Agritech"}
    )

    payload = json.loads(response.content)
    assert response.status_code == 200
    assert payload["step"] == "reshow_creation_form"
    assert Topic.objects.filter(name="Agritech").count() == 1


def test_the_same_slug_in_another_language_is_accepted(admin_client):
    factories.topic("Agritech", language="it")

    response = admin_client.post(
        chooser_url("topic", "create") + "?locale=en", {"name": "Agritech"}
    )

    assert json.loads(response.content)["step"] == "chosen"
    assert Topic.objects.get(name="Agritech", locale__language_code="en")
