"""The OpenAPI schema describes the API; the docs page needs no CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def test_schema_is_openapi_3_and_lists_every_endpoint(api):
    schema = api.get("/api/schema/").json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v2/pages/",
        "/api/v2/pages/{id}/",
        "/api/v2/topics/",
        "/api/v2/organisations/",
        "/api/v2/people/",
        "/api/v2/places/",
        "/api/v2/missions/",
        "/api/v2/images/",
        "/api/v2/documents/",
        "/feeds/news.rss",
        "/feeds/news.atom",
        "/feeds/news.json",
    ]:
        assert path in schema["paths"], path


def test_schema_describes_the_news_filters(api):
    schema = api.get("/api/schema/").json()
    names = {p["name"] for p in schema["paths"]["/api/v2/pages/"]["get"]["parameters"]}
    assert {
        "topic",
        "organisation",
        "person",
        "place",
        "mission",
        "published_after",
        "published_before",
        "type",
        "fields",
        "child_of",
        "descendant_of",
        "search",
        "order",
        "limit",
        "offset",
        "locale",
        "translation_of",
    } <= names


def test_docs_page_loads_its_scripts_and_styles_from_this_site_only(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
