"""What each email carries, read from the messages a real SMTP server (aiosmtpd) received:
hand-written text parts, headings, responsive and dark-mode styles, a hidden preheader
that is not low-contrast text, and images that keep their place and caption."""

from __future__ import annotations

import re

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from newsletter import rendering, subscriptions
from newsletter.subscriptions import RequestInfo, Selection
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

URL = re.compile(r"https?://[^\s<>()\"']+")


@pytest.fixture
def digest(smtp_settings, smtp_server, settings, tmp_path):
    """A digest with two stories (one with a picture), key figures and a footer, as received."""
    settings.MEDIA_ROOT = str(tmp_path)
    weekly = builders.newsletter(name="Innovazione in Toscana")
    builders.subscriber(weekly, "anna@example.org")
    image = Image.objects.create(title="Lab", file=get_test_image_file())
    factories.news(title="Un braccio robotico a Pisa", hero_image=image, hero_alt="Un braccio")
    issue = builders.approved_issue(
        weekly,
        title="Dati aperti | tabelle --- e altro",
        body=[{"type": "key_figure", "value": {"value": "400.000", "label": "visitatori"}}],
    )
    send_all(issue)
    [message] = smtp_server.wait_for(1)
    return issue, message


@pytest.fixture
def confirmation(weekly, eager_tasks, smtp_server):
    with eager_tasks():
        subscriptions.subscribe(
            "anna@example.org", Selection({weekly.pk: []}), "it", RequestInfo(source="api")
        )
    [message] = smtp_server.wait_for(1)
    return message


def text_of(message) -> str:
    """The text part, with the wire's CRLF line ends read as lines."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    """The HTML part, with CRLF read as lines and the 7-bit character references
    (emails.seven_bit_html) read as the characters they stand for."""
    html = message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), html)


def assert_no_table_debris(text: str) -> None:
    """What html2text leaves of a table layout: cell bars, header rules, Markdown links."""
    titles_allowed = "Dati aperti | tabelle --- e altro"  # an editor's title, kept verbatim
    for line in text.replace(titles_allowed, "").splitlines():
        assert not line.lstrip().startswith("|"), line
        assert "|" not in line, line
        assert not re.fullmatch(r"\s*-{3,}\s*", line), line
        assert "](" not in line and "<http" not in line, line
        assert line == line.rstrip(), repr(line)


def assert_each_link_once(text: str) -> None:
    links = URL.findall(text)
    assert links
    assert len(links) == len(set(links)), sorted(links)


# --- Text parts ------------------------------------------------------------------------


def test_the_confirmation_text_is_written_for_text_without_table_debris(confirmation):
    text = text_of(confirmation)
    assert_no_table_debris(text)
    assert text.startswith("Conferma la tua iscrizione\n")
    assert "- Innovazione in Toscana" in text


def test_the_confirmation_text_carries_its_link_once_on_a_line_of_its_own(confirmation):
    text = text_of(confirmation)
    assert_each_link_once(text)
    [link] = [url for url in URL.findall(text) if "/newsletter/confirm/" in url]
    assert f"Conferma l'iscrizione: {link}\n" in text


def test_the_digest_text_has_no_table_debris_and_each_link_once(digest):
    issue, message = digest
    text = text_of(message)
    assert_no_table_debris(text)
    assert_each_link_once(text)
    for item in issue.items.all():
        assert text.count(item.url) == 1
    assert "Dati aperti | tabelle --- e altro" in text


def test_the_text_lines_stay_readable_in_a_terminal(confirmation):
    for line in text_of(confirmation).splitlines():
        assert len(line) <= 78 or URL.search(line), line


# --- Headings ------------------------------------------------------------------------------


def test_the_digest_has_one_h1_and_an_h2_per_story(digest):
    issue, message = digest
    html = html_of(message)
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert re.search(r"<h1[^>]*>Innovazione in Toscana<span[^>]*>Numero 1 · ", html)
    h2 = re.findall(r"<h2[^>]*>\s*<a [^>]*>([^<]*)</a>\s*</h2>", html)
    assert sorted(h2) == sorted(issue.items.values_list("title", flat=True))


def test_the_confirmation_has_one_h1(confirmation):
    html = html_of(confirmation)
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", html) == ["Conferma la tua iscrizione"]


# --- Styles kept for clients that read them ------------------------------------------------


def style_blocks(html: str) -> str:
    return "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL))


@pytest.mark.parametrize("kind", ["digest", "confirmation"])
def test_the_html_keeps_the_responsive_media_rules(kind, request):
    fixture = request.getfixturevalue(kind)
    html = html_of(fixture[1] if kind == "digest" else fixture)
    styles = style_blocks(html)
    assert re.search(r"@media only screen and \(min-width:480px\) \{ \.mj-column-per-100", styles)


@pytest.mark.parametrize("kind", ["digest", "confirmation"])
def test_the_html_declares_light_and_dark_and_has_dark_rules(kind, request):
    fixture = request.getfixturevalue(kind)
    html = html_of(fixture[1] if kind == "digest" else fixture)
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    dark = re.search(
        r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\s*\}\n", style_blocks(html), re.S
    )
    assert dark, style_blocks(html)
    assert re.search(r"\.nz-card[^{]*\{[^}]*background-color: #1d2125 !important", dark.group(1))
    assert re.search(r"\.nz-card div[^{]*\{[^}]*color: #e4e7eb !important", dark.group(1))
    assert 'class="nz-card"' in html


def test_the_html_fetches_no_stylesheet_and_keeps_no_link_tags(digest):
    html = html_of(digest[1])
    assert "<link" not in html and "@import" not in html


# --- Preheader --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["digest", "confirmation"])
def test_the_preheader_is_hidden_without_low_contrast_text(kind, request):
    fixture = request.getfixturevalue(kind)
    html = html_of(fixture[1] if kind == "digest" else fixture)
    match = re.search(r'<div class="nz-preheader" style="([^"]*)">([^<]+)</div>', html)
    assert match, "no preheader"
    style = match.group(1).replace(" ", "").lower()
    for rule in ("display:none", "max-height:0", "opacity:0", "mso-hide:all", "overflow:hidden"):
        assert rule in style
    # SpamAssassin's HTML_FONT_LOW_CONTRAST: no text coloured like its background.
    assert "color" not in style and "font-size:1px" not in style
    assert "color:#ffffff;line-height:1px" not in html  # MJML's own white preheader


# --- Images ----------------------------------------------------------------------------


def test_images_have_a_pixel_height_and_stay_proportional(digest):
    html = html_of(digest[1])
    [tag] = re.findall(r"<img [^>]*>", html)
    assert f'height="{rendering.IMAGE_HEIGHT}"' in tag
    assert 'width="608"' in tag
    assert rendering.IMAGE_HEIGHT == round(608 * 630 / 1200)
    assert re.search(r"height: ?auto !important", tag)


def test_the_alt_text_of_a_blocked_image_is_styled_as_a_caption(digest):
    html = html_of(digest[1])
    [tag] = re.findall(r"<img [^>]*>", html)
    style = re.search(r'style="([^"]*)"', tag).group(1)
    assert "font-family: Helvetica, Arial, sans-serif" in style
    assert "color: #52606d" in style
    assert "font-size: 15px" in style
    link = re.search(r"<a [^>]*>\s*<img ", html).group(0)
    assert "text-decoration: none" in link
