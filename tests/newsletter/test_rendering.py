"""The rendered email: structure, accessibility, escaping and per-subscriber links."""

from __future__ import annotations

import re

import pytest

from newsletter import assembly, rendering
from newsletter.rendering import RenderedEmail, personalise, placeholder
from tests import factories
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def weekly():
    return builders.newsletter()


@pytest.fixture
def issue(weekly):
    factories.news(
        title="Un laboratorio a Pisa",
        standfirst="Robotica per tutti.",
        body=[{"type": "key_figure", "value": {"value": "400.000", "label": "visitatori"}}],
    )
    return assembly.assemble(weekly).issue


def html_of(issue) -> str:
    return issue.renditions.get(variant_key="").html


def test_the_html_declares_the_language_of_the_newsletter(issue):
    assert re.search(r'<html[^>]* lang="it"', html_of(issue))


def test_the_html_carries_the_preheader(issue):
    assert issue.preheader
    assert issue.preheader in html_of(issue)


def test_the_html_has_cards_with_title_standfirst_and_a_button(issue):
    html = html_of(issue)
    item = issue.items.get()
    assert "Un laboratorio a Pisa" in html
    assert "Robotica per tutti." in html
    assert html.count(f'href="{item.url}"') >= 2  # the title and the button
    assert "Leggi la notizia" in html


def test_the_html_shows_the_key_figures(issue):
    html = html_of(issue)
    assert "400.000" in html
    assert "visitatori" in html


def test_the_footer_names_the_sender_and_the_postal_address(issue):
    html = html_of(issue)
    assert "Notiziario Innovazione" in html
    assert "Via dei Servi 15<br>50122 Firenze" in html


def test_the_footer_links_to_preferences_and_unsubscribe(issue):
    html = html_of(issue)
    assert f'href="{placeholder(issue.pk, "unsubscribe_url")}"' in html
    assert f'href="{placeholder(issue.pk, "preferences_url")}"' in html


def test_there_are_no_links_to_third_party_fonts(issue):
    html = html_of(issue)
    assert "fonts.googleapis" not in html
    assert "@import" not in html
    assert "<link" not in html


def test_every_image_has_alt_text(weekly):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Lab", file=get_test_image_file())
    factories.news(hero_image=image, hero_alt="Un braccio robotico")
    html = html_of(assembly.assemble(weekly).issue)
    images = re.findall(r"<img [^>]*>", html)
    assert images
    assert all(re.search(r'alt="[^"]+"', tag) for tag in images)
    assert 'alt="Un braccio robotico"' in html


def test_content_written_by_users_is_escaped(weekly):
    factories.news(title="<script>alert(1)</script>", standfirst='"><img src=x onerror=1>')
    html = html_of(assembly.assemble(weekly).issue)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_text_part_holds_titles_and_links(issue):
    text = issue.renditions.get(variant_key="").text
    item = issue.items.get()
    assert item.title in text
    assert item.url in text


def test_personal_links_are_substituted_in_html_and_text(issue):
    rendition = issue.renditions.get(variant_key="")
    links = {"unsubscribe_url": "https://x.test/u/1?a=1&b=2", "preferences_url": "https://x.test/p"}
    result = personalise(RenderedEmail(rendition.html, rendition.text), issue.pk, links)
    assert 'href="https://x.test/u/1?a=1&amp;b=2"' in result.html
    assert "https://x.test/p" in result.text
    assert placeholder(issue.pk, "unsubscribe_url") not in result.html + result.text


def test_content_cannot_forge_a_placeholder_of_another_issue(weekly):
    forged = placeholder(999_999, "unsubscribe_url")
    factories.news(title=f"Link {forged}")
    issue = assembly.assemble(weekly).issue
    rendition = issue.renditions.get(variant_key="")
    links = {"unsubscribe_url": "https://evil.test", "preferences_url": "https://evil.test"}
    result = personalise(RenderedEmail(rendition.html, rendition.text), issue.pk, links)
    assert f"Link {forged}" in result.html
    assert result.html.count("https://evil.test") == 2  # only the two real footer links


def test_placeholders_differ_between_issues_and_between_links():
    assert len({placeholder(1, "unsubscribe_url"), placeholder(2, "unsubscribe_url"),
                placeholder(1, "preferences_url")}) == 3  # fmt: skip


def test_the_italian_date_uses_a_lower_case_month():
    from datetime import date

    assert rendering.long_date(date(2023, 12, 12), "it") == "12 dicembre 2023"
