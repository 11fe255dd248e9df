"""How a news page is served: the API fields and the batch loader behind them.

Wagtail's stock serializers look up related rows one object at a time (a
locale query per page, a rendition query per image, a link query per
paragraph). Here a request first loads everything its pages refer to in a
fixed number of queries (``Preloaded.load``), then the serializer fields only read
from that batch. The query count of a listing does not grow with its length.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from rest_framework.fields import Field
from wagtail.api import APIField
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, Page

from cms.api import richtext, summaries
from cms.links import absolute_url, file_url_maker, page_html_url
from cms.public import public_images, public_pages

# Rendition sizes every image is served in; sites pick from srcset.
RENDITIONS = {"400w": "width-400", "800w": "width-800", "1600w": "width-1600"}


def image_data(image: dict, renditions: dict[str, dict], alt: str = "") -> dict:
    """An image as served: absolute rendition URLs at each width, with sizes and alt."""
    sizes = {label: renditions[spec] for label, spec in RENDITIONS.items() if spec in renditions}
    default = sizes.get("800w") or next(iter(sizes.values()), None)
    return {
        "id": image["id"],
        "title": image["title"],
        "alt": alt,
        "width": image["width"],
        "height": image["height"],
        "url": default["url"] if default else None,
        "srcset": ", ".join(f"{size['url']} {size['width']}w" for size in sizes.values()),
        "renditions": sizes,
    }


def _rendition(url: str, width: int, height: int) -> dict:
    return {"url": url, "width": width, "height": height}


@functools.cache
def _renditions_sql() -> str:
    """Renditions of public images (as cms.public.public_images), with their image's fields.

    Written out once rather than compiled by the ORM on every request: the subquery
    excluding images under a restricted collection cost more to build than to run.
    """
    image_model = get_image_model()
    rendition_model = image_model.get_rendition_model()
    column = image_model._meta.get_field("collection").column
    return f"""
        SELECT r.image_id, i.title, i.width, i.height, r.filter_spec, r.file, r.width, r.height
        FROM {rendition_model._meta.db_table} r
        JOIN {image_model._meta.db_table} i ON i.id = r.image_id
        JOIN {Collection._meta.db_table} c ON c.id = i.{column}
        WHERE r.image_id = ANY(%s) AND r.filter_spec = ANY(%s)
        AND NOT EXISTS (
            SELECT 1 FROM {CollectionViewRestriction._meta.db_table} v
            JOIN {Collection._meta.db_table} vc ON vc.id = v.collection_id
            WHERE vc.path = SUBSTRING(c.path, 1, LENGTH(vc.path))
        )
        ORDER BY r.id
    """


def load_images(image_ids: set[int]) -> dict[int, tuple[dict, dict[str, dict]]]:
    """Public images with their renditions: one plain query once the renditions exist."""
    image_ids = {image_id for image_id in image_ids if image_id}
    if not image_ids:
        return {}
    file_url = file_url_maker(
        get_image_model().get_rendition_model()._meta.get_field("file").storage
    )
    found: dict[int, tuple[dict, dict[str, dict]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_renditions_sql(), [sorted(image_ids), list(RENDITIONS.values())])
        rows = cursor.fetchall()
    for image_id, title, image_width, image_height, spec, file, width, height in rows:
        image = {"id": image_id, "title": title, "width": image_width, "height": image_height}
        found.setdefault(image_id, (image, {}))[1][spec] = _rendition(file_url(file), width, height)
    incomplete = [
        image_id
        for image_id in image_ids
        if image_id not in found or len(found[image_id][1]) < len(RENDITIONS)
    ]
    if incomplete:
        # First request after an upload: make the missing renditions once.
        for image in public_images().filter(id__in=incomplete):
            made = image.get_renditions(*RENDITIONS.values())
            found[image.id] = (
                {
                    "id": image.id,
                    "title": image.title,
                    "width": image.width,
                    "height": image.height,
                },
                {
                    spec: _rendition(absolute_url(rendition.url), rendition.width, rendition.height)
                    for spec, rendition in zip(RENDITIONS.values(), made.values(), strict=True)
                },
            )
    return found


def _stream_blocks(page) -> list[dict]:
    body = getattr(page, "body", None)
    if body is None:
        return []
    return list(body.raw_data)


@dataclass
class Preloaded:
    """Everything the pages of one response refer to, loaded up front."""

    images: dict[int, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    pages: dict[int, Page] = field(default_factory=dict)
    page_urls: dict[int, str] = field(default_factory=dict)
    document_urls: dict[int, str] = field(default_factory=dict)
    translations: dict[str, list[Page]] = field(default_factory=dict)
    parents: dict[str, Page] = field(default_factory=dict)
    # page id → relation name → nested summaries (only filled by load_news_relations)
    relations: dict[int, dict[str, list[dict]]] = field(default_factory=dict)
    # Lets page URLs reuse the request's cached site root paths.
    request: Any = None

    def load_news_relations(self, page_ids: list[int]) -> None:
        """Topics, organisations, people and places of these news, in one query."""
        for page_id in page_ids:
            self.relations[page_id] = {name: [] for name in summaries.NEWS_RELATIONS}
        if not page_ids:
            return
        sql, params = summaries.relations_sql(page_ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for relation, page_id, *values in rows:
            row = dict(zip(summaries.RELATION_COLUMNS, values, strict=True))
            self.relations[page_id][relation].append(
                summaries.NEWS_RELATIONS[relation].from_row(row)
            )

    @classmethod
    def load(
        cls, pages: list, *, with_body: bool = False, with_relatives: bool = False, request=None
    ) -> Preloaded:
        """Load images, linked pages and documents, translations and parents.

        At most three queries: images with renditions, pages, documents.
        """
        batch = cls(request=request)
        image_ids = {getattr(page, "hero_image_id", None) for page in pages}
        page_ids: set[int] = set()
        document_ids: set[int] = set()
        if with_body:
            sources = []
            for page in pages:
                for block in _stream_blocks(page):
                    value = block.get("value")
                    if block.get("type") == "paragraph":
                        sources.append(value or "")
                    elif block.get("type") == "image" and isinstance(value, dict):
                        image_ids.add(_as_id(value.get("image")))
                    elif block.get("type") == "related_link" and isinstance(value, dict):
                        page_ids.add(_as_id(value.get("page")))
            linked_pages, linked_documents = richtext.linked_ids(sources)
            page_ids |= linked_pages
            document_ids |= linked_documents
        batch.images = load_images({image_id for image_id in image_ids if image_id})

        # The originals of aliases: meta.alias_of names one only if it is public.
        page_ids |= {page.alias_of_id for page in pages if getattr(page, "alias_of_id", None)}
        page_ids.discard(None)
        condition = Q(id__in=page_ids)
        if with_relatives:
            for page in pages:
                condition |= Q(translation_key=page.translation_key)
                if page.depth > 1:
                    condition |= Q(path=page.path[: -page.steplen])
        if condition != Q(id__in=set()):
            own_ids = {page.id for page in pages}
            for related in public_pages().filter(condition).select_related("locale"):
                batch.pages[related.id] = related
                if (url := page_html_url(related, request)) is not None:
                    batch.page_urls[related.id] = url
                if with_relatives:
                    if related.id not in own_ids:
                        batch.translations.setdefault(related.translation_key, []).append(related)
                    batch.parents[related.path] = related
        batch.document_urls = richtext.resolve_document_urls(document_ids)
        return batch

    def image(self, image_id: int | None, alt: str = "") -> dict | None:
        if not image_id or image_id not in self.images:
            return None
        image, renditions = self.images[image_id]
        return image_data(image, renditions, alt)


def _as_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    return None


def page_summary(page: Page, batch: Preloaded) -> dict:
    specific_class = page.specific_class
    return {
        "id": page.id,
        "type": f"{specific_class._meta.app_label}.{specific_class.__name__}"
        if specific_class
        else None,
        "title": page.title,
        "slug": page.slug,
        "locale": page.locale.language_code,
        "html_url": batch.page_urls.get(page.id),
        "detail_url": api_detail_url("pages", page.id),
    }


def api_detail_url(endpoint: str, pk: int) -> str | None:
    try:
        return absolute_url(reverse(f"wagtailapi:{endpoint}:detail", args=(pk,)))
    except NoReverseMatch:
        return None


# Body blocks -------------------------------------------------------------------------------


def serialize_block(block: dict, batch: Preloaded) -> dict | None:
    kind, value = block.get("type"), block.get("value")
    if kind == "paragraph":
        data: Any = richtext.rewrite(value or "", batch.page_urls, batch.document_urls)
    elif kind == "heading":
        data = {"text": value.get("text", ""), "level": value.get("level", "h2")}
    elif kind == "image":
        image = batch.image(_as_id(value.get("image")), value.get("alt", ""))
        if image is None:
            return None  # deleted, or in a private collection
        data = {
            "image": image,
            "alt": value.get("alt", ""),
            "caption": value.get("caption", ""),
            "credit": value.get("credit", ""),
        }
    elif kind == "quote":
        data = {
            "text": value.get("text", ""),
            "attribution": value.get("attribution", ""),
            "role": value.get("role", ""),
        }
    elif kind == "key_figure":
        data = {"value": value.get("value", ""), "label": value.get("label", "")}
    elif kind == "embed":
        data = {"url": value if isinstance(value, str) else (value or {}).get("url")}
    elif kind == "related_link":
        page_id = _as_id(value.get("page"))
        linked = batch.pages.get(page_id) if page_id else None
        if page_id and linked is None:
            return None  # the page is gone or not public
        data = {
            "label": value.get("label", ""),
            "title": value.get("title", ""),
            "url": batch.page_urls.get(page_id) if linked else (value.get("url") or None),
            "page": page_summary(linked, batch) if linked else None,
        }
    else:
        return None
    return {"type": kind, "id": block.get("id"), "value": data}


def serialize_body(page, batch: Preloaded) -> list[dict]:
    return [
        item
        for block in _stream_blocks(page)
        if (item := serialize_block(block, batch)) is not None
    ]


# Serializer fields -------------------------------------------------------------------------


class PreloadedField(Field):
    """A read-only field that reads the whole page and the request's Preloaded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    @property
    def batch(self) -> Preloaded:
        return self.context.get("batch") or Preloaded()


def hero(page, batch: Preloaded) -> dict | None:
    """A news item's hero image with its caption and credit (served by both paths)."""
    image = batch.image(page.hero_image_id, page.hero_alt)
    if image is not None:
        image.update(caption=page.hero_caption, credit=page.hero_credit)
    return image


class HeroImageField(PreloadedField):
    def to_representation(self, page):
        return hero(page, self.batch)


class BodyField(PreloadedField):
    def to_representation(self, page):
        return serialize_body(page, self.batch)


class HtmlUrlField(PreloadedField):
    def to_representation(self, page):
        return page_html_url(page, self.context.get("request"))


class LocaleField(PreloadedField):
    def to_representation(self, page):
        return page.locale.language_code


class TranslationsField(PreloadedField):
    def to_representation(self, page):
        translations = self.batch.translations.get(page.translation_key, [])
        return [
            page_summary(translation, self.batch)
            for translation in sorted(translations, key=lambda p: p.locale.language_code)
        ]


class AliasOfField(PreloadedField):
    """Wagtail's alias_of, but only when the original is public (cms.public): an alias
    in a public section must not reveal a restricted, expired or unpublished original."""

    def to_representation(self, page):
        original = self.batch.pages.get(page.alias_of_id) if page.alias_of_id else None
        if original is None:
            return None
        summary = page_summary(original, self.batch)
        return {
            "id": summary["id"],
            "meta": {
                "type": summary["type"],
                "detail_url": summary["detail_url"],
                "html_url": summary["html_url"],
            },
            "title": summary["title"],
        }


class ParentField(PreloadedField):
    def to_representation(self, page):
        parent = self.batch.parents.get(page.path[: -page.steplen]) if page.depth > 1 else None
        return page_summary(parent, self.batch) if parent else None


class SummariesField(Field):
    """A many-to-many relation as a list of small nested objects (prefetched)."""

    def __init__(self, summary: summaries.Summary | Callable[[Any], dict], **kwargs):
        self.summarise = summary.of if isinstance(summary, summaries.Summary) else summary
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, manager):
        return [self.summarise(item) for item in manager.all()]


class SummaryField(Field):
    """A foreign key as a small nested object, or null."""

    def __init__(self, summary: summaries.Summary, **kwargs):
        self.summarise = summary.of
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source, None)

    def to_representation(self, value):
        return self.summarise(value) if value is not None else None


class RichTextHtmlField(Field):
    """A RichTextField as display-ready HTML (index pages only; a query per link type)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return richtext.expand(value or "")


INTRO_API_FIELDS = [APIField("intro", serializer=RichTextHtmlField())]


class CoordinateField(Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return float(value) if value is not None else None


class DelegatesField(SummariesField):
    def __init__(self, **kwargs):
        super().__init__(
            lambda delegate: {
                **summaries.PERSON.of(delegate.person),
                "role": delegate.effective_role,
            },
            **kwargs,
        )


class AgreementsField(SummariesField):
    def __init__(self, **kwargs):
        super().__init__(
            lambda agreement: {
                "title": agreement.title,
                "signed_on": agreement.signed_on.isoformat() if agreement.signed_on else None,
                "parties": agreement.parties,
                "summary": agreement.summary,
            },
            **kwargs,
        )


class BudgetField(PreloadedField):
    def to_representation(self, mission):
        if mission.budget_amount is None:
            return None
        return {
            "amount": str(mission.budget_amount),
            "currency": mission.budget_currency,
            "purpose": mission.budget_purpose,
        }


NEWS_PAGE_API_FIELDS = [
    APIField("standfirst"),
    APIField("publication_date"),
    APIField("hero", serializer=HeroImageField()),
    *(
        APIField(relation, serializer=SummariesField(summary))
        for relation, summary in summaries.NEWS_RELATIONS.items()
    ),
    APIField("mission", serializer=SummaryField(summaries.MISSION)),
    APIField("source_url"),
    APIField("source_label"),
    APIField("body", serializer=BodyField()),
]

# Shown in listings without asking: what a news card needs.
NEWS_LISTING_DEFAULT_FIELDS = ["standfirst", "publication_date", "hero", "topics"]
