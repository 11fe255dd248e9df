"""The one absolute-URL helper: every address we hand outside (API, feeds, webhooks,
emails, archive pages) is made absolute here, on SITE_URL."""

from __future__ import annotations

from typing import overload
from urllib.parse import urlsplit

from django.conf import settings


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


def page_html_url(page, request=None) -> str | None:
    """The page's public address on SITE_URL, or None when no site serves it.

    `request` is anything Wagtail may memoise the site root paths on (a request, or one
    object shared by a run of pages): with it, a run of pages costs no query per page.
    """
    parts = page.get_url_parts(request)
    if not parts or not parts[2]:
        return None
    return absolute_url(parts[2])
