"""Migration 0008 turns a newsletter's many-to-many topics into ordered chooser
rows in the same table, without losing a choice."""

from __future__ import annotations

import pytest
from django.db import connection

from newsletter.models import Newsletter
from tests import factories
from tests.newsletter import builders
from tests.support.migrations import latest, migrate

BEFORE = [("newsletter", "0007_consent_resubscribe_and_topics")]


def choices_in_the_table() -> set[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT newsletter_id, topic_id FROM newsletter_newsletter_topics")
        return set(cursor.fetchall())


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_topics_before_the_migration_are_the_topics_after_it():
    weekly = builders.newsletter(name="Settimanale")
    monthly = builders.newsletter(name="Mensile")
    ricerca, bandi, innovazione = (
        factories.topic(name) for name in ("Ricerca", "Bandi", "Innovazione")
    )
    weekly.topics.set([ricerca, bandi, innovazione])
    monthly.topics.set([ricerca])

    migrate(BEFORE)
    before = choices_in_the_table()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'newsletter_newsletter_topics'"
        )
        assert "sort_order" not in {row[0] for row in cursor.fetchall()}

    migrate(latest("newsletter"))

    assert len(before) == 4
    assert choices_in_the_table() == before
    through_the_model = {
        (newsletter.pk, topic.pk)
        for newsletter in Newsletter.objects.all()
        for topic in newsletter.topics.all()
    }
    assert through_the_model == before
    # Numbered as the old checkboxes listed them, by name.
    links = Newsletter.objects.get(pk=weekly.pk).topic_links.order_by("sort_order")
    assert [(link.sort_order, link.topic.name) for link in links] == [
        (0, "Bandi"),
        (1, "Innovazione"),
        (2, "Ricerca"),
    ]
