"""A fast path for news listings: the same JSON as the DRF serializers, built directly.

DRF builds and runs a field object per value; for a 50-item listing with
nested entities that is most of the request's time. Here each field is a
plain function of the page and the request's Preloaded. Which fields appear, and
in which order, still comes from Wagtail's own serializer class for the
request (so `fields=` behaves exactly as in Wagtail); a field this module
does not know sends the request down the ordinary DRF path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse
from rest_framework.fields import DateTimeField

from cms.api import fields as api_fields
from cms.api import summaries
from cms.links import page_html_url

_datetime = DateTimeField()


def _datetime_or_none(value) -> str | None:
    return _datetime.to_representation(value) if value is not None else None


def _relation(name: str) -> Callable:
    return lambda page, batch: batch.relations[page.id][name]


FIELDS: dict[str, Callable[[Any, api_fields.Preloaded], Any]] = {
    "id": lambda page, batch: page.id,
    "type": lambda page, batch: "cms.NewsPage",
    "html_url": lambda page, batch: page_html_url(page, batch.request),
    "slug": lambda page, batch: page.slug,
    "show_in_menus": lambda page, batch: page.show_in_menus,
    "seo_title": lambda page, batch: page.seo_title,
    "search_description": lambda page, batch: page.search_description,
    "first_published_at": lambda page, batch: _datetime_or_none(page.first_published_at),
    "alias_of": lambda page, batch: None,  # news pages with an alias take the DRF path
    "locale": lambda page, batch: page.locale.language_code,
    "title": lambda page, batch: page.title,
    "standfirst": lambda page, batch: page.standfirst,
    "publication_date": lambda page, batch: _datetime_or_none(page.publication_date),
    "hero": api_fields.hero,
    # Preloaded.load_news_relations reads them with summaries.relations_sql.
    **{relation: _relation(relation) for relation in summaries.NEWS_RELATIONS},
    "mission": lambda page, batch: summaries.MISSION.of(page.mission) if page.mission_id else None,
    "source_url": lambda page, batch: page.source_url,
    "source_label": lambda page, batch: page.source_label,
}


# What the fields above read, for the page query: a listing loads no other column.
COLUMNS = (
    "title", "slug", "url_path", "show_in_menus", "seo_title", "search_description",
    "first_published_at", "alias_of", "locale", "locale__language_code", "standfirst",
    "publication_date", "hero_image", "hero_alt", "hero_caption", "hero_credit", "mission",
    "mission__slug", "mission__name", "mission__start_date", "mission__end_date", "source_url",
    "source_label",
)  # fmt: skip


def serves(serializer_class) -> bool:
    """Whether every field the request asks for is one this module builds."""
    known = set(FIELDS) | {"detail_url"}
    return all(name in known for name in serializer_class.Meta.fields)


def detail_url_prefix() -> str:
    path = reverse("wagtailapi:pages:detail", args=(0,))
    return settings.WAGTAILAPI_BASE_URL + path[: -len("0/")]


def serialize(pages: list, serializer_class, batch: api_fields.Preloaded) -> list[dict] | None:
    """The listing items, or None when a requested field needs the DRF path."""
    names = list(serializer_class.Meta.fields)
    meta_names = set(serializer_class.meta_fields)
    if not serves(serializer_class) or any(page.alias_of_id for page in pages):
        return None
    body = [name for name in names if name not in meta_names]
    meta = [name for name in names if name in meta_names]
    prefix = detail_url_prefix()
    items = []
    for page in pages:
        item: dict[str, Any] = {}
        if "id" in body:
            item["id"] = page.id
        if meta:
            item["meta"] = {
                name: f"{prefix}{page.id}/" if name == "detail_url" else FIELDS[name](page, batch)
                for name in meta
            }
        for name in body:
            if name != "id":
                item[name] = FIELDS[name](page, batch)
        items.append(item)
    return items
