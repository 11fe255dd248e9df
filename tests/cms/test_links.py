"""cms/links.py: every address handed outside is absolute on SITE_URL, made in one place."""

from __future__ import annotations

import pytest

from cms.links import absolute_url

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
