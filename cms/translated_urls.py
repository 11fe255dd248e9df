"""A page's address in each language, and the permanent redirect from its old one.

Italian pages are served unprefixed, other languages under their prefix (``/en/news/…``;
see config/urls.py). Before that, English pages answered at ``/news/…`` only when the
browser asked for English; sent emails, feed readers and search engines still hold
those addresses, so a 404 at an unprefixed address that names a public page of another
language redirects there permanently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import translation
from wagtail.models import Page, Site

from cms.links import page_html_url
from cms.public import public_pages
from web.locale import served_by_language_patterns


@dataclass(frozen=True)
class Alternate:
    language_code: str
    language_name: str
    url: str
    is_current: bool


@dataclass(frozen=True)
class PageLinks:
    """What a page's <head> and language switcher link to, all absolute on SITE_URL."""

    canonical: str | None
    alternates: list[Alternate]
    x_default: str | None


def page_links(page: Page, request: HttpRequest | None = None) -> PageLinks:
    canonical = page_html_url(page, request)
    found = alternates(page, request)
    default = next(
        (alt.url for alt in found if alt.language_code == settings.LANGUAGE_CODE), canonical
    )
    return PageLinks(canonical=canonical, alternates=found, x_default=default)


def alternates(page: Page, request: HttpRequest | None = None) -> list[Alternate]:
    """The page and its public translations, in the order of settings.LANGUAGES (one query)."""
    order = [code for code, _name in settings.LANGUAGES]
    translations = (
        public_pages()
        .filter(translation_key=page.translation_key)
        .select_related("locale")
        .only("id", "url_path", "translation_key", "locale__language_code")
    )
    found = []
    for translation_page in translations:
        code = translation_page.locale.language_code
        url = page_html_url(translation_page, request)
        if url and code in order:
            # Each language named in itself: "English" on the Italian page too.
            name = translation.get_language_info(code)["name_local"]
            found.append(Alternate(code, name, url, translation_page.pk == page.pk))
    return sorted(found, key=lambda alternate: order.index(alternate.language_code))


def _route(request: HttpRequest, root: Page, path: str) -> Page | None:
    components = [component for component in path.split("/") if component]
    try:
        page, args, kwargs = root.specific.route(request, components)
    except Http404:
        return None
    return page if not args and not kwargs else None


def page_at(request: HttpRequest, html_path: str) -> Page | None:
    """The page an address names: its language prefix (none: the default) picks the home page."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    html_path = "/" + html_path.lstrip("/")
    language = translation.get_language_from_path(html_path) or settings.LANGUAGE_CODE
    if language != settings.LANGUAGE_CODE:
        html_path = html_path.removeprefix(f"/{language}")
    root = (
        site.root_page.get_translations(inclusive=True)
        .filter(locale__language_code=language)
        .first()
    )
    return _route(request, root, html_path) if root is not None else None


def page_in_another_language_at(request: HttpRequest, path: str) -> Page | None:
    """The public page of a non-default language whose old, unprefixed address is `path`."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    roots = site.root_page.get_translations().exclude(locale__language_code=settings.LANGUAGE_CODE)
    for root in roots:  # one root per other language: a short, fixed list
        page = _route(request, root, path)
        if page is not None and public_pages().filter(pk=page.pk).exists():
            return page
    return None


class TranslatedPageRedirectMiddleware:
    """On a 404 at an unprefixed page address, redirect to the other language's page there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 404
            or request.method not in ("GET", "HEAD")
            or translation.get_language_from_path(request.path_info) is not None
            or not served_by_language_patterns(request.path_info)
        ):
            return response
        page = page_in_another_language_at(request, request.path_info)
        if page is None:
            return response
        parts = page.get_url_parts(request)
        if not parts or not parts[2]:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(parts[2] + (f"?{query}" if query else ""))
