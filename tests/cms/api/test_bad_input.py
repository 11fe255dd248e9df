"""Bad input gets a 400 with a JSON body naming the parameter, never a 500."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _content():
    factories.news(title="Una notizia", topics=[factories.topic("Economia")])


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("child_of=2147483647", "child_of"),
        ("descendant_of=2147483647", "descendant_of"),
        ("ancestor_of=2147483647", "ancestor_of"),
        ("translation_of=2147483647", "translation_of"),
        ("order=random&offset=1", "order"),
        ("fields=title(id)", "fields"),
        ("type=cms.NewsPage&fields=topics(nonexistent)", "fields"),
    ],
)
def test_what_only_wagtail_can_refuse_names_the_parameter_it_came_from(api, query, parameter):
    """Wagtail's own 400s (a page that does not exist, a field it does not know) are
    attributed by where they arise (cms.api.params.about), not by their wording."""
    response = api.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter, response.json()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=blue", "colour"),
        ("published_after=yesterday", "published_after"),
        ("published_before=2024-02-30", "published_before"),
        ("published_after=2024-06-01&published_before=2024-05-01", "published_after"),
        ("child_of=abc", "child_of"),
        ("child_of=99999999999999999999", "child_of"),
        ("descendant_of=-1", "descendant_of"),
        ("translation_of=1.5", "translation_of"),
        ("limit=1000000", "limit"),
        ("limit=-5", "limit"),
        ("offset=99999999999999999999", "offset"),
        ("topic=", "topic"),
        ("topic=a%20b", "topic"),
        ("topic=1,,2", "topic"),
        ("mission=99999999999999999999999", "mission"),
        ("organisation=<script>", "organisation"),
        ("type=cms.Nothing", "type"),
        ("type=cms.HomePage&topic=economia", "topic"),
        ("fields=nonexistent", "fields"),
        ("fields=title(", "fields"),
        ("order=body", "order"),
        ("order=owner", "order"),
        ("locale=xx", "locale"),
        ("search_operator=xor&search=a", "search_operator"),
        ("title=%00", "title"),
        ("type=cms.NewsPage&publication_date=soon", "publication_date"),
        ("type=cms.NewsPage&topics=3", "topics"),
        ("show_in_menus=maybe", "show_in_menus"),
        ("id=abc", "id"),
    ],
)
def test_bad_listing_parameters_get_a_400_naming_the_parameter(api, query, parameter):
    response = api.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/topics/?limit=abc",
        "/api/v2/topics/?locale=zz",
        "/api/v2/people/?order=news",
        "/api/v2/places/?latitude=north",
        "/api/v2/images/?width=wide",
        "/api/v2/documents/?unknown=1",
        "/api/v2/pages/1/?colour=blue",
    ],
)
def test_bad_parameters_on_other_endpoints_get_a_400(api, url):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response.json()["parameter"]


@pytest.mark.parametrize("pk", ["99999999999999999999", "2147483648"])
def test_huge_ids_in_the_path_are_a_404_not_a_500(api, pk):
    response = api.get(f"/api/v2/pages/{pk}/")
    assert response.status_code == 404
    assert response.json()["message"]
