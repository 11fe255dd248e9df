"""The one place where the newsletter reads cms content.

Only live, public pages are read, never drafts or revisions, and every URL
handed to an email is absolute.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from django.db.models import Exists, OuterRef, QuerySet
from wagtail.models import Locale

from cms.links import absolute_url
from cms.models import NewsIndexPage, NewsPage
from cms.public import public_images

CARD_IMAGE_SPEC = "fill-1200x630"


def recent_news(
    locale: Locale,
    *,
    published_after: datetime,
    published_until: datetime,
    topic_ids: Iterable[int] = (),
) -> QuerySet[NewsPage]:
    """Live, public news in `locale` published in (after, until], newest first."""
    pages = (
        NewsPage.objects.live()
        .public()
        .filter(
            locale=locale,
            publication_date__gt=published_after,
            publication_date__lte=published_until,
        )
        .select_related("hero_image")
        # The API's rule: an image in a private collection is never shown (see image()).
        .annotate(hero_is_public=Exists(public_images().filter(pk=OuterRef("hero_image_id"))))
        .prefetch_related("topics")
        .order_by("-publication_date", "-pk")
    )
    topic_ids = list(topic_ids)
    if topic_ids:
        pages = pages.filter(topics__in=topic_ids).distinct()
    return pages


def url_cache() -> SimpleNamespace:
    """Something to pass as `cache` to page_url() for a run of pages.

    Wagtail memoises the site root paths on whatever object it gets as `request`;
    without one it asks the cache again for every page.
    """
    return SimpleNamespace()


def page_url(page: NewsPage, cache: SimpleNamespace | None = None) -> str:
    _site_id, _root_url, path = page.get_url_parts(cache) or (None, None, page.url_path)
    return absolute_url(path)


def image(page: NewsPage) -> tuple[str, str]:
    """The card image's absolute URL and its alt text, or ('', '') when there is none or it
    is in a private collection (an issue is emailed and archived in public)."""
    if not page.hero_image_id:
        return "", ""
    is_public = getattr(page, "hero_is_public", None)
    if is_public is None:  # a page that did not come from recent_news()
        is_public = public_images().filter(pk=page.hero_image_id).exists()
    if not is_public:
        return "", ""
    rendition = page.hero_image.get_rendition(CARD_IMAGE_SPEC)
    return absolute_url(rendition.url), page.hero_alt or page.hero_image.title


def key_figures(page: NewsPage) -> list[dict[str, str]]:
    return [
        {"value": block.value["value"], "label": block.value["label"]}
        for block in page.body
        if block.block_type == "key_figure"
    ]


def news_index_url(locale: Locale) -> str:
    """Where "more news" links go: the news index of the locale, or the site root."""
    index = NewsIndexPage.objects.live().public().filter(locale=locale).first()
    return page_url(index) if index else absolute_url("/")
