"""HTTP caching, the Redis response cache and its invalidation; CORS; rate limiting."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from tests import factories
from tests.support.redis_commands import count_commands

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

LISTING = "/api/v2/pages/?type=cms.NewsPage&fields=*"


@pytest.fixture
def index():
    return factories.site_tree()


def titles(api, url: str = LISTING) -> list[str]:
    return [item["title"] for item in api.get(url).json()["items"]]


@pytest.mark.parametrize(
    "url", [LISTING, "/api/v2/topics/", "/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"]
)
def test_responses_carry_public_cache_control_etag_and_last_modified(api, index, settings, url):
    settings.API_CACHE_MAX_AGE = 123
    factories.news(index, title="Una")
    response = api.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=123"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")


def test_a_matching_if_none_match_gets_304_without_rendering_or_queries(api, index):
    factories.news(index, title="Una")
    etag = api.get(LISTING)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = api.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert len(queries) == 0


def test_if_modified_since_gets_304_when_nothing_changed(api, index):
    factories.news(index, title="Una")
    last_modified = api.get(LISTING)["Last-Modified"]
    assert api.get(LISTING, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_second_request_is_served_from_the_response_cache_without_queries(api, index):
    factories.news(index, title="Una")
    api.get(LISTING)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(LISTING)
    assert response["X-Cache"] == "hit"
    assert len(queries) == 0


def test_no_listing_is_stale_after_a_publish(api, index):
    factories.news(index, title="Prima")
    assert titles(api) == ["Prima"]
    factories.news(index, title="Seconda")
    assert titles(api) == ["Seconda", "Prima"]


def test_the_etag_changes_after_a_publish(api, index):
    factories.news(index, title="Prima")
    etag = api.get(LISTING)["ETag"]
    factories.news(index, title="Seconda")
    assert api.get(LISTING, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_unpublishing_removes_the_page_from_cached_listings(api, index):
    page = factories.news(index, title="Prima")
    assert titles(api) == ["Prima"]
    page.unpublish()
    assert titles(api) == []


def test_deleting_removes_the_page_from_cached_listings(api, index):
    page = factories.news(index, title="Prima")
    assert titles(api) == ["Prima"]
    page.delete()
    assert titles(api) == []


def test_moving_a_page_updates_cached_urls(api, index):
    page = factories.news(index, title="Prima")
    other = index.get_parent().add_child(
        instance=type(index)(title="Altre", slug="altre", locale=index.locale)
    )
    other.save_revision().publish()
    api.get(LISTING)
    page.move(other, pos="last-child")
    assert "/altre/" in api.get(LISTING).json()["items"][0]["meta"]["html_url"]


def test_a_new_view_restriction_removes_the_page_from_cached_listings(api, index):
    page = factories.news(index, title="Prima")
    assert titles(api) == ["Prima"]
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert titles(api) == []


def test_editing_a_snippet_updates_cached_news(api, index):
    topic = factories.topic("Economia")
    factories.news(index, title="Prima", topics=[topic])
    api.get(LISTING)
    topic.name = "Economia e lavoro"
    topic.save()
    assert api.get(LISTING).json()["items"][0]["topics"][0]["name"] == "Economia e lavoro"


def test_cors_preflight_is_answered_for_allowed_origins(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.intoscana.it"]
    response = api.options(
        "/api/v2/pages/",
        HTTP_ORIGIN="https://www.intoscana.it",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://www.intoscana.it"


def test_cors_headers_are_not_given_to_other_origins(api, index, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.intoscana.it"]
    response = api.get("/api/v2/pages/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_cached_responses_still_get_cors_headers(api, index, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.intoscana.it"]
    api.get("/api/v2/pages/")
    response = api.get("/api/v2/pages/", HTTP_ORIGIN="https://www.intoscana.it")
    assert response["X-Cache"] == "hit"
    assert response["Access-Control-Allow-Origin"] == "https://www.intoscana.it"


def test_rate_limit_answers_429_with_retry_after(api, index, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_LIMIT_PERIOD = 60
    statuses = [api.get("/api/v2/pages/", REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v2/pages/", REMOTE_ADDR="203.0.113.9")
    assert int(response["Retry-After"]) >= 1
    assert response.json()["message"]


def test_rate_limit_counts_each_client_ip_separately(api, index, settings):
    settings.API_RATE_LIMIT = 1
    assert api.get("/api/v2/pages/", REMOTE_ADDR="203.0.113.1").status_code == 200
    assert api.get("/api/v2/pages/", REMOTE_ADDR="203.0.113.2").status_code == 200


def test_rate_limit_zero_turns_it_off(api, index, settings):
    settings.API_RATE_LIMIT = 0
    statuses = {api.get("/api/v2/pages/").status_code for _ in range(5)}
    assert statuses == {200}


def test_a_publish_in_another_process_makes_this_process_copy_stale(api, index):
    from cms import caching

    url = f"/api/v2/pages/{index.id}/"
    assert api.get(url).json()["title"] == "Notizie"
    # Another process publishing changes the row and bumps the shared generation, nothing else.
    type(index).objects.filter(pk=index.pk).update(title="Notizie aggiornate")
    caching._bump()
    assert api.get(url).json()["title"] == "Notizie aggiornate"


def test_a_rendered_listing_reads_the_site_root_paths_from_no_cache(api, index, settings):
    """Wagtail's site root paths (for every html_url) are kept in the process per
    generation: rendering a listing costs the cache Redis no read for them."""
    factories.news(index, title="Una")
    api.get(LISTING + "&_=first")  # this process learns the current generation's paths
    factories.news(index, title="Due")  # a publish: a new generation, the listing renders

    count = count_commands(lambda: api.get(LISTING), url=settings.CACHE_REDIS_URL)

    assert not [command for command in count.sent if "site_root_paths" in command]
    assert len(count.sent) <= 3, count.sent  # the generation (with the entry), the store


def test_a_new_site_root_changes_every_address_at_once(api, index):
    page = factories.news(index, title="Una")
    before = api.get(LISTING).json()["items"][0]["meta"]["html_url"]
    assert before.endswith(f"/notizie/{page.slug}/")

    site = Site.objects.get(is_default_site=True)
    site.root_page = index
    site.save()  # as the admin saves it: the signals run

    after = api.get(LISTING).json()["items"][0]["meta"]["html_url"]
    assert after == before.replace("/notizie/", "/")


def test_a_forked_process_talks_to_redis_on_a_connection_of_its_own():
    """The store holds one connection per process: a gunicorn or Celery child forked
    after the parent used it must not read replies meant for the parent."""
    import os

    from cms import caching

    parent = caching._store()
    parent.set("api:fork-probe", b"padre", 60)
    assert parent.get_many(["api:fork-probe"]) == [b"padre"]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, touch nothing else
        try:
            child = caching._store()
            answer = child.get_many(["api:fork-probe"])
            os.write(
                write_end, b"own" if child is not parent and answer == [b"padre"] else b"shared"
            )
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    assert os.read(read_end, 16) == b"own"
    assert parent.get_many(["api:fork-probe"]) == [b"padre"]


def test_threads_share_the_store_and_each_gets_its_own_answer():
    from concurrent.futures import ThreadPoolExecutor

    from cms import caching

    store = caching._store()
    for n in range(8):
        store.set(f"api:thread-probe-{n}", str(n).encode(), 60)

    def read(n: int) -> bool:
        return all(
            store.get_many([f"api:thread-probe-{n}"]) == [str(n).encode()] for _ in range(50)
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(read, range(8)))
