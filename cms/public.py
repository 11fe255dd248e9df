"""What anyone may see, stated once: the public API, the feeds and the newsletter use it.

Everything here ignores the request's session on purpose: an editor browsing
the API with an admin cookie must see exactly what an anonymous site sees.
Restrictions are checked in SQL (an ancestor-or-self restriction exists), so
these querysets cost no extra query however many restrictions there are.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction, Revision

from cms.models import NewsPage


def _restricted_ancestor(path_ref: str, restriction_model, restriction_path: str) -> Exists:
    # Treebeard paths: an ancestor's path is a prefix of its descendants' paths.
    return Exists(
        restriction_model.objects.filter(
            **{restriction_path: Substr(OuterRef(path_ref), 1, Length(restriction_path))}
        )
    )


def public_pages(model: type[Page] = Page) -> QuerySet:
    """Live, unexpired pages under no view restriction of any kind (nor under one's descendants)."""
    return (
        model.objects.filter(live=True, depth__gt=1)
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
        .exclude(_restricted_ancestor("path", PageViewRestriction, "page__path"))
    )


def next_scheduled_change() -> datetime | None:
    """The next moment a page stops or starts being public by schedule, if any is planned.

    The earliest future expire_at of a live page, or go-live of a revision
    scheduled for publishing; each is one index scan
    (cms/migrations/0005_page_schedule_indexes.py).
    """
    now = timezone.now()
    moments = [
        Page.objects.filter(live=True, expire_at__gt=now)
        .order_by("expire_at")
        .values_list("expire_at", flat=True)
        .first(),
        Revision.objects.filter(approved_go_live_at__gt=now)
        .order_by("approved_go_live_at")
        .values_list("approved_go_live_at", flat=True)
        .first(),
    ]
    return min((moment for moment in moments if moment is not None), default=None)


def public_news() -> QuerySet:
    return public_pages(NewsPage)


def _in_public_collections(model) -> QuerySet:
    return model.objects.exclude(
        _restricted_ancestor("collection__path", CollectionViewRestriction, "collection__path")
    )


def public_images() -> QuerySet:
    return _in_public_collections(get_image_model())


def public_documents() -> QuerySet:
    return _in_public_collections(get_document_model())
