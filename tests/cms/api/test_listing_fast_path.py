"""cms/api/listing.py builds news listings without DRF, reading only the columns it
needs: it must answer byte for byte what Wagtail's serializers answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

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


# The written-out query (listing.read_news) against the ORM path, which defines the listing.
# `order=-publication_date,-id` is the default order spelled out: it sends a request down the
# ORM path (listing.reads refuses `order`) without changing what it should answer.
ORM = "&order=-publication_date,-id"


@pytest.fixture
def varied_news(news):
    index = news[0].get_parent().specific
    # On each bound: the first moment of 31 May (after), noon UTC (an exact datetime bound,
    # included) and the first moment of 1 June (excluded by published_before=2024-05-31).
    moments = [
        timezone.make_aware(datetime(2024, 5, 31)),
        datetime(2024, 5, 31, 12, 0, tzinfo=UTC),
        timezone.make_aware(datetime(2024, 6, 1)),
        timezone.make_aware(datetime(2024, 5, 30, 23, 59, 59)),
    ]
    dated = [
        factories.news(index, title=f"Datata {n}", publication_date=moment)
        for n, moment in enumerate(moments)
    ]
    expired = factories.news(index, title="Scaduta", topics=[factories.topic("Comune")])
    NewsPage.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - timedelta(hours=1))
    restricted = factories.news(index, title="Riservata", topics=[factories.topic("Comune")])
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    factories.news(index, title="Bozza", publish=False, topics=[factories.topic("Comune")])
    hidden = {expired.id, restricted.id}
    return news, dated, hidden


def varied_queries(news: list[NewsPage]) -> list[str]:
    first = news[0]
    topic = first.topics.order_by("name").first()
    return [
        "type=cms.NewsPage&fields=*",
        "type=cms.NewsPage",
        "type=cms.NewsPage&fields=title,html_url,locale&locale=it",
        "type=cms.NewsPage&fields=title,html_url,locale&locale=en",
        "topic=comune&fields=*",
        f"topic={topic.id},tema-2&fields=title",
        f"organisation={first.organisations.get().slug}",
        f"person={first.people.get().id}",
        f"place={first.places.get().slug},{first.places.get().id}",
        f"mission={first.mission.slug}&fields=title,mission",
        "topic=comune&organisation=ente-1",
        "published_after=2024-05-31",
        "published_before=2024-05-31",
        "published_before=2024-05-31T12:00:00Z",
        "published_after=2024-05-31T12:00:00Z",
        "published_after=2024-05-31T00:00:00&published_before=2024-05-31",
        "type=cms.NewsPage&limit=2&offset=1",
        "type=cms.NewsPage&offset=100",
        "topic=nessuno",
        "type=cms.NewsPage&locale=xx",
        "topic=comune&locale=xx",
    ]


def test_the_written_out_query_answers_what_the_orm_answers(api, varied_news, monkeypatch):
    news, dated, hidden = varied_news
    read = []
    original = listing.read_news
    monkeypatch.setattr(listing, "read_news", lambda *args: read.append(args) or original(*args))
    seen = set()
    for query in varied_queries(news):
        read.clear()
        written_out = api.get(f"/api/v2/pages/?{query}")
        assert read, f"{query}: the written-out query did not run"
        read.clear()
        orm = api.get(f"/api/v2/pages/?{query}{ORM}")
        assert not read, f"{query}: the reference took the written-out query too"
        assert written_out.status_code == orm.status_code, query
        assert written_out.json() == orm.json(), query
        seen |= {item["id"] for item in written_out.json().get("items", [])}
    # The comparison covered what it claims: news of both languages, the dated ones, and
    # no expired, restricted or draft page anywhere.
    assert {page.id for page in dated} <= seen
    assert not hidden & seen


def test_the_written_out_query_counts_past_the_last_page(api, varied_news):
    body = api.get("/api/v2/pages/?type=cms.NewsPage&offset=100").json()
    assert body["items"] == []
    assert body["meta"]["total_count"] == NewsPage.objects.live().count() - 2  # expired, restricted
