"""A feed describes itself in the language it declares."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "description"),
    [({"locale": "en"}, "the latest news"), ({"locale": "it"}, "le ultime notizie")],
)
def test_the_feed_description_is_in_the_feed_language(client, query, description):
    factories.site_tree("en")

    response = client.get("/feeds/news.rss", query, HTTP_ACCEPT_LANGUAGE="de-DE")

    assert response.status_code == 200
    assert f": {description}</description>" in response.content.decode()
