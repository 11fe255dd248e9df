"""Queries per request stay constant as the page size grows (stock Wagtail: one per item)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import NewsPage
from tests import factories
from tests.cms.api.conftest import document, image, mission, organisation, person, place

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

MAX_QUERIES = 8


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    settings.API_RESPONSE_CACHE_TIMEOUT = 0


def full_news(index, n: int, target=None, attachment=None):
    org = organisation(f"Ente {n}")
    page = factories.news(
        index,
        publish=False,
        title=f"Notizia {n}",
        topics=[factories.topic(f"Tema {n}"), factories.topic("Comune")],
        hero_image=image(f"Foto {n}", size=(24, 16)),
        hero_alt="Descrizione",
        mission=mission(f"Missione {n}", destination=place(f"Luogo {n}")),
        body=[
            (
                "paragraph",
                f'<p><a linktype="page" id="{target.id}">pagina</a> '
                f'<a linktype="document" id="{attachment.id}">pdf</a></p>',
            ),
            ("image", {"image": image(f"Dentro {n}", size=(24, 16)), "alt": "x"}),
            ("related_link", {"label": "Vedi", "title": "T", "page": target, "url": ""}),
            ("paragraph", f'<p><a linktype="page" id="{index.id}">indice</a></p>'),
        ],
    )
    page.organisations.set([org])
    page.people.set([person(f"Persona {n}", org=org)])
    page.places.set([place(f"Citta {n}")])
    page.save_revision().publish()
    return page


def build_news(count: int) -> list[NewsPage]:
    index = factories.site_tree()
    target = factories.news(index, title="Collegata")
    attachment = document()
    return [full_news(index, n, target, attachment) for n in range(count)]


@pytest.fixture
def many_news():
    return build_news(50)


@pytest.fixture
def few_news():
    return build_news(3)


def count_queries(api, url: str) -> int:
    api.get(url)  # warm: renditions, content types and site root paths are made once
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_news_listings_of_50_run_a_fixed_number_of_queries(api, many_news):
    # One test for the three claims: building 50 full news items is most of its time.
    listing = "/api/v2/pages/?type=cms.NewsPage&fields=*&limit={limit}"
    large = count_queries(api, listing.format(limit=50))
    assert large <= MAX_QUERIES
    # The count does not grow with the page size.
    assert count_queries(api, listing.format(limit=2)) == large
    # Filters stay within the budget.
    filtered = "/api/v2/pages/?fields=*&limit=50&topic=comune&published_after=2000-01-01&locale=it"
    assert count_queries(api, filtered) <= MAX_QUERIES


def test_news_detail_with_every_kind_of_block_runs_at_most_8_queries(api, few_news):
    page = NewsPage.objects.get(pk=few_news[0].pk)
    assert count_queries(api, f"/api/v2/pages/{page.id}/") <= MAX_QUERIES


def test_snippet_listing_queries_do_not_grow_with_the_page_size(api, few_news):
    small = count_queries(api, "/api/v2/missions/?fields=*&limit=1")
    large = count_queries(api, "/api/v2/missions/?fields=*&limit=3")
    assert small == large <= MAX_QUERIES
