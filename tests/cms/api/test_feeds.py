"""RSS 2.0, Atom and JSON Feed 1.1 with full, valid HTML content."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture
def feed_news():
    economia = factories.topic("Economia")
    factories.topic("Turismo")
    tricky = factories.news(
        title='Accordi & "intese" <Texas>',
        topics=[economia],
        body=[
            ("paragraph", "<p>Una <b>storia</b> con \x0b un carattere vietato & un'altra.</p>"),
            ("quote", {"text": "Un <ponte>", "attribution": "Marras", "role": ""}),
        ],
    )
    other = factories.news(title="Altro tema", topics=[factories.topic("Turismo")])
    return tricky, other


def test_rss_is_valid_xml_with_full_html_content(api, feed_news):
    response = api.get("/feeds/news.rss")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    tricky = next(item for item in items if item.findtext("title").startswith("Accordi"))
    assert tricky.findtext("title") == 'Accordi & "intese" <Texas>'
    content = tricky.findtext(CONTENT)
    assert "<b>storia</b>" in content
    assert "&lt;ponte&gt;" in content
    assert "\x0b" not in content


def test_atom_is_valid_xml_with_html_content(api, feed_news):
    response = api.get("/feeds/news.atom")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    content = entries[-1].find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<b>storia</b>" in content.text


def test_json_feed_follows_version_1_1(api, feed_news):
    response = api.get("/feeds/news.json")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    item = next(item for item in feed["items"] if item["title"].startswith("Accordi"))
    assert item["url"].startswith("https://notizie.example.org/")
    assert "<b>storia</b>" in item["content_html"]
    assert item["tags"] == ["Economia"]


def test_feeds_filter_by_topic(api, feed_news):
    feed = api.get("/feeds/news.json?topic=turismo").json()
    assert [item["title"] for item in feed["items"]] == ["Altro tema"]


def test_feeds_filter_by_locale(api, feed_news):
    factories.site_tree("en")
    english = feed_news[1].copy_for_translation(factories.locale("en"))
    english.title = "Another topic"
    english.save_revision().publish()
    feed = api.get("/feeds/news.json?locale=en").json()
    assert [item["title"] for item in feed["items"]] == ["Another topic"]
    assert feed["language"] == "en"


def test_feeds_never_carry_drafts(api, feed_news):
    factories.news(title="Bozza segreta", publish=False)
    assert b"Bozza segreta" not in api.get("/feeds/news.rss").content


@pytest.mark.parametrize("query", ["topic=<x>", "locale=xx", "page=2"])
def test_bad_feed_parameters_get_a_400(api, feed_news, query):
    response = api.get(f"/feeds/news.rss?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"]
