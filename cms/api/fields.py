"""How a news page is served: the API fields and the batch loader behind them.

Wagtail's stock serializers look up related rows one object at a time (a
locale query per page, a rendition query per image, a link query per
paragraph). Here a request first loads everything its pages refer to in a
fixed number of queries (``Batch.load``), then the serializer fields only read
from that batch. The query count of a listing does not grow with its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from rest_framework.fields import Field
from wagtail.api import APIField
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.api import richtext
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
    return {"url": richtext.absolute_url(url), "width": width, "height": height}


def load_images(image_ids: set[int]) -> dict[int, tuple[dict, dict[str, dict]]]:
    """Public images with their renditions: one plain query once the renditions exist."""
    image_ids = {image_id for image_id in image_ids if image_id}
    if not image_ids:
        return {}
    rendition_model = get_image_model().get_rendition_model()
    storage = rendition_model._meta.get_field("file").storage
    public = public_images().filter(id__in=image_ids)
    found: dict[int, tuple[dict, dict[str, dict]]] = {}
    rows = (
        rendition_model.objects.filter(image__in=public, filter_spec__in=RENDITIONS.values())
        .order_by("id")
        .values_list(
            "image_id", "image__title", "image__width", "image__height",
            "filter_spec", "file", "width", "height",
        )
    )  # fmt: skip
    for image_id, title, image_width, image_height, spec, file, width, height in rows:
        image = {"id": image_id, "title": title, "width": image_width, "height": image_height}
        found.setdefault(image_id, (image, {}))[1][spec] = _rendition(
            storage.url(file), width, height
        )
    incomplete = [
        image_id
        for image_id in image_ids
        if image_id not in found or len(found[image_id][1]) < len(RENDITIONS)
    ]
    if incomplete:
        # First request after an upload: make the missing renditions once.
        for image in public.filter(id__in=incomplete):
            made = image.get_renditions(*RENDITIONS.values())
            found[image.id] = (
                {
                    "id": image.id,
                    "title": image.title,
                    "width": image.width,
                    "height": image.height,
                },
                {
                    spec: _rendition(rendition.url, rendition.width, rendition.height)
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
class Batch:
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
            self.relations[page_id] = {
                name: [] for name in ("topics", "organisations", "people", "places")
            }
        if not page_ids:
            return
        sql, params = _relations_sql(page_ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for relation, page_id, *values in rows:
            row = dict(zip(_RELATION_COLUMNS, values, strict=True))
            self.relations[page_id][relation].append(_RELATION_SUMMARIES[relation](row))

    @classmethod
    def load(
        cls, pages: list, *, with_body: bool = False, with_relatives: bool = False, request=None
    ) -> Batch:
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
                if (url := richtext.page_html_url(related, request)) is not None:
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


def page_summary(page: Page, batch: Batch) -> dict:
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
        return richtext.absolute_url(reverse(f"wagtailapi:{endpoint}:detail", args=(pk,)))
    except NoReverseMatch:
        return None


# Body blocks -------------------------------------------------------------------------------


def serialize_block(block: dict, batch: Batch) -> dict | None:
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


def serialize_body(page, batch: Batch) -> list[dict]:
    return [
        item
        for block in _stream_blocks(page)
        if (item := serialize_block(block, batch)) is not None
    ]


# Serializer fields -------------------------------------------------------------------------


class BatchField(Field):
    """A read-only field that reads the whole page and the request's Batch."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    @property
    def batch(self) -> Batch:
        return self.context.get("batch") or Batch()


class HeroImageField(BatchField):
    def to_representation(self, page):
        hero = self.batch.image(page.hero_image_id, page.hero_alt)
        if hero is not None:
            hero.update(caption=page.hero_caption, credit=page.hero_credit)
        return hero


class BodyField(BatchField):
    def to_representation(self, page):
        return serialize_body(page, self.batch)


class HtmlUrlField(BatchField):
    def to_representation(self, page):
        return richtext.page_html_url(page, self.context.get("request"))


class LocaleField(BatchField):
    def to_representation(self, page):
        return page.locale.language_code


class TranslationsField(BatchField):
    def to_representation(self, page):
        translations = self.batch.translations.get(page.translation_key, [])
        return [
            page_summary(translation, self.batch)
            for translation in sorted(translations, key=lambda p: p.locale.language_code)
        ]


class ParentField(BatchField):
    def to_representation(self, page):
        parent = self.batch.parents.get(page.path[: -page.steplen]) if page.depth > 1 else None
        return page_summary(parent, self.batch) if parent else None


def topic_summary(topic) -> dict:
    return {"id": topic.id, "slug": topic.slug, "name": topic.name}


def organisation_summary(organisation) -> dict:
    return {
        "id": organisation.id,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
    }


def person_summary(person) -> dict:
    return {
        "id": person.id,
        "slug": person.slug,
        "name": person.name,
        "role": person.role,
        "organisation": topic_summary(person.organisation) if person.organisation else None,
    }


def place_summary(place) -> dict:
    return {
        "id": place.id,
        "slug": place.slug,
        "name": place.name,
        "city": place.city,
        "region": place.region,
        "country": place.country,
        "latitude": float(place.latitude) if place.latitude is not None else None,
        "longitude": float(place.longitude) if place.longitude is not None else None,
    }


def mission_summary(mission) -> dict:
    return {
        "id": mission.id,
        "slug": mission.slug,
        "name": mission.name,
        "start_date": mission.start_date.isoformat(),
        "end_date": mission.end_date.isoformat(),
    }


class SummariesField(Field):
    """A many-to-many relation as a list of small nested objects (prefetched)."""

    def __init__(self, summarise, **kwargs):
        self.summarise = summarise
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, manager):
        return [self.summarise(item) for item in manager.all()]


class SummaryField(Field):
    def __init__(self, summarise, **kwargs):
        self.summarise = summarise
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
            lambda delegate: {**person_summary(delegate.person), "role": delegate.effective_role},
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


class BudgetField(BatchField):
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
    APIField("topics", serializer=SummariesField(topic_summary)),
    APIField("organisations", serializer=SummariesField(organisation_summary)),
    APIField("people", serializer=SummariesField(person_summary)),
    APIField("places", serializer=SummariesField(place_summary)),
    APIField("mission", serializer=SummaryField(mission_summary)),
    APIField("source_url"),
    APIField("source_label"),
    APIField("body", serializer=BodyField()),
]

# Shown in listings without asking: what a news card needs.
NEWS_LISTING_DEFAULT_FIELDS = ["standfirst", "publication_date", "hero", "topics"]


_RELATION_COLUMNS = [
    "id", "slug", "name", "kind", "role", "city", "region", "country",
    "latitude", "longitude", "organisation_id", "organisation_slug", "organisation_name",
]  # fmt: skip


def _relations_sql(page_ids: list[int]) -> tuple[str, list[int]]:
    """UNION ALL of the four many-to-many relations, one row per linked entity."""
    from cms.models import NewsPage, Organisation, Person, Place, Topic

    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(page_ids))
    selects = []
    extra_columns = {
        "topics": (Topic, {}),
        "organisations": (Organisation, {"kind": "e.kind"}),
        "people": (
            Person,
            {"role": "e.role", "organisation_id": "o.id", "organisation_slug": "o.slug",
             "organisation_name": "o.name"},
        ),
        "places": (
            Place,
            {"city": "e.city", "region": "e.region", "country": "e.country",
             "latitude": "e.latitude", "longitude": "e.longitude"},
        ),
    }  # fmt: skip
    for relation, (model, extra) in extra_columns.items():
        field = NewsPage._meta.get_field(relation)
        through = field.remote_field.through._meta
        target = field.m2m_reverse_name()
        source = field.m2m_column_name()
        columns = ", ".join(
            extra.get(column)
            or (f"e.{quote(column)}" if column in ("id", "slug", "name") else _typed_null(column))
            for column in _RELATION_COLUMNS
        )
        join = ""
        if model is Person:
            join = f" LEFT JOIN {quote(Organisation._meta.db_table)} o ON o.id = e.organisation_id"
        selects.append(
            f"SELECT '{relation}', t.{quote(source)}, {columns} "
            f"FROM {quote(through.db_table)} t "
            f"JOIN {quote(model._meta.db_table)} e ON e.id = t.{quote(target)}{join} "
            f"WHERE t.{quote(source)} IN ({placeholders})"
        )
    sql = " UNION ALL ".join(selects) + " ORDER BY 1, 5, 3"
    return sql, list(page_ids) * len(selects)


def _typed_null(column: str) -> str:
    # PostgreSQL must agree on each column's type across the UNION's branches.
    if column == "organisation_id":
        return "CAST(NULL AS bigint)"
    if column in ("latitude", "longitude"):
        return "CAST(NULL AS numeric)"
    return "CAST(NULL AS varchar)"


def _float(value) -> float | None:
    return float(value) if value is not None else None


_RELATION_SUMMARIES = {
    "topics": lambda row: {"id": row["id"], "slug": row["slug"], "name": row["name"]},
    "organisations": lambda row: {
        "id": row["id"], "slug": row["slug"], "name": row["name"], "kind": row["kind"],
    },
    "people": lambda row: {
        "id": row["id"], "slug": row["slug"], "name": row["name"], "role": row["role"],
        "organisation": {
            "id": row["organisation_id"], "slug": row["organisation_slug"],
            "name": row["organisation_name"],
        } if row["organisation_id"] is not None else None,
    },
    "places": lambda row: {
        "id": row["id"], "slug": row["slug"], "name": row["name"], "city": row["city"],
        "region": row["region"], "country": row["country"],
        "latitude": _float(row["latitude"]), "longitude": _float(row["longitude"]),
    },
}  # fmt: skip
