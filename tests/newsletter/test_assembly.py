"""Assembling an issue: which news goes in, what is frozen, and when nothing is."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from newsletter import assembly, sending
from newsletter.models import IssueState
from tests import factories
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def weekly():
    return builders.newsletter()


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def titles(issue) -> list[str]:
    return list(issue.items.values_list("title", flat=True))


def test_live_news_of_the_week_goes_in_newest_first(weekly):
    factories.news(title="Older", publication_date=days_ago(3))
    factories.news(title="Newer", publication_date=days_ago(1))
    assert titles(assembly.assemble(weekly).issue) == ["Newer", "Older"]


def test_drafts_never_go_in(weekly):
    factories.news(title="Live")
    factories.news(title="Draft", publish=False)
    assert titles(assembly.assemble(weekly).issue) == ["Live"]


def test_news_in_another_language_stays_out(weekly):
    factories.news(title="Italiano")
    factories.news(factories.site_tree("en"), title="English")
    assert titles(assembly.assemble(weekly).issue) == ["Italiano"]


def test_only_the_newsletters_topics_go_in(weekly):
    startup = factories.topic("Startup")
    weekly.topics.add(startup)
    factories.news(title="On topic", topics=[startup])
    factories.news(title="Off topic", topics=[factories.topic("Moda")])
    assert titles(assembly.assemble(weekly).issue) == ["On topic"]


def test_the_first_issue_looks_back_one_cadence_period(weekly):
    factories.news(title="Six days ago", publication_date=days_ago(6))
    factories.news(title="Eight days ago", publication_date=days_ago(8))
    assert titles(assembly.assemble(weekly).issue) == ["Six days ago"]


def test_the_look_back_of_the_first_issue_is_configurable(weekly):
    weekly.lookback_days = 10
    weekly.save()
    factories.news(title="Eight days ago", publication_date=days_ago(8))
    assert titles(assembly.assemble(weekly).issue) == ["Eight days ago"]


def test_the_next_issue_starts_where_the_previous_one_ended(weekly):
    factories.news(title="First")
    first = assembly.assemble(weekly, now=timezone.now()).issue
    factories.news(title="Second")
    second = assembly.assemble(weekly).issue
    assert second.window_start == first.window_end
    assert titles(second) == ["Second"]
    assert second.number == 2


def test_an_item_already_in_an_issue_is_never_repeated(weekly):
    page = factories.news(title="Once", publication_date=days_ago(1))
    assembly.assemble(weekly)
    page.publication_date = timezone.now()  # re-dated by an editor after the issue
    page.save_revision().publish()
    assert assembly.assemble(weekly).issue is None


def test_nothing_new_means_no_issue_and_a_logged_reason(weekly, caplog):
    factories.news(publication_date=days_ago(30))
    with caplog.at_level(logging.INFO, logger="newsletter.assembly"):
        result = assembly.assemble(weekly)
    assert result.issue is None
    assert "no new live news" in result.reason
    assert result.reason in caplog.text
    assert not weekly.issues.exists()


def test_assembly_stops_at_the_maximum_and_links_to_the_rest(weekly):
    weekly.max_items = 2
    weekly.save()
    for n in range(5):
        factories.news(title=f"News {n}", publication_date=days_ago(1 + n / 10))
    issue = assembly.assemble(weekly).issue
    assert titles(issue) == ["News 0", "News 1"]
    assert issue.more_count == 3
    assert issue.more_url.startswith("http")
    assert "/notizie/" in issue.more_url


def test_the_subject_is_localised_in_italian(weekly):
    factories.news(publication_date=datetime(2023, 12, 11, 9, tzinfo=ROME))
    weekly.lookback_days = 3
    weekly.save()
    issue = assembly.assemble(weekly, now=datetime(2023, 12, 12, 9, tzinfo=ROME)).issue
    assert issue.subject == "Innovazione in Toscana — n. 1 · 12 dicembre 2023"


def test_the_subject_is_localised_in_english():
    newsletter = builders.newsletter(name="Tuscany Innovation", language="en")
    index = factories.site_tree("en")
    factories.news(index, publication_date=datetime(2023, 12, 11, 9, tzinfo=ROME))
    issue = assembly.assemble(newsletter, now=datetime(2023, 12, 12, 9, tzinfo=ROME)).issue
    assert issue.subject == "Tuscany Innovation — No. 1 · 12 December 2023"


def test_each_item_is_frozen_with_title_standfirst_image_and_absolute_link(weekly):
    image = Image.objects.create(title="Lab", file=get_test_image_file())
    page = factories.news(
        title="Robot",
        standfirst="Un robot nuovo.",
        hero_image=image,
        hero_alt="Un braccio robotico",
        body=[{"type": "key_figure", "value": {"value": "130.000 €", "label": "budget"}}],
    )
    item = assembly.assemble(weekly).issue.items.get()
    assert (item.title, item.standfirst, item.page_id) == ("Robot", "Un robot nuovo.", page.pk)
    assert item.url == settings.SITE_URL + page.url
    assert item.image_url.startswith(settings.SITE_URL + "/media/images/")
    assert item.image_alt == "Un braccio robotico"
    assert item.key_figures == [{"value": "130.000 €", "label": "budget"}]


def test_frozen_items_survive_later_edits_of_the_page(weekly):
    page = factories.news(title="Before")
    issue = assembly.assemble(weekly).issue
    page.title = "After"
    page.save_revision().publish()
    assert titles(issue) == ["Before"]


def test_the_preheader_lists_the_first_titles(weekly):
    factories.news(title="Alpha", publication_date=days_ago(2))
    factories.news(title="Beta", publication_date=days_ago(1))
    assert assembly.assemble(weekly).issue.preheader == "Beta · Alpha"


def test_a_cancelled_issue_frees_its_window_and_items(weekly):
    factories.news(title="Again")
    first = assembly.assemble(weekly).issue
    sending.cancel(first)
    again = assembly.assemble(weekly).issue
    assert titles(again) == ["Again"]
    assert first.state == IssueState.CANCELLED
