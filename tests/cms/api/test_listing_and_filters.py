"""The pages listing: Wagtail's parameters plus the news filters, in any combination."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.cms.api.conftest import mission, organisation, person, place

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def on(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(day + "T10:00"))


def titles(api, query: str) -> list[str]:
    response = api.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def newsroom():
    index = factories.site_tree()
    economia, turismo = factories.topic("Economia"), factories.topic("Turismo")
    regione = organisation()
    marras = person(org=regione)
    houston = place()
    texas = mission(destination=houston)
    first = factories.news(
        index, title="Prima", topics=[economia], publication_date=on("2024-05-01")
    )
    second = factories.news(
        index,
        title="Seconda",
        topics=[economia, turismo],
        publication_date=on("2024-05-20"),
        mission=texas,
    )
    third = factories.news(
        index, title="Terza", topics=[turismo], publication_date=on("2024-06-02")
    )
    second.organisations.set([regione])
    second.people.set([marras])
    second.places.set([houston])
    second.save_revision().publish()
    third.organisations.set([regione])
    third.save_revision().publish()
    return {"index": index, "economia": economia, "texas": texas, "pages": (first, second, third)}


def test_news_are_listed_newest_first_by_default(api, newsroom):
    assert titles(api, "type=cms.NewsPage") == ["Terza", "Seconda", "Prima"]


def test_topic_filter_accepts_a_slug(api, newsroom):
    assert titles(api, "topic=economia") == ["Seconda", "Prima"]


def test_topic_filter_accepts_an_id(api, newsroom):
    assert titles(api, f"topic={newsroom['economia'].id}") == ["Seconda", "Prima"]


def test_organisation_person_and_place_filters_accept_slugs(api, newsroom):
    assert titles(api, "organisation=regione-toscana") == ["Terza", "Seconda"]
    assert titles(api, "person=leonardo-marras") == ["Seconda"]
    assert titles(api, "place=houston") == ["Seconda"]


def test_mission_filter_accepts_a_slug_or_an_id(api, newsroom):
    assert titles(api, "mission=missione-in-texas") == ["Seconda"]
    assert titles(api, f"mission={newsroom['texas'].id}") == ["Seconda"]


def test_published_after_and_before_bound_an_inclusive_date_range(api, newsroom):
    assert titles(api, "published_after=2024-05-20&published_before=2024-06-02") == [
        "Terza",
        "Seconda",
    ]


def test_filters_combine(api, newsroom):
    assert titles(
        api, "topic=turismo&organisation=regione-toscana&published_before=2024-05-31"
    ) == ["Seconda"]


def test_an_unknown_slug_matches_nothing(api, newsroom):
    assert titles(api, "topic=nessuno") == []


def test_child_of_limit_offset_and_order_work_as_in_wagtail(api, newsroom):
    index = newsroom["index"]
    assert titles(api, f"child_of={index.id}&order=title&limit=2&offset=1") == ["Seconda", "Terza"]


def test_search_combines_with_the_news_filters(api, newsroom):
    assert titles(api, "search=Seconda&topic=economia") == ["Seconda"]


def test_locale_filter_keeps_one_language(api, newsroom):
    factories.site_tree("en")
    english = newsroom["pages"][0].copy_for_translation(factories.locale("en"))
    english.save_revision().publish()
    response = api.get("/api/v2/pages/?type=cms.NewsPage&locale=en")
    assert [item["id"] for item in response.json()["items"]] == [english.id]


def test_translation_of_finds_the_translations(api, newsroom):
    factories.site_tree("en")
    english = newsroom["pages"][0].copy_for_translation(factories.locale("en"))
    english.save_revision().publish()
    response = api.get(f"/api/v2/pages/?translation_of={newsroom['pages'][0].id}")
    assert [item["id"] for item in response.json()["items"]] == [english.id]


def test_find_by_html_path_redirects_to_the_detail(api, newsroom):
    page = newsroom["pages"][0]
    response = api.get(f"/api/v2/pages/find/?html_path={page.url}")
    assert response.status_code == 302
    assert f"/api/v2/pages/{page.id}/" in response["Location"]


def test_listing_items_carry_the_card_fields_by_default(api, newsroom):
    item = api.get("/api/v2/pages/?type=cms.NewsPage&limit=1").json()["items"][0]
    assert {"standfirst", "publication_date", "hero", "topics"} <= set(item)
    assert item["meta"]["locale"] == "it"
    assert item["meta"]["html_url"].startswith("https://notizie.example.org/")
