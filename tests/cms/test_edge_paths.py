"""Which paths the edge cache is told to forget (cms/edge.py), without a Varnish."""

from __future__ import annotations

import pytest

from cms import edge
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def varnish_configured(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "cms.edge.VarnishBackend", "LOCATION": "http://127.0.0.1:9"}
    }


# The on-commit callback that enqueues the edge purge (cms.signals.forget).
EDGE_ENQUEUE = "forget.<locals>.enqueue"


def test_a_page_purges_its_detail_its_childrens_the_listing_and_the_feeds_only():
    index = factories.site_tree()
    page = factories.news(index, title="Una notizia")
    other = factories.news(index, title="Un'altra notizia")

    paths = edge.paths_for_page(index)

    assert f"/api/v2/pages/{index.id}/" in paths
    assert f"/api/v2/pages/{page.id}/" in paths  # a child shows its parent
    assert f"/api/v2/pages/{other.id}/" in paths
    assert {"/api/v2/pages/", "/api/v2/pages/find/", *edge.FEEDS} <= set(paths)
    assert f"/api/v2/pages/{index.get_parent().id}/" not in paths
    assert not any(path.endswith("*") for path in paths)


def test_a_news_page_leaves_its_siblings_and_the_snippets_alone():
    index = factories.site_tree()
    page = factories.news(index, title="Una notizia", topics=[factories.topic("Spazio")])
    sibling = factories.news(index, title="Un'altra notizia")

    paths = edge.paths_for_page(page)

    assert f"/api/v2/pages/{page.id}/" in paths
    assert f"/api/v2/pages/{sibling.id}/" not in paths
    assert not any(path.startswith("/api/v2/topics/") for path in paths)


def test_a_moved_page_purges_its_descendants_and_beyond_the_bound_the_whole_endpoint(
    monkeypatch,
):
    index = factories.site_tree()
    news = [factories.news(index) for _ in range(3)]
    home = index.get_parent()

    paths = edge.paths_for_page(home, with_descendants=True)
    assert {f"/api/v2/pages/{page.id}/" for page in [index, *news]} <= set(paths)

    monkeypatch.setattr(edge, "MAX_DETAILS", 2)
    paths = edge.paths_for_page(home, with_descendants=True)
    assert "/api/v2/pages/*" in paths
    assert not any(path.startswith("/api/v2/pages/") and path[14:-1].isdigit() for path in paths)


def test_a_topic_purges_its_detail_its_listing_and_the_news_that_show_it():
    topic = factories.topic("Robotica")
    page = factories.news(title="Notizia con tema", topics=[topic])
    unrelated = factories.news(title="Notizia senza tema")

    paths = edge.paths_for_object(topic)

    assert {f"/api/v2/topics/{topic.id}/", "/api/v2/topics/", "/api/v2/pages/"} <= set(paths)
    assert f"/api/v2/pages/{page.id}/" in paths
    assert f"/api/v2/pages/{unrelated.id}/" not in paths


def test_nothing_is_enqueued_for_the_edge_when_no_edge_cache_is_configured(
    settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    page = factories.news(title="Notizia")
    with django_capture_on_commit_callbacks() as callbacks:
        page.save_revision().publish()
    assert not [c for c in callbacks if EDGE_ENQUEUE in getattr(c, "__qualname__", "")]


def test_a_publish_enqueues_one_purge_after_commit_when_an_edge_cache_is_configured(
    varnish_configured, django_capture_on_commit_callbacks
):
    page = factories.news(title="Notizia")
    with django_capture_on_commit_callbacks() as callbacks:
        page.save_revision().publish()
    enqueues = [c for c in callbacks if EDGE_ENQUEUE in getattr(c, "__qualname__", "")]
    assert enqueues, [getattr(c, "__name__", c) for c in callbacks]
