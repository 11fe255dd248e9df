"""A translated page links the translations of its entities, and no page links
entities of another language."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Page

from cms.models import Mission, MissionDelegate, NewsPage, Organisation, Person, Place, Topic
from tests import factories
from tests.cms.admin_forms import PUBLISH, chosen, news_form_data

pytestmark = pytest.mark.django_db


def organisation(name: str, language: str = "it", **fields) -> Organisation:
    from django.utils.text import slugify

    return Organisation.objects.create(
        name=name,
        slug=slugify(name),
        kind="institution",
        locale=factories.locale(language),
        **fields,
    )


def english_topic_for(topic: Topic, name: str) -> Topic:
    english = topic.copy_for_translation(factories.locale("en"))
    english.name = name
    english.save()
    return english


@pytest.fixture
def linked_story():
    """An Italian story linking a topic (already translated), an organisation, a
    person of that organisation, a place and a mission (none of them translated)."""
    it = factories.locale("it")
    innovazione = factories.topic("Innovazione")
    region = organisation("Regione Toscana")
    person = Person.objects.create(
        name="Eugenio Giani", slug="eugenio-giani", locale=it, organisation=region
    )
    place = Place.objects.create(name="Firenze", slug="firenze", country="Italia", locale=it)
    mission = Mission(
        name="Missione in California",
        slug="california",
        locale=it,
        start_date=date(2023, 12, 9),
        end_date=date(2023, 12, 12),
        destination=place,
    )
    mission.organisations_met = [region]
    mission.delegates = [MissionDelegate(person=person, role="presidente")]
    mission.save()
    story = factories.news(title="Accordo firmato", topics=[innovazione], mission=mission)
    story.organisations.set([region])
    story.people.set([person])
    story.places.set([place])
    story.save_revision().publish()
    factories.site_tree("en")
    innovation = english_topic_for(innovazione, "Innovation")
    return story, innovation


def translate_in_the_admin(client, page: Page) -> NewsPage:
    """Translate through simple_translation's own view, as an editor clicking «Traduci»."""
    english = factories.locale("en")
    response = client.post(
        reverse("simple_translation:submit_page_translation", args=(page.pk,)),
        {"locales": [english.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return NewsPage.objects.get(translation_key=page.translation_key, locale=english)


def test_a_translated_page_links_the_existing_english_topic(admin_client, linked_story):
    story, innovation = linked_story

    english = translate_in_the_admin(admin_client, story)

    assert list(english.topics.all()) == [innovation]


def test_a_translated_page_links_new_english_translations_of_untranslated_entities(
    admin_client, linked_story
):
    story, _ = linked_story

    english = translate_in_the_admin(admin_client, story)

    for field in ("organisations", "people", "places"):
        (original,) = getattr(story, field).all()
        (linked,) = getattr(english, field).all()
        assert linked.locale.language_code == "en", field
        assert linked.translation_key == original.translation_key, field
        assert linked.slug == original.slug, field
    assert english.mission.locale.language_code == "en"
    assert english.mission.translation_key == story.mission.translation_key


def test_new_translations_link_english_entities_in_turn(admin_client, linked_story):
    story, _ = linked_story

    english = translate_in_the_admin(admin_client, story)

    person = english.people.get()
    mission = english.mission
    assert person.organisation.locale.language_code == "en"
    assert mission.destination.locale.language_code == "en"
    assert {o.locale.language_code for o in mission.organisations_met.all()} == {"en"}
    assert [d.person.locale.language_code for d in mission.delegates.all()] == ["en"]
    # One English organisation, shared by the page, the person and the mission.
    assert Organisation.objects.filter(locale__language_code="en").count() == 1


def test_the_draft_an_editor_opens_links_english_entities(admin_client, linked_story):
    story, innovation = linked_story

    english = translate_in_the_admin(admin_client, story)

    draft = english.get_latest_revision_as_object()
    assert list(draft.topics.all()) == [innovation]
    assert draft.mission.locale.language_code == "en"
    assert {p.locale.language_code for p in draft.places.all()} == {"en"}


def test_the_english_topic_counts_the_published_english_page(admin_client, linked_story):
    story, innovation = linked_story
    english = translate_in_the_admin(admin_client, story)
    english.save_revision().publish()

    response = admin_client.get("/api/v2/topics/", {"locale": "en", "fields": "news_count"})

    (item,) = [i for i in response.json()["items"] if i["id"] == innovation.pk]
    assert item["news_count"] == 1


def test_a_translation_whose_slug_is_taken_in_english_gets_a_free_slug(admin_client):
    region = organisation("Regione Toscana")
    organisation("Regione Toscana", language="en", description="Another one")
    story = factories.news(title="Accordo firmato")
    story.organisations.set([region])
    story.save_revision().publish()
    factories.site_tree("en")

    english = translate_in_the_admin(admin_client, story)

    linked = english.organisations.get()
    assert linked.translation_key == region.translation_key
    assert linked.slug == "regione-toscana-2"


# --- Refusing links to another language ------------------------------------------------


def edit_url(page: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def english_story(innovation: Topic) -> NewsPage:
    index = factories.site_tree("en")
    return factories.news(index, title="Agreement signed", topics=[innovation])


def english_form_data(page: NewsPage, topics: list[Topic] = (), **overrides) -> dict:
    # The topics chooser posts one row per chosen topic, as a browser does.
    existing = list(page.topic_links.all())
    return news_form_data(
        title=page.title,
        slug=page.slug,
        topic_links=chosen("topic", topics, existing),
        **overrides,
    )


def row_errors(response, relation: str, field: str) -> list[str]:
    formset = response.context["form"].formsets[relation]
    return [str(error) for form in formset.forms for error in form.errors.get(field, [])]


@pytest.mark.parametrize("action", [{}, PUBLISH], ids=["save", "publish"])
def test_the_admin_refuses_an_italian_topic_on_an_english_page(admin_client, action):
    innovazione = factories.topic("Innovazione")
    innovation = english_topic_for(innovazione, "Innovation")
    page = english_story(innovation)
    revisions = page.revisions.count()

    response = admin_client.post(
        edit_url(page), {**english_form_data(page, topics=[innovazione]), **action}
    )

    assert response.status_code == 200
    errors = row_errors(response, "topic_links", "topic")
    assert errors and "«Innovazione» è in Italiano" in errors[0]
    page.refresh_from_db()
    assert page.revisions.count() == revisions
    assert list(page.topics.all()) == [innovation]
    assert list(page.get_latest_revision_as_object().topics.all()) == [innovation]


def test_the_admin_refuses_an_italian_mission_on_an_english_page(admin_client):
    innovation = english_topic_for(factories.topic("Innovazione"), "Innovation")
    page = english_story(innovation)
    mission = Mission.objects.create(
        name="Missione",
        slug="missione",
        locale=factories.locale("it"),
        start_date=date(2024, 1, 1),
        end_date=date(2024, 1, 2),
    )

    response = admin_client.post(
        edit_url(page),
        {**english_form_data(page, [innovation], mission=str(mission.pk)), **PUBLISH},
    )

    assert response.status_code == 200
    assert "mission" in response.context["form"].errors
    page.refresh_from_db()
    assert page.mission_id is None


def test_the_admin_saves_english_links_on_an_english_page(admin_client):
    innovazione = factories.topic("Innovazione")
    innovation = english_topic_for(innovazione, "Innovation")
    page = english_story(innovation)

    response = admin_client.post(
        edit_url(page), {**english_form_data(page, topics=[innovation]), **PUBLISH}
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert list(page.topics.all()) == [innovation]


def test_the_topic_chooser_opens_in_the_page_language(admin_client):
    innovazione = factories.topic("Innovazione")
    innovation = english_topic_for(innovazione, "Innovation")
    page = english_story(innovation)

    response = admin_client.get(edit_url(page))
    # Wagtail's choosers send the edited content's locale as ?locale=…
    assert '"ACTIVE_CONTENT_LOCALE": "en"' in response.content.decode()
    chooser = reverse("wagtailsnippetchoosers_cms_topic:choose")
    listing = admin_client.get(chooser, {"locale": "en"}).content.decode()

    assert "Innovation" in listing
    assert "Innovazione" not in listing


def test_publishing_in_code_a_page_linked_to_another_language_is_refused():
    innovazione = factories.topic("Innovazione")
    page = english_story(english_topic_for(innovazione, "Innovation"))
    page.topics.set([innovazione])

    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish()

    assert "topics" in refused.value.message_dict


def test_a_person_in_english_cannot_belong_to_an_italian_organisation():
    region = organisation("Regione Toscana")
    person = Person(
        name="Eugenio Giani",
        slug="eugenio-giani",
        locale=factories.locale("en"),
        organisation=region,
    )

    with pytest.raises(ValidationError) as refused:
        person.full_clean()

    assert "organisation" in refused.value.message_dict


def test_choosing_the_same_topic_twice_is_refused(admin_client):
    innovation = english_topic_for(factories.topic("Innovazione"), "Innovation")
    page = english_story(innovation)

    response = admin_client.post(
        edit_url(page), {**english_form_data(page, topics=[innovation, innovation]), **PUBLISH}
    )

    assert response.status_code == 200
    formset = response.context["form"].formsets["topic_links"]
    messages = row_errors(response, "topic_links", "topic") + list(formset.non_form_errors())
    assert "Il tema «Innovation» è già collegato alla notizia." in messages
    assert list(page.topics.all()) == [innovation]


@pytest.mark.parametrize("model", ["topic", "organisation", "person", "place", "mission"])
def test_searching_a_chooser_within_one_language_works(admin_client, model):
    # The chooser opens with ?locale=…; a search then filters on locale_id.
    factories.topic("Innovazione")
    chooser = reverse(f"wagtailsnippetchoosers_cms_{model}:choose_results")

    response = admin_client.get(chooser, {"locale": "it", "q": "Inno"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["topic", "organisation", "person", "place", "mission"])
def test_a_chooser_opened_in_english_offers_no_other_language(admin_client, model):
    # Wagtail's own language filter would offer «All» and Italian beside English.
    factories.locale("it")
    english = factories.locale("en")

    response = admin_client.get(
        reverse(f"wagtailsnippetchoosers_cms_{model}:choose"), {"locale": "en"}
    )

    assert response.status_code == 200
    offered = list(response.context["filter_form"].fields["locale"].choices)
    assert offered == [("en", english.get_display_name())]
