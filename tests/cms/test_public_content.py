"""A news page behind a password or a login stays out of everything anonymous: the HTML news
index, the API and the feeds. Only live, public content is public."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _empty_response_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stories():
    """One public story, one behind a password, one for logged-in users only."""
    index = factories.site_tree()
    public = factories.news(index, title="Pubblica per tutti")
    secret = factories.news(index, title="Riservata con password")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="segreta"
    )
    members = factories.news(index, title="Solo per chi ha un account")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    return index, public


RESTRICTED = ("Riservata con password", "Solo per chi ha un account")


def test_the_html_news_index_lists_only_public_news(client, stories):
    index, _public = stories
    response = client.get(index.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pubblica per tutti" in html
    for title in RESTRICTED:
        assert title not in html


def test_the_api_lists_only_public_news(client, stories):
    response = client.get("/api/v2/pages/?type=cms.NewsPage&fields=title")
    assert [item["title"] for item in response.json()["items"]] == ["Pubblica per tutti"]


@pytest.mark.parametrize("feed", ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"])
def test_the_feeds_carry_only_public_news(client, stories, feed):
    body = client.get(feed).content.decode()
    assert "Pubblica per tutti" in body
    for title in RESTRICTED:
        assert title not in body
