"""English editions stay linked to the Italian originals (pages and snippets)."""

from __future__ import annotations

import pytest

from cms.models import Mission, Organisation, Topic
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_english_edition_of_a_news_page_shares_its_translation_key():
    story = factories.news(title="Accordo firmato")
    factories.site_tree("en")
    english = story.copy_for_translation(factories.locale("en"))

    assert english.translation_key == story.translation_key
    assert english.locale.language_code == "en"
    assert story.get_translation(factories.locale("en")).pk == english.pk


def test_the_english_edition_lives_under_the_english_news_index():
    story = factories.news(title="Accordo firmato")
    english_index = factories.site_tree("en")
    english = story.copy_for_translation(factories.locale("en"))

    assert english.get_parent().pk == english_index.pk


def test_a_translated_topic_shares_its_translation_key():
    topic = factories.topic("Innovazione")
    english = topic.copy_for_translation(factories.locale("en"))
    english.name = "Innovation"
    english.save()

    assert Topic.objects.get(locale__language_code="en").translation_key == topic.translation_key
    assert topic.get_translation(factories.locale("en")).name == "Innovation"


def test_a_translated_organisation_keeps_its_slug_in_the_other_locale():
    it = factories.locale("it")
    organisation = Organisation.objects.create(
        name="Regione Toscana", slug="regione-toscana", kind="institution", locale=it
    )
    english = organisation.copy_for_translation(factories.locale("en"))
    english.name = "Region of Tuscany"
    english.save()

    assert english.slug == "regione-toscana"
    assert english.translation_key == organisation.translation_key


def test_a_translated_mission_copies_its_delegation():
    from datetime import date

    from cms.models import MissionDelegate, Person

    it = factories.locale("it")
    person = Person.objects.create(name="Antonio Mazzeo", slug="antonio-mazzeo", locale=it)
    mission = Mission(
        name="Missione in California",
        slug="california",
        locale=it,
        start_date=date(2023, 12, 9),
        end_date=date(2023, 12, 12),
    )
    mission.delegates = [MissionDelegate(person=person, role="presidente")]
    mission.save()

    english = mission.copy_for_translation(factories.locale("en"))
    english.save()

    assert english.translation_key == mission.translation_key
    assert [d.role for d in english.delegates.all()] == ["presidente"]


def test_the_admin_offers_to_translate_a_news_page(admin_client):
    from django.urls import reverse

    story = factories.news(title="Accordo firmato")
    factories.site_tree("en")

    response = admin_client.get(
        reverse("simple_translation:submit_page_translation", args=(story.pk,))
    )

    english = factories.locale("en")
    assert response.status_code == 200
    assert f'value="{english.pk}"' in response.content.decode()
