"""Email rendering: Django templates written in MJML, compiled by mjml-python.

Templates live in newsletter/templates/newsletter/email/ and extend base.mjml.
Django's autoescaping applies, so content written by users is escaped. MRML
does not inline <mj-style inline="inline">, so styles are set with
mj-attributes or inline attributes, and css-inline inlines whatever remains.
css-inline keeps the <style> blocks too (keep_style_tags): their @media rules
make the columns responsive and carry the dark-mode colours, which no inline
style can express. Every email has a hand-written text part beside its MJML
(name.mjml and name.txt): text generated from the HTML is table debris.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import css_inline
import mjml
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from cms.links import absolute_url

from . import clicks
from .addresses import keyed_hash
from .content import CARD_IMAGE_SPEC


@dataclass(frozen=True)
class RenderedEmail:
    html: str
    text: str


class MJMLError(RuntimeError):
    pass


# Inline what can be inlined (clients that drop <style>), and keep the <style> blocks
# for those that honour @media (responsive columns, prefers-color-scheme). Never fetch
# a stylesheet from the network while rendering.
INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def mjml_to_html(source: str) -> str:
    try:
        html = mjml.mjml2html(source, disable_comments=True)
    except Exception as exc:  # MRML raises its own error types
        raise MJMLError(f"MJML could not be compiled: {exc}") from exc
    return INLINER.inline(html)


def render_email(
    template_name: str, context: dict, *, language: str, text_template: str
) -> RenderedEmail:
    """Render an MJML template in `language` to HTML, and `text_template` to the text part.

    The text part is written by hand for reading as text: one link per line, each
    once, no table layout.
    """
    context = {**context, "language": language, "privacy_url": settings.NEWSLETTER_PRIVACY_URL}
    with translation.override(language):
        source = render_to_string(template_name, context)
        text = render_to_string(text_template, context)
    return RenderedEmail(html=mjml_to_html(source), text=tidy_text(text))


def tidy_text(text: str) -> str:
    """Collapse the blank lines template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


# --- Issues -------------------------------------------------------------------
# An issue is rendered once per distinct topic selection (variant). The links
# that differ per subscriber are left as placeholders and substituted at send
# time. Placeholders are keyed hashes of the issue, so no content written by an
# editor can contain one by accident or on purpose.

PERSONAL_FIELDS = ("unsubscribe_url", "preferences_url")


def placeholder(issue_id: int, field: str) -> str:
    return "ph" + keyed_hash(f"newsletter-placeholder:{issue_id}:{field}")[:30]


PREHEADER_LENGTH = 180
# Italian writes month names in lower case ("12 dicembre 2023"); Django's own data capitalises.
LOWER_CASE_MONTHS = {"it"}


def long_date(day, language: str) -> str:
    if isinstance(day, datetime):
        day = timezone.localtime(day)
    with translation.override(language):
        month = formats.date_format(day, "F")
    if language in LOWER_CASE_MONTHS:
        month = month.lower()
    return f"{day.day} {month} {day.year}"


def preheader(titles: list[str]) -> str:
    text = " · ".join(titles)
    if len(text) <= PREHEADER_LENGTH:
        return text
    return text[: PREHEADER_LENGTH - 1].rsplit(" ", 1)[0] + "…"


# Card images are CARD_IMAGE_SPEC renditions (fill: always this aspect ratio), shown
# IMAGE_WIDTH pixels wide (the 640 px body less the card's 16 px padding on each side).
# The pixel height keeps the layout from jumping while images load and in clients that
# ignore CSS (Outlook); CSS height:auto keeps them proportional on a phone.
IMAGE_WIDTH = 640 - 2 * 16


def _image_height() -> int:
    width, height = CARD_IMAGE_SPEC.removeprefix("fill-").split("x")
    return round(IMAGE_WIDTH * int(height) / int(width))


IMAGE_HEIGHT = _image_height()


def variant_key(topic_ids) -> str:
    return ",".join(str(pk) for pk in sorted(set(topic_ids)))


def items_for_variant(items, key: str) -> list:
    """Items a subscriber with this topic selection receives ('' means all)."""
    if not key:
        return list(items)
    wanted = {int(pk) for pk in key.split(",")}
    return [item for item in items if wanted.intersection(item.topic_ids)]


def render_issue(issue, key: str = "", *, items=None) -> RenderedEmail:
    """The issue's HTML and text for one variant, with personal placeholders in place."""
    newsletter = issue.newsletter
    items = items_for_variant(items if items is not None else issue.items.all(), key)
    items = clicks.counted_items(issue, items)  # news links through the click counter, if on
    figures = [figure for item in items for figure in item.key_figures][:6]
    context = {
        "issue": issue,
        "newsletter": newsletter,
        "subject": issue.subject,
        "preheader": preheader([item.title for item in items]) if key else issue.preheader,
        "issue_date": long_date(issue.window_end, newsletter.locale.language_code),
        "sender_name": newsletter.sender_name,
        "postal_address": newsletter.postal_address,
        "items": items,
        "key_figures": figures,
        "archive_url": archive_url(issue),
        "image_height": IMAGE_HEIGHT,
        **{name: placeholder(issue.pk, name) for name in PERSONAL_FIELDS},
    }
    return render_email(
        "newsletter/email/issue.mjml",
        context,
        language=newsletter.locale.language_code,
        text_template="newsletter/email/issue.txt",
    )


def archive_url(issue) -> str:
    return absolute_url(
        reverse("newsletter:archive-issue", args=[issue.newsletter.slug, issue.number])
    )


def personalise(rendered: RenderedEmail, issue_id: int, links: dict[str, str]) -> RenderedEmail:
    """Substitute the per-subscriber links into a rendered variant."""
    html, text = rendered.html, rendered.text
    for name in PERSONAL_FIELDS:
        token = placeholder(issue_id, name)
        html = html.replace(token, escape(links[name]))
        text = text.replace(token, links[name])
    return RenderedEmail(html=html, text=text)


def without_personal_links(rendered: RenderedEmail, issue_id: int) -> RenderedEmail:
    """The variant as anyone may see it (archive, admin preview, test sends): every
    personal link points at the public subscribe form."""
    public_form = absolute_url(reverse("newsletter:subscribe"))
    return personalise(rendered, issue_id, dict.fromkeys(PERSONAL_FIELDS, public_form))
