"""Migration 0007 turns the four many-to-many relations of a news page (and a
mission's organisations met) into ordered chooser rows without losing a link,
in published pages and in drafts saved before the migration."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from cms.models import Mission, NewsPage, Organisation, Person, Place
from tests import factories
from tests.support.migrations import latest, migrate

BEFORE = [("cms", "0006_webhook_url_public_only")]
TABLES = {
    "topics": ("cms_newspage_topics", "topic_id"),
    "organisations": ("cms_newspage_organisations", "organisation_id"),
    "people": ("cms_newspage_people", "person_id"),
    "places": ("cms_newspage_places", "place_id"),
}


def links_in_tables() -> set[tuple[str, int, int]]:
    rows = set()
    with connection.cursor() as cursor:
        for name, (table, column) in TABLES.items():
            cursor.execute(f"SELECT newspage_id, {column} FROM {table}")
            rows |= {(name, page, entity) for page, entity in cursor.fetchall()}
        cursor.execute("SELECT mission_id, organisation_id FROM cms_mission_organisations_met")
        rows |= {("met", mission, org) for mission, org in cursor.fetchall()}
    return rows


def links_through_the_models() -> set[tuple[str, int, int]]:
    rows = set()
    for page in NewsPage.objects.all():
        for name in TABLES:
            rows |= {(name, page.pk, entity.pk) for entity in getattr(page, name).all()}
    for mission in Mission.objects.all():
        rows |= {("met", mission.pk, org.pk) for org in mission.organisations_met.all()}
    return rows


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_links_before_the_migration_are_the_links_after_it():
    it = factories.locale("it")
    region = Organisation.objects.create(
        name="Regione", slug="regione", kind="institution", locale=it
    )
    zeta = Organisation.objects.create(name="Zeta srl", slug="zeta", kind="company", locale=it)
    person = Person.objects.create(name="Eugenio", slug="eugenio", locale=it)
    place = Place.objects.create(name="Firenze", slug="firenze", country="Italia", locale=it)
    mission = Mission.objects.create(
        name="Missione", slug="missione", locale=it, start_date="2024-01-01", end_date="2024-01-02"
    )
    index = factories.site_tree()
    first = factories.news(index, topics=[factories.topic("Innovazione"), factories.topic("Bandi")])
    first.organisations.set([zeta, region])
    first.people.set([person])
    first.places.set([place])
    second = factories.news(index, topics=[factories.topic("Ricerca")])
    mission.organisations_met.set([zeta, region])

    migrate(BEFORE)
    before = links_in_tables()
    # A draft saved before the migration holds its links as lists of ids.
    revision_id = second.latest_revision_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM wagtailcore_revision WHERE id = %s", [revision_id])
        content = cursor.fetchone()[0]
        content = json.loads(content) if isinstance(content, str) else content
        content["topics"] = [factories.topic("Bandi").pk]
        content["organisations"] = [zeta.pk, region.pk]
        content.pop("topic_links", None)
        cursor.execute(
            "UPDATE wagtailcore_revision SET content = %s WHERE id = %s",
            [json.dumps(content), revision_id],
        )

    migrate(latest("cms", "newsletter"))

    assert len(before) == 9
    assert links_in_tables() == before
    assert links_through_the_models() == before
    # Ordered as the old lists showed them, by name: Regione before Zeta srl.
    assert [link.organisation.name for link in first.organisation_links.all()] == [
        "Regione",
        "Zeta srl",
    ]
    assert [link.sort_order for link in first.organisation_links.all()] == [0, 1]
    draft = NewsPage.objects.get(pk=second.pk).latest_revision.as_object()
    assert [topic.name for topic in draft.topics.all()] == ["Bandi"]
    assert {org.pk for org in draft.organisations.all()} == {zeta.pk, region.pk}
