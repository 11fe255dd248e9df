"""Display-ready HTML from Wagtail's database HTML, resolved in batches.

Wagtail stores internal links as ``<a linktype="page" id="3">``. Sites need
plain ``<a href="https://…">``. Expanding one rich text at a time costs a
query per paragraph; ``expand_many`` resolves every link in a batch of texts
with at most one query per link type, and drops links to anything the public
API would not serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.utils.html import escape
from wagtail.rich_text.rewriters import extract_attrs

from cms.links import absolute_url, page_html_url
from cms.public import public_documents, public_pages

_LINK = re.compile(r"<a(\b[^>]*\blinktype=\"[^\"]*\"[^>]*)>")
_EMBED = re.compile(r"<embed(\b[^>]*)/>")


def _ids(sources: Iterable[str], linktype: str) -> set[int]:
    found = set()
    for html in sources:
        for match in _LINK.finditer(html):
            attrs = extract_attrs(match.group(1))
            if attrs.get("linktype") == linktype and str(attrs.get("id", "")).isdigit():
                found.add(int(attrs["id"]))
    return found


def linked_ids(sources: Iterable[str]) -> tuple[set[int], set[int]]:
    """The page ids and document ids that a batch of rich texts links to."""
    sources = list(sources)
    return _ids(sources, "page"), _ids(sources, "document")


def resolve_document_urls(document_ids: set[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    return {doc.id: absolute_url(doc.url) for doc in public_documents().filter(id__in=document_ids)}


def rewrite(html: str, page_urls: dict[int, str], document_urls: dict[int, str]) -> str:
    """Replace Wagtail's internal link and embed markup with plain HTML."""

    def replace_link(match: re.Match) -> str:
        attrs = extract_attrs(match.group(1))
        linktype = attrs.pop("linktype", "")
        link_id = str(attrs.pop("id", ""))
        href = None
        if linktype == "page" and link_id.isdigit():
            href = page_urls.get(int(link_id))
        elif linktype == "document" and link_id.isdigit():
            href = document_urls.get(int(link_id))
        if href is None:
            # A link to something private, deleted or unknown keeps its text, not its target.
            return "<a>"
        return f'<a href="{escape(href)}">'

    def replace_embed(match: re.Match) -> str:
        attrs = extract_attrs(match.group(1))
        if attrs.get("embedtype") == "media" and attrs.get("url"):
            url = escape(attrs["url"])
            return f'<p><a href="{url}">{url}</a></p>'
        return ""

    return _EMBED.sub(replace_embed, _LINK.sub(replace_link, html or ""))


def expand_many(sources: Sequence[str]) -> list[str]:
    """Expand a batch of database-HTML rich texts: one query per kind of link."""
    sources = [source or "" for source in sources]
    page_ids, document_ids = linked_ids(sources)
    pages = public_pages().filter(id__in=page_ids).only("id", "url_path") if page_ids else []
    page_urls = {page.id: url for page in pages if (url := page_html_url(page))}
    document_urls = resolve_document_urls(document_ids)
    return [rewrite(html, page_urls, document_urls) for html in sources]


def expand(source: str) -> str:
    return expand_many([source])[0]
