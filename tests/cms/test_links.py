"""cms/links.py: every address handed outside is absolute on SITE_URL, made in one place."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Page

from cms.links import absolute_url, file_url_maker, page_html_url
from tests import factories

pytestmark = pytest.mark.usefixtures("site_url")


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://notizie.example.org"


def test_a_site_path_is_put_on_the_site_url():
    assert absolute_url("/notizie/una/") == "https://notizie.example.org/notizie/una/"


def test_a_path_without_its_leading_slash_still_lands_on_the_site():
    assert absolute_url("media/foto.jpg") == "https://notizie.example.org/media/foto.jpg"


def test_the_site_root_is_the_site_url_with_its_slash():
    assert absolute_url("/") == "https://notizie.example.org/"


def test_an_absolute_url_is_left_alone():
    url = "https://cdn.example.net/renditions/foto.jpg?v=2"
    assert absolute_url(url) == url


def test_a_scheme_relative_url_takes_the_site_scheme_not_the_site_host():
    assert absolute_url("//cdn.example.net/foto.jpg") == "https://cdn.example.net/foto.jpg"


def test_no_url_stays_no_url():
    assert absolute_url(None) is None


def test_a_query_and_fragment_are_kept():
    assert absolute_url("/feeds/news.rss?topic=1#x") == (
        "https://notizie.example.org/feeds/news.rss?topic=1#x"
    )


def _wagtail_html_url(page, request) -> str | None:
    parts = page.get_url_parts(request)
    return absolute_url(parts[2]) if parts and parts[2] else None


@pytest.mark.django_db
@pytest.mark.parametrize("active", ["it", "en"])
def test_a_page_address_is_wagtails_own_in_each_language_and_for_unicode_slugs(active):
    italian = factories.news(title="Caffè è più forte")
    italian.slug = "caffè-è-più-forte"
    italian.save_revision().publish()
    factories.site_tree("en")
    english = italian.copy_for_translation(factories.locale("en"), copy_parents=True)
    english.slug = "coffee-is-stronger"
    english.save_revision().publish()
    request = RequestFactory().get("/")
    with translation.override(active):
        pages = list(Page.objects.filter(depth__gt=1).specific())
        expected = {page.id: _wagtail_html_url(page, request) for page in pages}
        # A fresh request: the memoised prefixes start empty, as on a real request.
        request = RequestFactory().get("/")
        assert {page.id: page_html_url(page, request) for page in pages} == expected
    assert expected[english.id].startswith("https://notizie.example.org/en/")
    assert "caff%C3%A8-%C3%A8-pi%C3%B9-forte/" in expected[italian.id]


FILE_NAMES = [
    "images/foto.width-800.jpg",
    "/images/foto.jpg",
    "images/città è bella.jpg",
    "images/a b#c?d;e:f%20g.jpg",
    "images/../segreto.jpg",
    "images/./foto.jpg",
    "images/.nascosto.jpg",
    "images/~utente/(1)'!*.jpg",
    "images\\windows.jpg",
]


@pytest.mark.parametrize(
    "base_url", ["/media/", "/", "https://cdn.example.net/media/", "//cdn.example.net/m/"]
)
def test_file_urls_are_the_storages_own_made_absolute(base_url, tmp_path):
    storage = FileSystemStorage(location=tmp_path, base_url=base_url)
    file_url = file_url_maker(storage)
    for name in FILE_NAMES:
        assert file_url(name) == absolute_url(storage.url(name)), name


def test_the_default_storage_behind_its_lazy_object_gets_the_same_urls(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_URL = "/media/"
    file_url = file_url_maker(default_storage)
    for name in FILE_NAMES:
        assert file_url(name) == absolute_url(default_storage.url(name)), name


def test_another_storage_is_asked_for_its_own_urls(tmp_path):
    class SignedStorage(FileSystemStorage):
        def url(self, name):
            return f"https://cdn.example.net/{name}?firma=1"

    file_url = file_url_maker(SignedStorage(location=tmp_path, base_url="/media/"))
    assert file_url("images/foto.jpg") == "https://cdn.example.net/images/foto.jpg?firma=1"
