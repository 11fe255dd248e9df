"""The one absolute-URL helper: every address we hand outside (API, feeds, webhooks,
emails, archive pages) is made absolute here, on SITE_URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import overload
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import filepath_to_uri
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes
from wagtail import urls as wagtail_urls
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site


@overload
def absolute_url(path_or_url: str) -> str: ...
@overload
def absolute_url(path_or_url: None) -> None: ...


def absolute_url(path_or_url: str | None) -> str | None:
    """`path_or_url` on SITE_URL; an absolute URL is returned unchanged, None stays None.

    A site-relative path gets SITE_URL in front, with exactly one slash between them
    ("/notizie/", "notizie/" and "" all land on the site). An address that names its
    host (a rendition on a CDN, "https://…") is left alone; a scheme-relative one
    ("//cdn.example.org/…") takes SITE_URL's scheme, since an email has no page to
    borrow a scheme from.
    """
    if path_or_url is None:
        return None
    parts = urlsplit(path_or_url)
    if parts.scheme:
        return path_or_url
    if parts.netloc:
        return f"{urlsplit(settings.SITE_URL).scheme}:{path_or_url}"
    return settings.SITE_URL + "/" + path_or_url.lstrip("/")


def file_url_maker(storage) -> Callable[[str], str]:
    """`absolute_url(storage.url(name))` for many files of one storage.

    For files on local disk served from a site-relative MEDIA_URL (the default), the
    prefix is made absolute once and each name only quoted, which is what
    FileSystemStorage.url's urljoin answers for a name with no dot segments; other
    storages (a CDN, S3) and unusual names go through the storage itself.
    """
    base = getattr(storage, "base_url", None) or ""
    if not (
        getattr(storage.url, "__func__", None) is FileSystemStorage.url  # through a LazyObject too
        and base.startswith("/")
        and not base.startswith("//")
        and base.endswith("/")
    ):
        return lambda name: absolute_url(storage.url(name))
    prefix = absolute_url(base)

    def url(name: str) -> str:
        path = filepath_to_uri(name).lstrip("/")
        if path.startswith(".") or "/." in path:  # "./", "../" (and dotfiles): the storage
            return absolute_url(storage.url(name))
        return prefix + path

    return url


def page_html_url(page, request=None) -> str | None:
    """The page's public address on SITE_URL, or None when no site serves it.

    `request` is anything Wagtail may memoise the site root paths on (a request, or one
    object shared by a run of pages): with it, a run of pages costs no query per page,
    and the address is built from the page's url_path (see _page_path).
    """
    path = _page_path(page, request) if request is not None else _wagtail_page_path(page, None)
    return absolute_url(path) if path else None


def _wagtail_page_path(page, request) -> str | None:
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


_SERVE_PATH = re.compile(wagtail_urls.serve_pattern)


def _page_path(page, request) -> str | None:
    """What Page.get_url_parts(request)[2] answers, without its per-page costs.

    Wagtail reverses `wagtail_serve` for every page, inside a translation.override.
    Here the address under each (site root, language) is reversed once per request and a
    page's own part (its url_path below the root) is checked and quoted as reverse()
    would. Anything unusual (a page class with its own routing, a page under two sites)
    goes to Wagtail.
    """
    if type(page).get_url_parts is not Page.get_url_parts:
        return _wagtail_page_path(page, request)
    try:
        return path_at(page.url_path, request)
    except UnderSeveralSites:
        return _wagtail_page_path(page, request)


class UnderSeveralSites(Exception):
    """The url_path lies under the roots of two sites: only Wagtail can say which one serves it."""


def path_at(url_path: str, request) -> str | None:
    """Page.get_url_parts(request)[2] of a page at `url_path` that routes as Page does.

    For rows that are not Page instances (the news listing's, cms/api/listing.py) as
    well as for pages. The site root paths are memoised on `request`, as Wagtail does.
    """
    try:
        site_root_paths = request._wagtail_cached_site_root_paths
    except AttributeError:
        site_root_paths = request._wagtail_cached_site_root_paths = Site.get_site_root_paths()
    roots = [srp for srp in site_root_paths if url_path.startswith(srp.root_path)]
    if not roots:
        return None
    if len({root.site_id for root in roots}) > 1:
        raise UnderSeveralSites(url_path)
    root = roots[0]
    rest = url_path[len(root.root_path) :]
    if not _SERVE_PATH.search(rest):
        return None  # NoReverseMatch: Wagtail answers (site_id, None, None)
    prefix = _serve_prefix(request, root.language_code)
    if prefix is None:
        return None
    return escape_leading_slashes(prefix + quote(rest, safe=RFC3986_SUBDELIMS + "/~:@"))


def _serve_prefix(request, language_code: str) -> str | None:
    """reverse("wagtail_serve", args=("",)) in the page's language, memoised on `request`."""
    active = translation.get_language()
    try:
        prefixes = request._notiziario_serve_prefixes
    except AttributeError:
        prefixes = request._notiziario_serve_prefixes = {}
    key = (language_code, active)
    if key not in prefixes:
        prefixes[key] = _reverse_serve_prefix(language_code, active)
    return prefixes[key]


def _reverse_serve_prefix(language_code: str, active: str | None) -> str | None:
    # As Page.get_url_parts: an active language that is a variant of the page's wins.
    try:
        if get_supported_content_language_variant(active) == language_code:
            language_code = active
    except LookupError:
        pass
    try:
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            with translation.override(language_code):
                return reverse("wagtail_serve", args=("",))
        return reverse("wagtail_serve", args=("",))
    except NoReverseMatch:
        return None
