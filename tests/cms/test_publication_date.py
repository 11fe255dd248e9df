"""publication_date defaults to the first publication and stays editable."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.models import NewsPage
from tests import factories

pytestmark = pytest.mark.django_db


def draft(**fields) -> NewsPage:
    page = factories.news(publish=False, **fields)
    NewsPage.objects.filter(pk=page.pk).update(publication_date=None)
    page.refresh_from_db()
    page.publication_date = None
    return page


def test_publishing_without_a_date_uses_the_first_publication():
    page = draft()
    page.save_revision().publish()
    page.refresh_from_db()

    assert page.publication_date is not None
    assert page.publication_date == page.first_published_at


def test_an_editor_chosen_publication_date_is_kept():
    chosen = datetime(2023, 12, 12, 18, 0, tzinfo=ZoneInfo("Europe/Rome"))
    page = draft()
    page.publication_date = chosen
    page.save_revision().publish()
    page.refresh_from_db()

    assert page.publication_date == chosen


def test_republishing_keeps_the_first_publication_date():
    page = draft()
    page.save_revision().publish()
    page.refresh_from_db()
    first = page.publication_date

    page.title = "Titolo corretto"
    page.publication_date = None  # an older draft may not carry the date
    page.save_revision().publish()
    page.refresh_from_db()

    assert page.publication_date == first


def test_a_scheduled_page_gets_its_publication_date_when_it_goes_live():
    page = draft()
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live and page.publication_date is None

    # Time passes: the approved go-live moment is now in the past.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page.refresh_from_db()

    assert page.live
    assert page.publication_date == page.first_published_at


def test_the_publication_date_is_on_the_content_tab_of_the_editor():
    content_fields = [getattr(panel, "field_name", None) for panel in NewsPage.content_panels]

    assert "publication_date" in content_fields
