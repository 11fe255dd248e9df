"""The admin speaks Italian, lists snippets with search and filters, and pages render."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.rich_text import RichText

from cms.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_new_editors_admin_is_in_italian_even_if_the_browser_asks_for_english(client):
    editor = get_user_model().objects.create_superuser(
        "redattrice", "r@example.org", "pw-lunga-123"
    )
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="en-US,en")

    assert '<html lang="it"' in response.content.decode()
    assert "Esci" in response.content.decode()


def test_the_organisation_listing_filters_by_kind(admin_client):
    it = factories.locale("it")
    Organisation.objects.create(name="Nvidia", slug="nvidia", kind="company", locale=it)
    Organisation.objects.create(name="SkyDeck", slug="skydeck", kind="accelerator", locale=it)

    url = reverse("wagtailsnippets_cms_organisation:list")
    response = admin_client.get(url, {"kind": "accelerator", "locale": "it"})

    listed = [o.name for o in response.context["object_list"]]
    assert listed == ["SkyDeck"]


def test_the_organisation_listing_searches_by_name(admin_client):
    it = factories.locale("it")
    Organisation.objects.create(name="Nvidia", slug="nvidia", kind="company", locale=it)
    Organisation.objects.create(name="SkyDeck", slug="skydeck", kind="accelerator", locale=it)

    url = reverse("wagtailsnippets_cms_organisation:list")
    response = admin_client.get(url, {"q": "nvidia", "locale": "it"})

    assert [o.name for o in response.context["object_list"]] == ["Nvidia"]


def test_a_news_page_renders_every_block_and_escapes_text(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    body = [
        ("paragraph", RichText("<p>Testo <b>in grassetto</b>.</p>")),
        ("heading", {"text": "Sezione", "level": "h2"}),
        ("quote", {"text": "Una citazione", "attribution": "Ada", "role": ""}),
        ("key_figure", {"value": "130.000 €", "label": "budget 2024"}),
        (
            "related_link",
            {"label": "Per approfondire", "title": "intoscana", "page": None,
             "url": "https://www.intoscana.it/"},
        ),
    ]  # fmt: skip
    page = factories.news(title="<script>alert(1)</script>", body=body)

    html = client.get(page.url).content.decode()

    assert "<b>in grassetto</b>" in html
    assert "<h2>Sezione</h2>" in html
    assert "Una citazione" in html and "130.000 €" in html
    assert 'href="https://www.intoscana.it/"' in html
    assert "<script>alert(1)</script>" not in html


def test_the_news_index_lists_its_live_news(client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    page = factories.news(title="Pubblicata")
    factories.news(title="Bozza", publish=False)

    html = client.get(page.get_parent().url).content.decode()

    assert "Pubblicata" in html and "Bozza" not in html


def test_the_admin_preview_of_a_news_page_renders(admin_client):
    page = factories.news(title="Anteprima")

    response = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=(page.pk,)))

    assert response.status_code == 200
    assert "Anteprima" in response.content.decode()
