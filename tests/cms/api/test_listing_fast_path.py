"""cms/api/listing.py builds news listings without DRF, reading only the columns it
needs: it must answer byte for byte what Wagtail's serializers answer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.api import listing
from cms.models import NewsPage
from tests import factories
from tests.cms.api.test_query_counts import build_news

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

URLS = [
    "/api/v2/pages/?type=cms.NewsPage&fields=*",
    "/api/v2/pages/?type=cms.NewsPage",
    "/api/v2/pages/?type=cms.NewsPage&fields=title,hero,mission,html_url,locale&limit=2",
    "/api/v2/pages/?type=cms.NewsPage&fields=*&topic=comune&offset=1",
]


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    settings.API_RESPONSE_CACHE_TIMEOUT = 0


@pytest.fixture
def news():
    pages = build_news(3)
    english = pages[0].copy_for_translation(factories.locale("en"), copy_parents=True)
    english.save_revision().publish()
    return pages


@pytest.mark.parametrize("url", URLS)
def test_the_fast_listing_answers_what_the_serializers_answer(api, news, monkeypatch, url):
    fast = api.get(url)
    assert fast.status_code == 200, fast.content
    assert fast.json()["items"], "the comparison needs items"
    served = []
    original = listing.serialize

    def counted(*args, **kwargs):
        items = original(*args, **kwargs)
        served.append(items is not None)
        return items

    monkeypatch.setattr(listing, "serialize", counted)
    api.get(url)
    assert served == [True], "the listing took the DRF path: nothing was compared"

    monkeypatch.setattr(listing, "serialize", lambda *args, **kwargs: None)
    slow = api.get(url)

    assert fast.json() == slow.json()


def test_a_listing_with_an_alias_reads_whole_pages_for_the_serializers(api, news):
    source = NewsPage.objects.get(pk=news[1].pk)  # live, as published
    alias = source.create_alias(parent=source.get_parent(), update_slug=f"{source.slug}-alias")

    url = "/api/v2/pages/?type=cms.NewsPage&fields=*"
    api.get(url)  # warm: content types, renditions
    with CaptureQueriesContext(connection) as queries:
        items = api.get(url).json()["items"]

    # The whole pages in one more query, not a query per column the serializers read.
    assert len(queries) <= 9, [query["sql"][:80] for query in queries]

    by_id = {item["id"]: item for item in items}
    assert by_id[alias.id]["meta"]["alias_of"]["id"] == news[1].id
    assert by_id[alias.id]["standfirst"] == news[1].standfirst
    assert by_id[news[0].id]["hero"]["alt"] == "Descrizione"
