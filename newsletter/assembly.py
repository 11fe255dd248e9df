"""Assembling an issue: choose the news, freeze it, render it once per variant."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import content
from .models import Cadence, Issue, IssueItem, IssueRendition, IssueState, Newsletter
from .rendering import long_date, preheader, render_issue

logger = logging.getLogger(__name__)

CADENCE_PERIODS = {
    Cadence.DAILY: timedelta(days=1),
    Cadence.WEEKLY: timedelta(days=7),
    Cadence.MONTHLY: timedelta(days=31),
}


@dataclass(frozen=True)
class Assembly:
    issue: Issue | None
    reason: str  # why nothing was assembled, or "" when an issue was


def first_window_start(newsletter: Newsletter, now: datetime) -> datetime:
    if newsletter.lookback_days:
        return now - timedelta(days=newsletter.lookback_days)
    return now - CADENCE_PERIODS[Cadence(newsletter.cadence)]


def localised_subject(newsletter: Newsletter, number: int, day: datetime) -> str:
    language = newsletter.locale.language_code
    with translation.override(language):
        subject = _("%(name)s — n. %(number)d · %(date)s") % {
            "name": newsletter.name,
            "number": number,
            "date": long_date(day, language),
        }
    return subject[:200]


def assemble(newsletter: Newsletter, *, now: datetime | None = None) -> Assembly:
    """Freeze the next issue of `newsletter`, or explain why there is none."""
    now = now or timezone.now()
    with transaction.atomic():
        # One assembly per newsletter at a time: numbers and windows must not overlap.
        newsletter = (
            Newsletter.objects.select_for_update(of=("self",))
            .select_related("locale")
            .get(pk=newsletter.pk)
        )
        issues = newsletter.issues.exclude(state=IssueState.CANCELLED)
        latest = newsletter.issues.aggregate(
            end=Max("window_end", filter=~Q(state=IssueState.CANCELLED)), number=Max("number")
        )
        previous_end = latest["end"]
        window_start = previous_end or first_window_start(newsletter, now)
        if window_start >= now:
            return _skip(newsletter, "the previous issue already covers everything up to now")
        already_sent = IssueItem.objects.filter(issue__in=issues).values_list(
            "translation_key", flat=True
        )
        pages = content.recent_news(
            newsletter.locale,
            published_after=window_start,
            published_until=now,
            topic_ids=newsletter.topics.values_list("pk", flat=True),
        ).exclude(translation_key__in=already_sent)
        total = pages.count()
        if not total:
            return _skip(
                newsletter,
                f"no new live news in {newsletter.locale.language_code} between "
                f"{window_start:%Y-%m-%d %H:%M} and {now:%Y-%m-%d %H:%M}",
            )
        chosen = list(pages[: newsletter.max_items])
        number = (latest["number"] or 0) + 1
        issue = Issue.objects.create(
            newsletter=newsletter,
            number=number,
            subject=localised_subject(newsletter, number, now),
            preheader=preheader([page.title for page in chosen]),
            window_start=window_start,
            window_end=now,
            more_count=total - len(chosen),
            more_url=content.news_index_url(newsletter.locale) if total > len(chosen) else "",
        )
        links = content.url_cache()
        items = IssueItem.objects.bulk_create(
            [freeze_item(issue, position, page, links) for position, page in enumerate(chosen, 1)]
        )
        rendered = render_issue(issue, "", items=items)
        IssueRendition.objects.create(
            issue=issue, variant_key="", html=rendered.html, text=rendered.text
        )
    logger.info("Assembled %s with %d item(s), %d more", issue, len(items), issue.more_count)
    return Assembly(issue, "")


def freeze_item(issue: Issue, position: int, page, links=None) -> IssueItem:
    image_url, image_alt = content.image(page)
    return IssueItem(
        issue=issue,
        position=position,
        page_id=page.pk,
        translation_key=page.translation_key,
        title=page.title,
        standfirst=page.standfirst,
        url=content.page_url(page, links),
        image_url=image_url,
        image_alt=image_alt,
        published_at=page.published_at,
        topic_ids=sorted(topic.pk for topic in page.topics.all()),
        key_figures=content.key_figures(page),
    )


def render_variant(issue: Issue, key: str, *, items=None) -> IssueRendition:
    """Render and store one variant of the issue, unless it already exists."""
    existing = issue.renditions.filter(variant_key=key).first()
    if existing:
        return existing
    rendered = render_issue(issue, key, items=items)
    rendition, _ = IssueRendition.objects.get_or_create(
        issue=issue, variant_key=key, defaults={"html": rendered.html, "text": rendered.text}
    )
    return rendition


def _skip(newsletter: Newsletter, reason: str) -> Assembly:
    logger.info("No issue of %s assembled: %s", newsletter.slug, reason)
    return Assembly(None, reason)
