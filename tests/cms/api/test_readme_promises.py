"""Promises the README makes to integrators, each under test: cached images of a collection
made private, the feeds' 30 items, exact datetime bounds, and the webhook headers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction

from cms import webhooks
from cms.feeds import FEED_ITEMS
from cms.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.cms.api.conftest import image
from tests.cms.api.test_webhooks import Receiver, verify

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def test_making_a_collection_private_makes_cached_responses_with_its_images_stale(api):
    collection = Collection.get_first_root_node().add_child(name="Diventerà riservata")
    photo = image("Foto del porto", collection=collection, size=(40, 30))
    page = factories.news(title="Con foto", hero_image=photo, hero_alt="Il porto")
    detail, images = f"/api/v2/pages/{page.id}/", "/api/v2/images/"
    assert api.get(detail).json()["hero"] is not None
    assert photo.id in {item["id"] for item in api.get(images).json()["items"]}
    assert api.get(detail)["X-Cache"] == "hit", "the detail is served from the cache"

    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )

    fresh = api.get(detail)
    assert (fresh["X-Cache"], fresh.json()["hero"]) == ("miss", None)
    assert photo.id not in {item["id"] for item in api.get(images).json()["items"]}
    assert api.get(f"/api/v2/images/{photo.id}/").status_code == 404


@pytest.mark.parametrize("feed", ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"])
def test_a_feed_carries_the_newest_30_items(api, feed):
    index = factories.site_tree()
    start = timezone.now() - timedelta(days=40)
    for day in range(FEED_ITEMS + 2):
        factories.news(
            index, title=f"Giorno {day:02d}", publication_date=start + timedelta(days=day)
        )
    body = api.get(feed).content.decode()
    assert FEED_ITEMS == 30
    present = [day for day in range(FEED_ITEMS + 2) if f"Giorno {day:02d}" in body]
    assert present == list(range(2, FEED_ITEMS + 2)), "the 30 newest, the 2 oldest left out"


def test_a_datetime_is_an_exact_bound_on_both_sides(api):
    index = factories.site_tree()
    moment = timezone.make_aware(datetime(2024, 5, 20, 10, 30, 15))
    for title, offset in [("Prima", -1), ("Esatta", 0), ("Dopo", 1)]:
        factories.news(index, title=title, publication_date=moment + timedelta(seconds=offset))
    stamp = moment.isoformat().replace("+", "%2B")

    def titles(query: str) -> list[str]:
        response = api.get(f"/api/v2/pages/?type=cms.NewsPage&fields=title&{query}")
        assert response.status_code == 200, response.content
        return sorted(item["title"] for item in response.json()["items"])

    assert titles(f"published_after={stamp}") == ["Dopo", "Esatta"]
    assert titles(f"published_before={stamp}") == ["Esatta", "Prima"]
    assert titles(f"published_after={stamp}&published_before={stamp}") == ["Esatta"]


def test_a_date_covers_its_whole_day(api):
    # The other half of the same README line, for contrast with the exact bound above.
    index = factories.site_tree()
    late = timezone.make_aware(datetime(2024, 5, 20, 23, 59, 59))
    factories.news(index, title="A fine giornata", publication_date=late)
    items = api.get("/api/v2/pages/?type=cms.NewsPage&published_before=2024-05-20").json()
    assert [item["title"] for item in items["items"]] == ["A fine giornata"]


def test_a_webhook_delivery_carries_its_event_delivery_id_and_signature_headers(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # the receiver listens on loopback
    receiver = Receiver()
    try:
        endpoint = WebhookEndpoint.objects.create(name="intoscana", url=receiver.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="unpublished", payload={"id": 7, "event": "unpublished"}
        )
        webhooks.deliver(delivery.id)
        [(headers, body)] = receiver.wait_for(1)
    finally:
        receiver.stop()
    assert headers["X-Notiziario-Event"] == "unpublished"
    assert headers["X-Notiziario-Delivery"] == str(delivery.id)
    assert verify(headers, body, endpoint.secret)
    assert json.loads(body) == {"id": 7, "event": "unpublished"}
