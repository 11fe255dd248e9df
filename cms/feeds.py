"""News feeds: RSS 2.0, Atom and JSON Feed 1.1, with the full HTML of each news.

/feeds/news.rss, /feeds/news.atom and /feeds/news.json take `topic` (slugs or
ids, comma-separated) and `locale`. They share the API's visibility rules,
HTTP caching and invalidation (cms/caching.py).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Locale

from cms.api import fields as api_fields
from cms.api.errors import ParameterError
from cms.api.params import check_no_null_characters, named_entities
from cms.caching import public_endpoint
from cms.links import absolute_url, page_html_url
from cms.models import NewsPage, Topic
from cms.public import public_news
from web.params import InvalidParameter

FEED_ITEMS = 30
FEED_PARAMETERS = {"topic", "locale", "_"}
# Characters XML 1.0 forbids; a stray one would make the whole feed unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _XML_INVALID.sub("", text or "")


def block_html(block: dict) -> str:
    kind, value = block["type"], block["value"]
    if kind == "paragraph":
        return value
    if kind == "heading":
        level = "h3" if value["level"] == "h3" else "h2"
        return f"<{level}>{escape(value['text'])}</{level}>"
    if kind == "image":
        image = value["image"]
        caption = " — ".join(filter(None, [value["caption"], value["credit"]]))
        figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        return (
            f'<figure><img src="{escape(image["url"])}" srcset="{escape(image["srcset"])}" '
            f'alt="{escape(value["alt"])}" width="{image["renditions"].get("800w", {}).get("width", "")}">'
            f"{figcaption}</figure>"
        )
    if kind == "quote":
        cite = ", ".join(filter(None, [value["attribution"], value["role"]]))
        return f"<blockquote><p>{escape(value['text'])}</p><footer>{escape(cite)}</footer></blockquote>"
    if kind == "key_figure":
        return f"<p><strong>{escape(value['value'])}</strong> {escape(value['label'])}</p>"
    if kind == "embed" and value.get("url"):
        return f'<p><a href="{escape(value["url"])}">{escape(value["url"])}</a></p>'
    if kind == "related_link" and value.get("url"):
        return (
            f"<p>{escape(value['label'])}: "
            f'<a href="{escape(value["url"])}">{escape(value["title"])}</a></p>'
        )
    return ""


def news_html(page: NewsPage, batch: api_fields.Preloaded) -> str:
    parts = [f"<p><strong>{escape(page.standfirst)}</strong></p>"]
    hero = batch.image(page.hero_image_id, page.hero_alt)
    if hero:
        parts.append(
            f'<figure><img src="{escape(hero["url"])}" alt="{escape(hero["alt"])}"></figure>'
        )
    parts.extend(block_html(block) for block in api_fields.serialize_body(page, batch))
    if page.source_url:
        label = page.source_label or page.source_url
        parts.append(f'<p><a href="{escape(page.source_url)}">{escape(label)}</a></p>')
    return clean("\n".join(part for part in parts if part))


class FeedQuery:
    """The validated parameters of a feed request and the news they select."""

    def __init__(self, request: HttpRequest):
        check_no_null_characters(request.GET)
        unknown = sorted(set(request.GET) - FEED_PARAMETERS)
        if unknown:
            raise ParameterError(unknown[0], f"unknown query parameter for a feed: {unknown[0]}")
        self.request = request
        self.topics: list[Topic] = []
        queryset = public_news()
        if "topic" in request.GET:
            named = named_entities("topic", request.GET["topic"])
            self.topics = list(Topic.objects.filter(named.condition))
            queryset = queryset.filter(
                pk__in=NewsPage.objects.filter(topics__in=self.topics).values("pk")
            )
        # A feed declares one language, so it carries one: the default unless `locale` names another.
        code = request.GET.get("locale", settings.LANGUAGE_CODE)
        self.locale = Locale.objects.filter(language_code=code[:100]).first()
        if self.locale is None:
            raise ParameterError(
                "locale", f"locale {code[:20]!r} is not one of the site's languages"
            )
        queryset = queryset.filter(locale=self.locale)
        self.pages = list(
            queryset.select_related("locale")
            .prefetch_related("topics")
            .order_by("-publication_date", "-id")[:FEED_ITEMS]
        )
        self.batch = api_fields.Preloaded.load(self.pages, with_body=True)

    @property
    def title(self) -> str:
        names = ", ".join(topic.name for topic in self.topics)
        return f"{settings.WAGTAIL_SITE_NAME} — {names}" if names else settings.WAGTAIL_SITE_NAME

    @property
    def language(self) -> str:
        return self.locale.language_code

    def home_url(self) -> str:
        """The home page in the feed's language (/ for Italian, /en/ for English)."""
        with translation.override(self.locale.language_code):
            return absolute_url(reverse("wagtail_serve", args=("",)))

    def self_url(self) -> str:
        return absolute_url(self.request.get_full_path())


class _RssWithContent(Rss201rev2Feed):
    def rss_attributes(self):
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class _AtomWithContent(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def _xml_feed(request: HttpRequest, feed_class, content_type: str) -> HttpResponse:
    query = FeedQuery(request)
    with translation.override(query.language):
        description = _("%(title)s: le ultime notizie") % {"title": query.title}
    feed = feed_class(
        title=query.title,
        link=query.home_url(),
        description=description,
        language=query.language,
        feed_url=query.self_url(),
        # RFC 4287 wants an author on the feed or on every entry; the newsroom signs them all.
        author_name=settings.WAGTAIL_SITE_NAME,
        author_link=settings.SITE_URL + "/",
    )
    for page in query.pages:
        url = _page_url(page)
        feed.add_item(
            title=clean(page.title),
            link=url,
            description=clean(page.standfirst),
            unique_id=url,
            unique_id_is_permalink=True,
            pubdate=page.publication_date or page.first_published_at,
            # The page's last publication with its microseconds (RFC 3339 allows
            # fractional seconds): entries published within one second stay distinct.
            updateddate=page.last_published_at,
            categories=[clean(topic.name) for topic in page.topics.all()],
            content_html=news_html(page, query.batch),
        )
    return HttpResponse(feed.writeString("utf-8"), content_type=content_type)


def _page_url(page: NewsPage) -> str:
    return page_html_url(page) or settings.SITE_URL + "/"


def _with_errors(view):
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except InvalidParameter as error:
            return JsonResponse(
                {"message": error.message, "parameter": error.parameter}, status=400
            )

    wrapped.__name__ = view.__name__
    return wrapped


@_with_errors
def news_rss(request: HttpRequest) -> HttpResponse:
    return _xml_feed(request, _RssWithContent, "application/rss+xml; charset=utf-8")


@_with_errors
def news_atom(request: HttpRequest) -> HttpResponse:
    return _xml_feed(request, _AtomWithContent, "application/atom+xml; charset=utf-8")


@_with_errors
def news_json(request: HttpRequest) -> HttpResponse:
    query = FeedQuery(request)
    items = []
    for page in query.pages:
        url = _page_url(page)
        hero = query.batch.image(page.hero_image_id, page.hero_alt)
        published = page.publication_date or page.first_published_at
        item = {
            "id": url,
            "url": url,
            "title": page.title,
            "summary": page.standfirst,
            "content_html": news_html(page, query.batch),
            "date_published": published.isoformat() if published else None,
            "date_modified": page.last_published_at.isoformat() if page.last_published_at else None,
            "tags": [topic.name for topic in page.topics.all()],
            "language": page.locale.language_code,
        }
        if hero:
            item["image"] = hero["url"]
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": query.title,
        "home_page_url": query.home_url(),
        "authors": [{"name": settings.WAGTAIL_SITE_NAME, "url": settings.SITE_URL + "/"}],
        "feed_url": query.self_url(),
        "language": query.language,
        "items": items,
    }
    return HttpResponse(
        json.dumps(feed, ensure_ascii=False), content_type="application/feed+json; charset=utf-8"
    )


urlpatterns = [
    path("news.rss", public_endpoint(news_rss), name="news_rss"),
    path("news.atom", public_endpoint(news_atom), name="news_atom"),
    path("news.json", public_endpoint(news_json), name="news_json"),
]
