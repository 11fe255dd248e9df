"""RSS 2.0, Atom (RFC 4287) and JSON Feed 1.1 stay valid, one language per feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from django.core.cache import cache
from django.test import Client

from cms.links import page_html_url
from cms.models import NewsPage
from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

ATOM = "{http://www.w3.org/2005/Atom}"
JSON_FEED_SCHEMA = json.loads(
    (Path(__file__).parent / "feeds_schema" / "schema-v1.1.json").read_text()
)


@pytest.fixture(autouse=True)
def two_languages(settings):
    settings.SITE_URL = "https://notizie.example.org"
    cache.clear()
    italian = factories.news(title="Una notizia")
    factories.news(title="Un'altra notizia")
    factories.site_tree("en")
    english = italian.copy_for_translation(factories.locale("en"))
    english.title = "A story"
    english.save_revision().publish()
    yield
    cache.clear()


def get(path: str):
    response = Client().get(path)
    assert response.status_code == 200, response.content
    return response


def assert_valid_atom(root: ET.Element) -> list[ET.Element]:
    """RFC 4287 §4.1.1–4.1.2: the elements a feed and each entry must carry."""
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, f"feed without {name}"
    feed_author = root.find(f"{ATOM}author")
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), f"entry without {name}"
        author = entry.find(f"{ATOM}author") or feed_author
        assert author is not None and (author.findtext(f"{ATOM}name") or "").strip(), (
            "an entry without an author, and no feed-level author (RFC 4287 §4.1.1)"
        )
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        has_content = entry.find(f"{ATOM}content") is not None
        assert alternates or has_content, "entry without content or link rel=alternate"
        assert alternates, "entry without link rel=alternate"
    return entries


def assert_valid_rss(root: ET.Element) -> list[ET.Element]:
    """RSS 2.0: channel title, link, description; each item a title or a description."""
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel without {name}"
    items = channel.findall("item")
    assert items
    for item in items:
        assert item.findtext("title") or item.findtext("description")
    return items


@pytest.mark.parametrize("locale", ["", "?locale=it", "?locale=en"])
def test_atom_has_every_element_rfc_4287_requires(locale):
    assert_valid_atom(ET.fromstring(get("/feeds/news.atom" + locale).content))


@pytest.mark.parametrize("locale", ["", "?locale=it", "?locale=en"])
def test_rss_has_every_element_rss_2_requires(locale):
    assert_valid_rss(ET.fromstring(get("/feeds/news.rss" + locale).content))


@pytest.mark.parametrize("locale", ["", "?locale=it", "?locale=en"])
def test_json_feed_validates_against_the_json_feed_1_1_schema(locale):
    feed = get("/feeds/news.json" + locale).json()
    jsonschema.validate(
        feed, JSON_FEED_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert feed["items"]


def test_a_feed_without_locale_carries_the_default_language_only():
    feed = get("/feeds/news.json").json()
    assert feed["language"] == "it"
    assert {item["language"] for item in feed["items"]} == {"it"}
    assert sorted(item["title"] for item in feed["items"]) == ["Un'altra notizia", "Una notizia"]
    rss = ET.fromstring(get("/feeds/news.rss").content)
    assert rss.find("channel").findtext("language") == "it"
    assert len(rss.findall("channel/item")) == 2


def test_an_english_feed_carries_english_only_and_links_the_english_home():
    feed = get("/feeds/news.json?locale=en").json()
    assert feed["language"] == "en"
    assert [item["title"] for item in feed["items"]] == ["A story"]
    assert feed["home_page_url"] == "https://notizie.example.org/en/"
    assert feed["items"][0]["url"].startswith("https://notizie.example.org/en/")


@pytest.mark.parametrize("feed", ["news.rss", "news.atom", "news.json"])
def test_an_unknown_locale_is_a_400(feed):
    response = Client().get(f"/feeds/{feed}?locale=de")
    assert response.status_code == 400
    assert response.json()["parameter"] == "locale"


def test_atom_entries_published_within_one_second_keep_distinct_updated():
    # RFC 4287 dates are RFC 3339 date-times, which may carry fractional seconds:
    # the feed gives each entry its page's own last publication, microseconds included.
    first, second = NewsPage.objects.live().filter(locale__language_code="it").order_by("pk")[:2]
    same_second = datetime(2026, 11, 30, 10, 0, 0, tzinfo=UTC)
    for page, microsecond in ((first, 250_000), (second, 750_001)):
        NewsPage.objects.filter(pk=page.pk).update(
            last_published_at=same_second.replace(microsecond=microsecond)
        )
    cache.clear()

    root = ET.fromstring(get("/feeds/news.atom").content)

    updated = {
        entry.find(f"{ATOM}link").get("href"): datetime.fromisoformat(
            entry.findtext(f"{ATOM}updated")
        )
        for entry in root.findall(f"{ATOM}entry")
    }
    for page in (first, second):
        page.refresh_from_db()
        assert updated[page_html_url(page)] == page.last_published_at
    assert len(set(updated.values())) == len(updated) == 2
