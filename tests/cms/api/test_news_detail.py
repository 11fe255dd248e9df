"""A news detail serves every structured field, display-ready."""

from __future__ import annotations

import pytest

from cms.models import NewsPage
from tests import factories
from tests.cms.api.conftest import document, image, mission, organisation, person, place

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def rich_news():
    index = factories.site_tree()
    target = factories.news(index, title="Pagina collegata")
    hero = image("Copertina")
    inline = image("Nel testo")
    attachment = document("Accordo")
    org = organisation()
    news = factories.news(
        index,
        title="Toscana in Texas",
        topics=[factories.topic("Economia")],
        hero_image=hero,
        hero_alt="La delegazione",
        hero_caption="A Houston",
        hero_credit="Regione Toscana",
        mission=mission(destination=place()),
        source_url="https://www.intoscana.it/",
        source_label="intoscana.it",
        body=[
            (
                "paragraph",
                f'<p>Vedi <a linktype="page" id="{target.id}">la pagina</a> e '
                f'<a linktype="document" id="{attachment.id}">il PDF</a>.</p>',
            ),
            ("heading", {"text": "Gli incontri", "level": "h2"}),
            ("image", {"image": inline, "alt": "Una stretta di mano", "caption": "", "credit": ""}),
            ("quote", {"text": "Un ponte.", "attribution": "Marras", "role": "assessore"}),
            ("key_figure", {"value": "130.000 €", "label": "budget"}),
            (
                "related_link",
                {"label": "Vedi anche", "title": "Collegata", "page": target, "url": ""},
            ),
        ],
    )
    news.organisations.set([org])
    news.people.set([person(org=org)])
    news.places.set([place("Austin")])
    news.save_revision().publish()
    return NewsPage.objects.get(pk=news.pk), target, attachment


def detail(api, page):
    response = api.get(f"/api/v2/pages/{page.id}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_rich_text_in_the_body_has_absolute_links_and_no_wagtail_markup(api, rich_news):
    news, target, attachment = rich_news
    html = detail(api, news)["body"][0]["value"]
    assert "linktype" not in html and "embedtype" not in html
    assert f'href="https://notizie.example.org{target.url}"' in html
    assert f'href="https://notizie.example.org{attachment.url}"' in html


def test_body_blocks_are_typed_json(api, rich_news):
    news, _, _ = rich_news
    body = detail(api, news)["body"]
    assert [block["type"] for block in body] == [
        "paragraph",
        "heading",
        "image",
        "quote",
        "key_figure",
        "related_link",
    ]
    assert body[1]["value"] == {"text": "Gli incontri", "level": "h2"}
    assert body[4]["value"] == {"value": "130.000 €", "label": "budget"}


def test_images_come_in_three_absolute_renditions_with_size_and_alt(api, rich_news):
    news, _, _ = rich_news
    hero = detail(api, news)["hero"]
    assert hero["alt"] == "La delegazione"
    assert set(hero["renditions"]) == {"400w", "800w", "1600w"}
    assert hero["renditions"]["400w"]["width"] == 400
    assert hero["renditions"]["1600w"]["url"].startswith("https://notizie.example.org/media/")
    assert hero["caption"] == "A Houston" and hero["credit"] == "Regione Toscana"


def test_image_blocks_carry_their_renditions_and_alt(api, rich_news):
    news, _, _ = rich_news
    block = detail(api, news)["body"][2]["value"]
    assert block["alt"] == "Una stretta di mano"
    assert block["image"]["renditions"]["800w"]["width"] == 800


def test_linked_entities_are_nested_with_their_slugs(api, rich_news):
    news, _, _ = rich_news
    data = detail(api, news)
    assert data["topics"] == [
        {"id": data["topics"][0]["id"], "slug": "economia", "name": "Economia"}
    ]
    assert data["organisations"][0]["slug"] == "regione-toscana"
    assert data["people"][0]["organisation"]["slug"] == "regione-toscana"
    assert data["places"][0]["slug"] == "austin"
    assert data["mission"]["slug"] == "missione-in-texas"


def test_related_link_to_a_page_gives_its_absolute_url(api, rich_news):
    news, target, _ = rich_news
    link = detail(api, news)["body"][5]["value"]
    assert link["url"] == f"https://notizie.example.org{target.url}"
    assert link["page"]["id"] == target.id


def test_html_url_is_absolute_on_site_url_with_locale_and_translations(api, rich_news):
    news, _, _ = rich_news
    factories.site_tree("en")
    translation = news.copy_for_translation(factories.locale("en"), copy_parents=True)
    translation.save_revision().publish()
    data = detail(api, news)
    assert data["meta"]["html_url"] == f"https://notizie.example.org{news.url}"
    assert data["meta"]["locale"] == "it"
    assert [item["locale"] for item in data["meta"]["translations"]] == ["en"]
    assert data["meta"]["translations"][0]["id"] == translation.id


def test_listing_items_match_the_detail_field_for_field(api, rich_news):
    news, _, _ = rich_news
    data = detail(api, news)
    listing = api.get("/api/v2/pages/?type=cms.NewsPage&fields=*&limit=10").json()["items"]
    [item] = [item for item in listing if item["id"] == news.id]
    for name in ("title", "standfirst", "publication_date", "hero", "topics", "organisations",
                 "people", "places", "mission", "source_url", "source_label"):  # fmt: skip
        assert item[name] == data[name], name
    for name in ("type", "detail_url", "html_url", "slug", "locale", "first_published_at"):
        assert item["meta"][name] == data["meta"][name], name


def test_listing_fields_parameter_picks_the_fields(api, rich_news):
    url = "/api/v2/pages/?type=cms.NewsPage&fields=_,id,title,people,locale&limit=1"
    item = api.get(url).json()["items"][0]
    assert list(item) == ["id", "meta", "title", "people"]
    assert item["meta"] == {"locale": "it"}
