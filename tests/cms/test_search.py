"""News is searchable by title, standfirst, body and linked entity names."""

from __future__ import annotations

import pytest
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backend

from cms.models import NewsPage, Organisation, Person
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.services("postgres")]


def search(query: str) -> list[str]:
    return [page.title for page in NewsPage.objects.live().search(query)]


def test_postgresql_uses_wagtails_postgres_full_text_backend():
    assert type(get_search_backend()).__name__ == "PostgresSearchBackend"


def test_a_linked_organisation_name_finds_the_story():
    it = factories.locale("it")
    organisation = Organisation.objects.create(
        name="Fonderia Zanardelli", slug="zanardelli", kind="company", locale=it
    )
    factories.news(title="Un accordo sull'acciaio verde", organisations=[organisation])
    factories.news(title="Un'altra notizia")

    assert search("Zanardelli") == ["Un accordo sull'acciaio verde"]


def test_a_linked_person_name_finds_the_story():
    it = factories.locale("it")
    person = Person.objects.create(name="Ottavia Brunelleschi", slug="ottavia", locale=it)
    factories.news(title="Nuova direttrice del polo", people=[person])

    assert search("Brunelleschi") == ["Nuova direttrice del polo"]


def test_a_word_in_the_standfirst_finds_the_story():
    factories.news(title="Bando aperto", standfirst="Contributi per i laboratori di fotonica.")

    assert search("fotonica") == ["Bando aperto"]


def test_a_word_in_the_body_finds_the_story():
    body = [("paragraph", RichText("<p>Gli elettrolizzatori saranno provati a Livorno.</p>"))]
    factories.news(title="Idrogeno", body=body)

    assert search("elettrolizzatori") == ["Idrogeno"]
