"""``{% page_links page as links %}``: a page's canonical address and its translations."""

from __future__ import annotations

from django import template

from cms.translated_urls import PageLinks
from cms.translated_urls import page_links as links_of

register = template.Library()


@register.simple_tag(takes_context=True)
def page_links(context, page) -> PageLinks:
    # Both the <head> and the language switcher ask; compute once per page and request.
    cached = getattr(page, "_page_links", None)
    if cached is None:
        cached = page._page_links = links_of(page, context.get("request"))
    return cached
