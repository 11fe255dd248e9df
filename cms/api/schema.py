"""The OpenAPI 3 description of the public API and feeds, and the docs page.

Written by hand rather than inferred: Wagtail's viewsets choose their fields
per request, which generators cannot see. The entity summaries (Topic, Person,
…) come from cms/api/summaries.py, the table the serializers and the listing
fast path also derive from. Other apps add their paths as a part passed to
``views()`` (config/urls.py passes the newsletter's), so cms never imports them.

OpenAPI 3.0: a reference that may be null is ``allOf: [$ref]`` + ``nullable``
(siblings of a bare ``$ref`` are ignored, and generated clients then reject the
null). Checked by tests/cms/api/: schemathesis fuzzes every operation against
the schema, and a client generated with openapi-python-client parses every
response of the demo site.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from cms.api import summaries
from cms.api.summaries import nullable_ref
from cms.caching import public_endpoint
from web.params import MAX_ID


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
URL = {"type": "string", "format": "uri"}
DATE_OR_DATETIME = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or STRING,
    }


ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}

PAGINATION = [
    _query(
        "limit",
        "How many items (default 20, at most WAGTAILAPI_LIMIT_MAX, 100).",
        {"type": "integer", "minimum": 0, "maximum": 100},
    ),
    _query("offset", "How many items to skip.", {"type": "integer", "minimum": 0}),
    _query(
        "fields",
        "Fields to add, or remove with a leading '-'; '*' for all, '_' for none. "
        "Example: fields=*,-body or fields=_,title,hero.",
    ),
    _query(
        "order",
        "A field to order by, '-' prefixed for descending; 'random' cannot combine "
        "with offset. News default: -publication_date.",
    ),
    _query("search", "Full-text search."),
    _query(
        "search_operator", "How search terms combine.", {"type": "string", "enum": ["and", "or"]}
    ),
]

ENTITY_DESCRIPTION = "A slug or an id, or a comma-separated list of them (any of them matches)."

PAGE_FILTERS = [
    _query("type", "Page type, e.g. cms.NewsPage; several comma-separated."),
    _query("child_of", "Id of the parent page, or 'root'."),
    _query("descendant_of", "Id of an ancestor page, or 'root'."),
    _query("ancestor_of", "Id of a descendant page.", {"type": "integer", "minimum": 1}),
    _query(
        "translation_of",
        "Id of a page: returns its translations.",
        {"type": "integer", "minimum": 1},
    ),
    _query("locale", "Language code, e.g. it or en."),
    _query("topic", ENTITY_DESCRIPTION + " Implies type=cms.NewsPage."),
    _query("organisation", ENTITY_DESCRIPTION + " Implies type=cms.NewsPage."),
    _query("person", ENTITY_DESCRIPTION + " Implies type=cms.NewsPage."),
    _query("place", ENTITY_DESCRIPTION + " Implies type=cms.NewsPage."),
    _query("mission", ENTITY_DESCRIPTION + " Implies type=cms.NewsPage."),
    _query(
        "published_after",
        "An ISO date (2024-05-01: from the start of that day) or an ISO datetime "
        "(2024-05-01T09:30:00+02:00: from that moment, inclusive; without an offset, "
        "Europe/Rome time).",
        DATE_OR_DATETIME,
    ),
    _query(
        "published_before",
        "An ISO date (2024-05-31: up to the end of that day) or an ISO datetime "
        "(2024-05-31T18:00:00Z: up to that moment, inclusive; without an offset, "
        "Europe/Rome time).",
        DATE_OR_DATETIME,
    ),
    _query("slug", "Exact slug."),
    _query("title", "Exact title."),
]

ERRORS = {
    "400": {
        "description": "Bad input: the body names the parameter.",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "429": {
        "description": "Too many requests from this IP; see Retry-After.",
        "headers": {"Retry-After": {"schema": INTEGER}},
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}
NOT_FOUND = {
    "404": {
        "description": "Not found, or not public.",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}
CACHE_HEADERS = {
    "ETag": {"schema": STRING},
    "Last-Modified": {"schema": STRING},
    "Cache-Control": {"schema": STRING},
}


def _ok(schema: dict, description: str = "OK", content_type: str = "application/json") -> dict:
    return {
        "200": {
            "description": description,
            "headers": CACHE_HEADERS,
            "content": {content_type: {"schema": schema}},
        },
        "304": {"description": "Not modified (If-None-Match / If-Modified-Since)."},
    }


def _listing(item: str) -> dict:
    return {
        "type": "object",
        "required": ["meta", "items"],
        "properties": {
            "meta": {
                "type": "object",
                "required": ["total_count"],
                "properties": {"total_count": INTEGER},
            },
            "items": {"type": "array", "items": _ref(item)},
        },
    }


RENDITION = {
    "type": "object",
    "required": ["url", "width", "height"],
    "properties": {"url": URL, "width": INTEGER, "height": INTEGER},
}

SCHEMAS: dict[str, Any] = {
    **summaries.components(),
    "Error": {
        "type": "object",
        "required": ["message"],
        "properties": {"message": STRING, "parameter": _nullable(STRING)},
    },
    "ResponsiveImage": {
        "type": "object",
        "required": ["id", "alt", "width", "height", "renditions"],
        "properties": {
            "id": INTEGER,
            "title": STRING,
            "alt": STRING,
            "width": INTEGER,
            "height": INTEGER,
            "url": _nullable(URL),
            "srcset": STRING,
            "caption": STRING,
            "credit": STRING,
            "renditions": {
                "type": "object",
                "properties": {"400w": RENDITION, "800w": RENDITION, "1600w": RENDITION},
            },
        },
    },
    "PageSummary": {
        "type": "object",
        "required": ["id", "title"],
        "properties": {
            "id": INTEGER,
            "type": _nullable(STRING),
            "title": STRING,
            "slug": STRING,
            "locale": STRING,
            "html_url": _nullable(URL),
            "detail_url": _nullable(URL),
        },
    },
    "PageMeta": {
        "type": "object",
        "properties": {
            "type": _nullable(STRING),
            "detail_url": STRING,
            "html_url": _nullable(URL),
            "slug": STRING,
            "first_published_at": _nullable({"type": "string", "format": "date-time"}),
            "locale": STRING,
            "seo_title": STRING,
            "search_description": STRING,
            "show_in_menus": {"type": "boolean"},
            "parent": nullable_ref("PageSummary"),
            "alias_of": nullable_ref("AliasOf"),
            "translations": {"type": "array", "items": _ref("PageSummary")},
        },
    },
    "BodyBlock": {
        "type": "object",
        "required": ["type", "value"],
        "description": "paragraph: HTML string; heading: {text, level}; image: {image, alt, "
        "caption, credit}; quote: {text, attribution, role}; key_figure: {value, label}; "
        "embed: {url}; related_link: {label, title, url, page}.",
        "properties": {
            "type": {
                "type": "string",
                "enum": [
                    "paragraph",
                    "heading",
                    "image",
                    "quote",
                    "key_figure",
                    "embed",
                    "related_link",
                ],
            },
            "id": _nullable(STRING),
            "value": {},
        },
    },
    "Page": {
        "type": "object",
        "required": ["id", "meta"],
        "description": "Which fields appear depends on `fields` and the page type; news pages "
        "add the properties below.",
        "properties": {
            "id": INTEGER,
            "meta": _ref("PageMeta"),
            "title": STRING,
            "intro": STRING,
            "standfirst": STRING,
            "publication_date": _nullable({"type": "string", "format": "date-time"}),
            "hero": nullable_ref("ResponsiveImage"),
            "topics": {"type": "array", "items": _ref("Topic")},
            "organisations": {"type": "array", "items": _ref("Organisation")},
            "people": {"type": "array", "items": _ref("Person")},
            "places": {"type": "array", "items": _ref("Place")},
            "mission": nullable_ref(summaries.MISSION.component),
            "source_url": STRING,
            "source_label": STRING,
            "body": {"type": "array", "items": _ref("BodyBlock")},
        },
    },
    "SnippetMeta": {
        "type": "object",
        "properties": {"type": STRING, "detail_url": STRING, "locale": STRING},
    },
}


def _snippet(extra: dict) -> dict:
    return {
        "type": "object",
        "required": ["id", "meta"],
        "properties": {
            "id": INTEGER,
            "meta": _ref("SnippetMeta"),
            "name": STRING,
            "slug": STRING,
            "news_count": {"type": "integer", "minimum": 0},
            **extra,
        },
    }


SCHEMAS.update(
    TopicItem=_snippet({"description": STRING}),
    OrganisationItem=_snippet({"kind": STRING, "website": STRING, "description": STRING}),
    PersonItem=_snippet({"role": STRING, "organisation": nullable_ref("Organisation")}),
    PlaceItem=_snippet(
        {
            "city": STRING,
            "region": STRING,
            "country": STRING,
            "latitude": _nullable({"type": "number"}),
            "longitude": _nullable({"type": "number"}),
        }
    ),
    MissionItem=_snippet(
        {
            "destination": nullable_ref("Place"),
            "start_date": {"type": "string", "format": "date"},
            "end_date": {"type": "string", "format": "date"},
            "summary": STRING,
            "delegates": {"type": "array", "items": _ref("Person")},
            "organisations_met": {"type": "array", "items": _ref("Organisation")},
            "agreements": {"type": "array", "items": _ref("Agreement")},
            "budget": _nullable(
                {
                    "type": "object",
                    "properties": {"amount": STRING, "currency": STRING, "purpose": STRING},
                }
            ),
            "outcomes": STRING,
        }
    ),
    Agreement={
        "type": "object",
        "required": ["title", "signed_on", "parties", "summary"],
        "properties": {
            "title": STRING,
            "signed_on": _nullable({"type": "string", "format": "date"}),
            "parties": STRING,
            "summary": STRING,
        },
    },
    AliasOf={
        "type": "object",
        "description": "The page this page is an alias of (Wagtail's alias_of).",
        "required": ["id", "meta", "title"],
        "properties": {
            "id": INTEGER,
            "meta": {
                "type": "object",
                "properties": {
                    "type": STRING,
                    "detail_url": URL,
                    "html_url": _nullable(URL),
                },
            },
            "title": STRING,
        },
    },
    WebhookEvent={
        "type": "object",
        "description": "The JSON body Notiziario POSTs to each webhook endpoint when a news "
        "item is published, unpublished or deleted. Headers: X-Notiziario-Event, "
        "X-Notiziario-Delivery, X-Notiziario-Signature (sha256=<hex HMAC-SHA256 of the raw "
        "body with the endpoint's secret>).",
        "required": ["event", "id", "type", "url", "locale"],
        "properties": {
            "event": {"type": "string", "enum": ["published", "unpublished", "deleted"]},
            "id": INTEGER,
            "type": STRING,
            "url": _nullable(URL),
            "locale": _nullable(STRING),
        },
    },
    ImageItem={
        "type": "object",
        "required": ["id", "meta"],
        "properties": {
            "id": INTEGER,
            "meta": {"type": "object"},
            "title": STRING,
            "width": INTEGER,
            "height": INTEGER,
        },
    },
    DocumentItem={
        "type": "object",
        "required": ["id", "meta"],
        "properties": {"id": INTEGER, "meta": {"type": "object"}, "title": STRING},
    },
    JSONFeed={
        "type": "object",
        "required": ["version", "title", "items"],
        "properties": {
            "version": STRING,
            "title": STRING,
            "home_page_url": URL,
            "feed_url": URL,
            "language": STRING,
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "url", "title", "content_html"],
                    "properties": {
                        "id": STRING,
                        "url": URL,
                        "title": STRING,
                        "summary": STRING,
                        "content_html": STRING,
                        "date_published": _nullable(STRING),
                        "date_modified": _nullable(STRING),
                        "image": URL,
                        "tags": {"type": "array", "items": STRING},
                        "language": STRING,
                    },
                },
            },
        },
    },
)

SNIPPET_ENDPOINTS = {
    "topics": ("TopicItem", "Topics (temi)."),
    "organisations": ("OrganisationItem", "Organisations: institutions, companies, universities."),
    "people": ("PersonItem", "People, with their role and organisation."),
    "places": ("PlaceItem", "Places, with coordinates."),
    "missions": ("MissionItem", "Institutional missions: delegates, meetings, agreements, budget."),
}


def _endpoint(operation_id: str, tag: str, summary: str, parameters: list, responses: dict) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "tags": [tag],
            "summary": summary,
            "parameters": parameters,
            "responses": {**responses, **ERRORS},
        }
    }


def _singular(name: str) -> str:
    return {"people": "person"}.get(name, name.removesuffix("s"))


def paths() -> dict[str, Any]:
    """The paths the cms serves: pages, snippets, images, documents, preview and feeds."""
    found: dict[str, Any] = {
        "/api/v2/pages/": _endpoint(
            "list_pages",
            "pages",
            "List pages, with Wagtail's parameters and the news filters.",
            PAGINATION + PAGE_FILTERS,
            _ok(_listing("Page")),
        ),
        "/api/v2/pages/{id}/": _endpoint(
            "get_page",
            "pages",
            "One page with every field (news: body, translations, parent).",
            [ID_PARAMETER, _query("fields", "As in the listing.")],
            {**_ok(_ref("Page")), **NOT_FOUND},
        ),
        "/api/v2/pages/find/": _endpoint(
            "find_page",
            "pages",
            "Find a page by html_path (or id): redirects to its detail.",
            [
                _query("html_path", "The page's path on the site, e.g. /notizie/titolo/."),
                _query("id", "A page id.", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
            ],
            {"302": {"description": "Redirect to the detail URL."}, **NOT_FOUND},
        ),
    }
    for name, (schema_name, summary) in SNIPPET_ENDPOINTS.items():
        found[f"/api/v2/{name}/"] = _endpoint(
            f"list_{name}",
            name,
            summary + " Each item counts its live, public news.",
            PAGINATION + [_query("locale", "Language code."), _query("slug", "Exact slug.")],
            _ok(_listing(schema_name)),
        )
        found[f"/api/v2/{name}/{{id}}/"] = _endpoint(
            f"get_{_singular(name)}",
            name,
            summary,
            [ID_PARAMETER, _query("fields", "As in the listing.")],
            {**_ok(_ref(schema_name)), **NOT_FOUND},
        )
    for name, schema_name in (("images", "ImageItem"), ("documents", "DocumentItem")):
        found[f"/api/v2/{name}/"] = _endpoint(
            f"list_{name}",
            name,
            f"{name.title()} in public collections.",
            PAGINATION,
            _ok(_listing(schema_name)),
        )
        found[f"/api/v2/{name}/{{id}}/"] = _endpoint(
            f"get_{_singular(name)}",
            name,
            f"One of the {name} in public collections.",
            [ID_PARAMETER, _query("fields", "As in the listing.")],
            {**_ok(_ref(schema_name)), **NOT_FOUND},
        )
    preview = _endpoint(
        "get_preview",
        "pages",
        "The draft a headless-preview token was issued for, shaped like a page detail. "
        "Never cached (Cache-Control: private, no-store).",
        [
            {**_query("content_type", "The page type, e.g. cms.newspage."), "required": True},
            {**_query("token", "The token from the preview URL."), "required": True},
            _query("fields", "As in a detail."),
        ],
        {
            "200": {
                "description": "The draft.",
                "content": {"application/json": {"schema": _ref("Page")}},
            },
            "404": {
                "description": "The token is not valid, has expired or is for another type.",
                "content": {"application/json": {"schema": _ref("Error")}},
            },
        },
    )
    preview["get"]["responses"].pop("429", None)
    found["/api/v2/preview/"] = preview
    feed_parameters = [_query("topic", ENTITY_DESCRIPTION), _query("locale", "Language code.")]
    found["/feeds/news.rss"] = _endpoint(
        "rss_feed",
        "feeds",
        "RSS 2.0 with full HTML in content:encoded.",
        feed_parameters,
        _ok(STRING, "RSS 2.0", "application/rss+xml"),
    )
    found["/feeds/news.atom"] = _endpoint(
        "atom_feed",
        "feeds",
        "Atom with full HTML content.",
        feed_parameters,
        _ok(STRING, "Atom", "application/atom+xml"),
    )
    found["/feeds/news.json"] = _endpoint(
        "json_feed",
        "feeds",
        "JSON Feed 1.1 with content_html.",
        feed_parameters,
        _ok(_ref("JSONFeed"), "JSON Feed 1.1", "application/feed+json"),
    )
    return found


def build_schema(*parts: Mapping[str, Any]) -> dict:
    """The whole document: the cms's paths and components, plus each part's.

    A part is ``{"paths": {...}, "components": {"schemas": {...}}}`` from another app
    (config passes the newsletter's: cms never imports newsletter). A part may not
    redefine a path or a component the document already has.
    """
    all_paths = paths()
    schemas = dict(SCHEMAS)
    for part in parts:
        for name, item in part.get("paths", {}).items():
            if name in all_paths:
                raise ValueError(f"OpenAPI path {name} is defined twice")
            all_paths[name] = item
        for name, item in part.get("components", {}).get("schemas", {}).items():
            if name in schemas:
                raise ValueError(f"OpenAPI component {name} is defined twice")
            schemas[name] = item
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{settings.WAGTAIL_SITE_NAME} content API",
            "version": "2",
            "description": "Read-only, public news content for external sites. Every response "
            "carries Cache-Control, ETag and Last-Modified; send If-None-Match to get a 304. "
            "The body of the webhooks Notiziario sends is the WebhookEvent component.",
        },
        "servers": [{"url": settings.SITE_URL}],
        "paths": dict(sorted(all_paths.items())),
        "components": {"schemas": schemas},
    }


def views(*parts: Mapping[str, Any]) -> tuple[Callable, Callable]:
    """The schema view (/api/schema/) and the docs page (/api/docs/) over these parts."""

    def schema_view(request: HttpRequest) -> HttpResponse:
        return JsonResponse(build_schema(*parts), json_dumps_params={"indent": 2})

    def docs_view(request: HttpRequest) -> HttpResponse:
        return render(request, "cms/api_docs.html", {"schema": build_schema(*parts)})

    return (
        public_endpoint(schema_view, parameters=frozenset()),
        public_endpoint(docs_view, parameters=frozenset()),
    )
