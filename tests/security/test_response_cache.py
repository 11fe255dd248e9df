"""The response cache: bounded, apart from the broker, and never older than a scheduled expiry.

Entries are counted in the cache's own Redis database, where they really are.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from cms import caching
from cms.models import NewsPage
from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
LISTING = "/api/v2/pages/?type=cms.NewsPage"


def cache_redis() -> redis.Redis:
    url = getattr(django_settings, "CACHE_REDIS_URL", None) or django_settings.REDIS_URL
    return redis.Redis.from_url(url)


def run_prefix() -> str:
    """This test run's key prefix: other runs (another checkout, CI's other Python) may share Redis."""
    return django_settings.CACHES["default"]["KEY_PREFIX"]


def response_keys() -> list[bytes]:
    return list(cache_redis().scan_iter(match=f"{run_prefix()}:api:response:*", count=1000))


def forget_everything() -> None:
    cache.clear()
    client = cache_redis()
    for key in client.scan_iter(match=f"{run_prefix()}:api:*", count=1000):
        client.delete(key)
    caching._local_entries.entries.clear()


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.SITE_URL = "https://notizie.example.org"
    settings.API_RATE_LIMIT = 0
    forget_everything()
    yield
    forget_everything()


@pytest.fixture
def news():
    return factories.news(title="Una notizia", topics=[factories.topic("Economia")])


# -- bounded --------------------------------------------------------------------------------


def test_junk_query_strings_create_a_bounded_number_of_entries(client, news):
    junk = []
    for n in range(60):
        junk += [
            f"{LISTING}&_={n}",  # cache busters
            f"/api/v2/pages/?_={n}&type=cms.NewsPage",  # … in another order
            f"{LISTING}&limit={'0' * (n % 8)}5",  # the same number, spelt differently
            f"{LISTING}&junk{n}=1",  # unknown parameters (400)
            f"{LISTING}&limit=5&limit={n}",  # a parameter given twice
            f"/feeds/news.rss?_={n}",
            f"/api/v2/pages/{news.id}/?_={n}",
            f"/api/schema/?v={n}",  # a view without parameters
        ]
    statuses = {client.get(url).status_code for url in junk}
    assert statuses <= {200, 400}
    # One entry each: the listing, the listing with limit=5, the feed, the detail.
    assert len(response_keys()) <= 4, len(response_keys())


def test_reordered_parameters_share_one_entry(client, news):
    assert client.get(f"{LISTING}&limit=5&offset=0")["X-Cache"] == "miss"
    response = client.get("/api/v2/pages/?offset=00&limit=5&type=cms.NewsPage")
    assert response["X-Cache"] == "hit"


def test_a_cache_buster_shares_the_entry_of_the_request_without_it(client, news):
    assert client.get(f"{LISTING}&_=1")["X-Cache"] == "miss"
    assert client.get(f"{LISTING}&_=2")["X-Cache"] == "hit"
    assert client.get(LISTING)["X-Cache"] == "hit"


def test_a_feed_self_link_never_carries_a_visitor_cache_buster(client, news):
    client.get("/feeds/news.atom?_=%3Cinjected%3E")
    body = client.get("/feeds/news.atom").content.decode()
    assert "injected" not in body


def test_a_response_over_the_size_cap_is_served_but_not_stored(client, news, settings):
    settings.API_RESPONSE_CACHE_MAX_BYTES = 200
    first, second = client.get(LISTING), client.get(LISTING)
    assert first.status_code == second.status_code == 200
    assert len(first.content) > 200
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "miss")
    assert response_keys() == []


def test_responses_are_stored_in_their_own_redis_database_not_the_brokers(client, news):
    assert django_settings.CACHE_REDIS_URL != django_settings.REDIS_URL
    client.get(LISTING)
    assert len(response_keys()) == 1
    broker = redis.Redis.from_url(django_settings.REDIS_URL)
    assert list(broker.scan_iter(match=f"{run_prefix()}:api:*", count=1000)) == []


def test_compose_runs_the_cache_apart_bounded_and_lru_and_the_broker_without_eviction():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    broker, response_cache = services["redis"]["command"], services["cache"]["command"]
    assert broker[broker.index("--maxmemory-policy") + 1] == "noeviction"
    assert response_cache[response_cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert response_cache[response_cache.index("--maxmemory") + 1]
    assert "healthcheck" in services["cache"]
    environment = compose["x-app"]["environment"]
    assert environment["CACHE_REDIS_URL"].startswith("redis://cache:")
    assert environment["REDIS_URL"].startswith("redis://redis:")


# -- never older than a scheduled expiry ----------------------------------------------------


def publish_with_expiry(page: NewsPage, expire_at) -> None:
    page.expire_at = expire_at
    page.save_revision().publish()


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def test_a_cached_listing_does_not_outlive_the_next_expiry(client, news, settings, monkeypatch):
    settings.API_CACHE_MAX_AGE = 600
    settings.API_RESPONSE_CACHE_TIMEOUT = 600
    now = timezone.now()
    publish_with_expiry(news, now + timedelta(seconds=60))

    first = client.get(LISTING)
    assert titles(first) == ["Una notizia"]
    assert 0 < int(first["Cache-Control"].split("max-age=")[1]) <= 60
    [key] = response_keys()
    assert 0 < cache_redis().ttl(key) <= 60
    assert client.get(LISTING)["X-Cache"] == "hit"

    # A second after the expiry, with beat not yet run: the page is still live in the table.
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=61))
    after = client.get(LISTING)
    assert NewsPage.objects.get(pk=news.pk).live
    assert after["X-Cache"] == "miss"
    assert titles(after) == []


def test_a_conditional_request_after_the_expiry_gets_the_new_listing(
    client, news, settings, monkeypatch
):
    now = timezone.now()
    publish_with_expiry(news, now + timedelta(seconds=60))
    etag = client.get(LISTING)["ETag"]
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=61))
    response = client.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert titles(response) == []


def test_max_age_does_not_outlive_a_scheduled_go_live(client, news, settings):
    settings.API_CACHE_MAX_AGE = 600
    scheduled = factories.news(title="Domani", publish=False)
    scheduled.go_live_at = timezone.now() + timedelta(seconds=90)
    scheduled.save_revision().publish()
    response = client.get(LISTING)
    assert titles(response) == ["Una notizia"]
    assert 0 < int(response["Cache-Control"].split("max-age=")[1]) <= 90


def test_a_live_page_past_its_expiry_is_served_nowhere(client, news):
    # As if beat were down: the expiry passed and nothing unpublished the page.
    NewsPage.objects.filter(pk=news.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    caching.invalidate()
    assert titles(client.get(LISTING)) == []
    assert client.get(f"/api/v2/pages/{news.id}/").status_code == 404
    assert "Una notizia" not in client.get("/feeds/news.json").content.decode()
    assert client.get("/api/v2/pages/find/", {"html_path": news.url}).status_code == 404
    assert client.get(news.url).status_code == 404
