"""On a 375 px phone the public pages fit the screen, and the language switcher works."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from playwright.sync_api import sync_playwright
from wagtail.images import get_image_model
from wagtail.models import Collection

from newsletter.models import IssueState
from tests import factories
from tests.newsletter.builders import approved_issue, newsletter

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PHONE = {"width": 375, "height": 740}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]


def wide_image():
    buffer = io.BytesIO()
    PILImage.new("RGB", (2400, 1200), "teal").save(buffer, format="PNG")
    return get_image_model().objects.create(
        title="Piazza",
        file=ImageFile(io.BytesIO(buffer.getvalue()), name="piazza.png"),
        # Transactional tests flush the database, Wagtail's root collection included.
        collection=Collection.get_first_root_node() or Collection.add_root(name="Root"),
    )


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    italian = factories.news(
        title="Una notizia con una foto larga",
        hero_image=wide_image(),
        hero_alt="Una piazza",
        body=[("paragraph", "<p>" + "https://example.org/" + "x" * 300 + "</p>")],
    )
    factories.site_tree("en")
    english = italian.copy_for_translation(factories.locale("en"))
    english.title = "A story with a wide photo"
    english.save_revision().publish()
    # Django refuses ORM calls inside Playwright's event loop: resolve the URL first.
    yield live_server, italian.get_url()
    cache.clear()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_news_page_fits_a_phone_and_switches_to_its_translation(site):
    live_server, italian_path = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport=PHONE, locale="de-DE")
        page.goto(live_server.url + italian_path)
        assert page.locator("h1").inner_text() == "Una notizia con una foto larga"
        assert overflow(page) <= PHONE["width"]

        page.get_by_role("link", name="English").click()
        page.wait_for_url("**/en/**")
        assert page.locator("h1").inner_text() == "A story with a wide photo"
        assert page.locator("html").get_attribute("lang") == "en"
        assert overflow(page) <= PHONE["width"]

        page.get_by_role("link", name="Italiano").click()
        page.wait_for_url(live_server.url + italian_path)
        assert page.locator("h1").inner_text() == "Una notizia con una foto larga"
        browser.close()


def test_the_newsletter_archive_fits_a_phone_in_the_same_frame(site):
    live_server, _italian_path = site
    letter = newsletter(name="Innovazione in Toscana", slug="innovazione")
    issue = approved_issue(letter)
    issue.subject = "Un oggetto lunghissimo " + "senza-spazi-" * 12
    issue.state = IssueState.SENT
    issue.send_finished_at = timezone.now()
    issue.save()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport=PHONE)
        page.goto(live_server.url + "/newsletter/archive/")
        assert page.locator("main").count() == 1
        assert page.locator("h1").count() == 1
        assert page.locator("link[rel=stylesheet][href*='site.css']").count() == 1
        assert page.locator(".site-header").count() == 1
        assert overflow(page) <= PHONE["width"]
        browser.close()
