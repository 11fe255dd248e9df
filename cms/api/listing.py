"""A fast path for news listings: the same JSON as the DRF serializers, built directly.

DRF builds and runs a field object per value; for a 50-item listing with
nested entities that is most of the request's time. Here each field is a
plain function of the page and the request's Preloaded. Which fields appear, and
in which order, still comes from Wagtail's own serializer class for the
request (so `fields=` behaves exactly as in Wagtail); a field this module
does not know sends the request down the ordinary DRF path.

The commonest listings (the news filters, a language, a page of results, in the
default order) also skip the ORM: `read_news` runs one written-out query, the
public-page rule of cms.public and the filters of cms.api.filters as SQL, and
returns plain rows instead of page objects. Building and compiling that query
with the ORM, and building a NewsPage per row, cost more than the rest of the
listing together. Any other parameter takes the ORM path, which stays the
definition: tests/cms/api/test_listing_fast_path.py checks that both answer the
same for every filter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.fields import DateTimeField
from wagtail.models import Page, PageViewRestriction

from cms.api import fields as api_fields
from cms.api import summaries
from cms.api.filters import ENTITY_FILTERS, locale_named
from cms.api.params import NEWS_FILTERS, Query
from cms.links import UnderSeveralSites, absolute_url, page_html_url, path_at
from cms.models import Mission, NewsPage

_datetime = DateTimeField()


def _datetime_or_none(value) -> str | None:
    return _datetime.to_representation(value) if value is not None else None


def _html_url(page, request) -> str | None:
    if isinstance(page, ListedNews):  # raises UnderSeveralSites when only Wagtail can say
        return absolute_url(path_at(page.url_path, request))
    return page_html_url(page, request)


def _relation(name: str) -> Callable:
    return lambda page, batch: batch.relations[page.id][name]


FIELDS: dict[str, Callable[[Any, api_fields.Preloaded], Any]] = {
    "id": lambda page, batch: page.id,
    "type": lambda page, batch: "cms.NewsPage",
    "html_url": lambda page, batch: _html_url(page, batch.request),
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


# Read with one written-out query when a listing asks for nothing else (no `order`, no
# `search`, no tree or field filters: those take the ORM).
WRITTEN_OUT_PARAMETERS = frozenset(["type", "fields", "limit", "offset", "locale", *NEWS_FILTERS])


def reads(parameters) -> bool:
    """Whether read_news can answer a news listing with these query parameters."""
    return NewsPage.get_url_parts is Page.get_url_parts and all(
        name in WRITTEN_OUT_PARAMETERS for name in parameters
    )


class ListedNews(SimpleNamespace):
    """A news item as a listing reads it: the COLUMNS, under the model's attribute names.

    `locale` and `mission` are nested the same way (`mission` is None without one).
    """


def _sources() -> dict[str, tuple[str, str]]:
    """Attribute name → (table alias, column) for `id` and every name in COLUMNS.

    A foreign key is read under its attname (`mission_id`), a column across one
    (`mission__slug`) under its lookup, nested by _row.
    """
    aliases = {Page: "p", NewsPage: "n"}
    related = {"locale": "l", "mission": "m"}
    found = {"id": ("p", "id")}
    for name in COLUMNS:
        if "__" in name:
            relation, column = name.split("__")
            model = NewsPage._meta.get_field(relation).related_model
            found[name] = (related[relation], model._meta.get_field(column).column)
        else:
            model_field = NewsPage._meta.get_field(name)
            found[model_field.attname] = (aliases[model_field.model], model_field.column)
    return found


@functools.cache
def _news_columns() -> tuple[str, tuple[str, ...]]:
    """The columns read_news selects, and the attribute each one fills."""
    quote = connection.ops.quote_name
    sources = _sources()
    columns = ", ".join(f"{alias}.{quote(column)}" for alias, column in sources.values())
    return columns, tuple(sources)


@functools.cache
def _news_tables() -> str:
    """FROM the news, with its page, locale and mission (aliased n, p, l, m)."""
    quote = connection.ops.quote_name
    locale_field = Page._meta.get_field("locale")
    mission_field = NewsPage._meta.get_field("mission")
    return (
        f"FROM {quote(NewsPage._meta.db_table)} n"
        f" JOIN {quote(Page._meta.db_table)} p ON p.id = n.{quote(NewsPage._meta.pk.column)}"
        f" JOIN {quote(locale_field.related_model._meta.db_table)} l"
        f" ON l.id = p.{quote(locale_field.column)}"
        f" LEFT JOIN {quote(Mission._meta.db_table)} m ON m.id = n.{quote(mission_field.column)}"
    )


@functools.cache
def _public_condition() -> str:
    """cms.public.public_pages as SQL, over the page aliased p; one parameter: now."""
    quote = connection.ops.quote_name
    page = quote(Page._meta.db_table)
    restriction = quote(PageViewRestriction._meta.db_table)
    return (
        "p.live AND p.depth > 1 AND (p.expire_at IS NULL OR p.expire_at > %s)"
        f" AND NOT EXISTS (SELECT 1 FROM {restriction} r JOIN {page} rp ON rp.id = r.page_id"
        " WHERE rp.path = SUBSTRING(p.path, 1, LENGTH(rp.path)))"
    )


@functools.cache
def _entity_condition(parameter: str) -> str:
    """cms.api.filters.NewsFilter for one entity filter; two parameters: ids, slugs."""
    quote = connection.ops.quote_name
    relation, model = ENTITY_FILTERS[parameter]
    named = (
        f"SELECT e.id FROM {quote(model._meta.db_table)} e WHERE e.id = ANY(%s) OR e.slug = ANY(%s)"
    )
    relation_field = NewsPage._meta.get_field(relation)
    if not relation_field.many_to_many:
        return f"n.{quote(relation_field.column)} IN ({named})"
    through = relation_field.remote_field.through._meta.db_table
    return (
        f"n.{quote(NewsPage._meta.pk.column)} IN (SELECT t.{quote(relation_field.m2m_column_name())}"
        f" FROM {quote(through)} t WHERE t.{quote(relation_field.m2m_reverse_name())} IN ({named}))"
    )


def _row(names: tuple[str, ...], values: tuple) -> ListedNews:
    fields: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for name, value in zip(names, values, strict=True):
        relation, _, column = name.partition("__")
        if column:
            nested.setdefault(relation, {})[column] = value
        else:
            fields[name] = value
    for relation, columns in nested.items():
        key = fields[f"{relation}_id"]
        fields[relation] = SimpleNamespace(id=key, **columns) if key is not None else None
    return ListedNews(**fields)


def read_news(query: Query, locale: str | None, offset: int, limit: int) -> tuple[list, int]:
    """One page of public news, newest first, and how many there are in all."""
    conditions = [_public_condition()]
    parameters: list[Any] = [timezone.now()]
    if locale is not None:
        conditions.append("l.language_code = %s")
        parameters.append(locale)
    for parameter, named in sorted(query.entities.items()):
        conditions.append(_entity_condition(parameter))
        parameters += [sorted(named.ids), sorted(named.slugs)]
    if query.published_after:
        conditions.append("n.publication_date >= %s")
        parameters.append(query.published_after.moment)
    if query.published_before:
        before = query.published_before
        conditions.append(
            "n.publication_date < %s" if before.whole_day else "n.publication_date <= %s"
        )
        parameters.append(before.moment)
    columns, names = _news_columns()
    tables, where = _news_tables(), " AND ".join(conditions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, COUNT(*) OVER () {tables} WHERE {where}"
            " ORDER BY n.publication_date DESC, n.page_ptr_id DESC LIMIT %s OFFSET %s",
            [*parameters, limit, offset],
        )
        rows = cursor.fetchall()
        if rows:
            total = rows[0][-1]
        else:  # past the last page, or nothing matches: the total alone
            cursor.execute(f"SELECT COUNT(*) {tables} WHERE {where}", parameters)
            total = cursor.fetchone()[0]
    if not total and locale is not None:
        locale_named(locale)  # a 400 if the site has no such language
    return [_row(names, row[:-1]) for row in rows], total


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
    try:
        return _items(pages, body, meta, prefix, batch)
    except UnderSeveralSites:  # rows from read_news under two sites: the ORM path asks Wagtail
        return None


def _items(pages: list, body: list[str], meta: list[str], prefix: str, batch) -> list[dict]:
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
