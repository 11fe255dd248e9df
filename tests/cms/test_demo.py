"""`manage.py load_demo` builds the demo site once, however often it runs."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import Page, Revision, Site

from cms.demo import REFERENCE_SLUG
from cms.links import page_html_url
from cms.models import Mission, NewsIndexPage, NewsPage, Organisation, Person, Place, Topic

pytestmark = pytest.mark.django_db

COUNTED = (Page, Revision, Image, Topic, Organisation, Person, Place, Mission)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module, inside a transaction rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), DEMO_LOADERS=["cms.demo.load"]),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def reference_story(language: str = "it") -> NewsPage:
    return NewsPage.objects.get(slug=REFERENCE_SLUG, locale__language_code=language)


def test_running_load_demo_twice_creates_nothing_new(demo):
    before = {model.__name__: model.objects.count() for model in COUNTED}

    call_command("load_demo", stdout=io.StringIO())

    after = {model.__name__: model.objects.count() for model in COUNTED}
    assert after == before


def test_the_home_page_is_the_default_site_root_with_a_news_index(demo):
    home = Site.objects.get(is_default_site=True).root_page.specific

    assert type(home).__name__ == "HomePage"
    assert NewsIndexPage.objects.child_of(home).get().title == "Notizie"


def test_the_reference_story_keeps_its_real_date(demo):
    published = timezone.localtime(reference_story().publication_date)

    assert published.date() == date(2023, 12, 12)


def test_the_english_edition_is_linked_to_the_italian_story(demo):
    italian, english = reference_story("it"), reference_story("en")

    assert english.translation_key == italian.translation_key
    assert english.live
    assert english.mission.translation_key == italian.mission.translation_key


def test_the_reference_mission_carries_delegation_budget_agreement_and_outcomes(demo):
    mission = reference_story().mission

    assert [d.person.name for d in mission.delegates.all()] == [
        "Leonardo Marras",
        "Antonio Mazzeo",
        "Valentina Mercanti",
        "Gabriele Veneri",
    ]
    assert mission.budget_amount == Decimal("130000.00") and mission.budget_currency == "EUR"
    assert "B2B" in mission.budget_purpose
    assert mission.agreements.get().signed_on == date(2023, 12, 12)
    assert "Siena" in mission.outcomes


def test_the_organisations_met_carry_their_kinds(demo):
    met = {o.name: o.kind for o in reference_story().mission.organisations_met.all()}

    assert met["Berkeley SkyDeck"] == "accelerator"
    assert met["Stanford University"] == "university"
    assert met["Bosch"] == "company"
    assert met["Dorian Therapeutics"] == "startup"
    assert {"Meta", "Nvidia", "University of California, Berkeley"} <= set(met)


def test_the_reference_story_uses_every_block_type(demo):
    body = reference_story().body
    types = {block.block_type for block in body}
    figures = [b.value["value"] for b in body if b.block_type == "key_figure"]
    link = next(b.value for b in body if b.block_type == "related_link")

    assert {"paragraph", "heading", "image", "quote", "key_figure", "related_link"} <= types
    assert "130.000 €" in figures
    assert "intoscana.it" in link["url"]


def test_the_reference_story_is_in_the_innovation_section_with_alt_text(demo):
    story = reference_story()

    assert [t.name for t in story.topics.all()] == ["Innovazione"]
    assert story.hero_image is not None and story.hero_alt


def test_at_least_fifteen_more_items_are_dated_over_recent_weeks(demo):
    recent = NewsPage.objects.live().filter(
        locale__language_code="it",
        publication_date__gte=timezone.now() - timedelta(weeks=8),
    )

    assert recent.count() >= 15
    assert recent.values("topics").distinct().count() >= 4


@pytest.mark.parametrize("language", ["it", "en"])
def test_no_two_entries_of_the_demo_atom_feed_share_updated(demo, language):
    # The W3C validator warns when entries share atom:updated; each must still be
    # the page's real last publication, not a made-up tie-breaker.
    cache.clear()
    response = Client().get("/feeds/news.atom", {"locale": language})
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(response.content).findall(f"{atom}entry")
    pages = {
        page_html_url(page): page
        for page in NewsPage.objects.live().filter(locale__language_code=language)
    }

    updated = [entry.findtext(f"{atom}updated") for entry in entries]
    assert entries and len(set(updated)) == len(updated), updated
    for entry, stamp in zip(entries, updated, strict=True):
        page = pages[entry.find(f"{atom}link[@rel='alternate']").get("href")]
        assert datetime.fromisoformat(stamp) == page.last_published_at, page.title


def test_every_demo_image_has_alt_text(demo):
    assert Image.objects.count() >= 16
    assert not Image.objects.filter(description="").exists()


def test_every_demo_image_knows_its_real_size(demo):
    # The loader gives each card its size up front, sparing one decode of the PNG;
    # the size recorded must still be the file's own.
    image = Image.objects.get(title="Casa Toscana, San Francisco")

    with image.get_willow_image() as willow:
        assert (image.width, image.height) == willow.get_size() == (1600, 900)


def test_the_demo_news_is_found_by_full_text_search(demo):
    # The loader indexes in bulk at its end (search_index_in_bulk), not at each save.
    found = {(p.slug, p.locale.language_code) for p in NewsPage.objects.live().search("Dorian")}

    assert found == {(REFERENCE_SLUG, "it"), (REFERENCE_SLUG, "en")}


def test_after_the_load_a_saved_page_is_indexed_at_once_again(demo):
    story = reference_story()
    story.title = "Zanzibarite a Siena"
    story.save()

    assert [p.pk for p in NewsPage.objects.search("Zanzibarite")] == [story.pk]


def test_a_loader_whose_module_does_not_exist_is_skipped_with_a_note(settings):
    settings.DEMO_LOADERS = ["nonexistent_app.demo.load"]
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "Skipping nonexistent_app.demo.load" in out.getvalue()
