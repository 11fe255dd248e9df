"""Email rendering: Django templates written in MJML, compiled by mjml-python.

Templates live in newsletter/templates/newsletter/email/ and extend base.mjml.
Django's autoescaping applies, so content written by users is escaped. MRML
does not inline <mj-style inline="inline">, so styles are set with
mj-attributes or inline attributes, and css-inline inlines whatever remains.
"""

from __future__ import annotations

from dataclasses import dataclass

import css_inline
import html2text
import mjml
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    html: str
    text: str


class MJMLError(RuntimeError):
    pass


def mjml_to_html(source: str) -> str:
    try:
        html = mjml.mjml2html(source, disable_comments=True)
    except Exception as exc:  # MRML raises its own error types
        raise MJMLError(f"MJML could not be compiled: {exc}") from exc
    return css_inline.inline(html)


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 78
    converter.ignore_images = True
    converter.protect_links = True
    converter.unicode_snob = True
    return converter.handle(html).strip() + "\n"


def render_email(template_name: str, context: dict, *, language: str) -> RenderedEmail:
    """Render an MJML template in `language` to HTML and a plain-text part."""
    with translation.override(language):
        source = render_to_string(template_name, {**context, "language": language})
    html = mjml_to_html(source)
    return RenderedEmail(html=html, text=html_to_text(html))
