"""axe-core in Chromium finds nothing wrong with the digest, the confirmation email and the
archive page, each with exactly one <h1>. axe runs from the copy in tests/support/axe/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from config.celery import app
from newsletter import subscriptions
from newsletter.models import IssueState
from newsletter.subscriptions import RequestInfo, Selection
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import send_all
from tests.support import services
from web import ratelimit

AXE = Path(__file__).parents[1] / "support" / "axe" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def eager(smtp_settings, live_server):
    cache.clear()
    ratelimit.reset_all()
    smtp_settings.SITE_URL = live_server.url
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield live_server
    app.conf.task_always_eager = previous
    cache.clear()
    ratelimit.reset_all()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def received(eager, smtp_server):
    """The HTML of a digest and of a confirmation email as they arrived at the SMTP server,
    and the path of the digest on the site's archive."""
    weekly = builders.newsletter(name="Innovazione in Toscana", slug="innovazione")
    builders.subscriber(weekly, "anna@example.org")
    factories.news(title="Un laboratorio di robotica a Pisa", standfirst="Per tutte le età.")
    issue = builders.approved_issue(
        weekly,
        title="Dati aperti in Toscana",
        body=[{"type": "key_figure", "value": {"value": "400.000", "label": "visitatori"}}],
    )
    send_all(issue)
    assert issue.state == IssueState.SENT
    [digest] = smtp_server.wait_for(1)
    subscriptions.subscribe(
        "bruno@example.org", Selection({weekly.pk: []}), "it", RequestInfo(source="api")
    )
    confirmation = smtp_server.wait_for(2)[1]
    return {
        "digest": html_part(digest),
        "confirmation": html_part(confirmation),
        "archive": f"{eager.url}/newsletter/archive/innovazione/{issue.number}/",
    }


# Two of axe's rules are about whole web pages: one <main> landmark, and all content
# inside landmarks. An email is shown inside a mail client's page, which has its own
# <main>; an email with another would nest main landmarks there (MJML marks the email
# role="article" with aria-roledescription="email" instead). Emails are audited with
# every other rule; the archive page, a page of ours, with all of them.
PAGE_ONLY_RULES = ["landmark-one-main", "region"]


def audit(page, *, email: bool = False) -> dict:
    page.add_script_tag(path=str(AXE))
    rules = {rule: {"enabled": False} for rule in PAGE_ONLY_RULES} if email else {}
    return page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {resultTypes: ["violations"], rules});
            return {
                violations: result.violations.map(v => ({
                    id: v.id, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3),
                })),
                h1: document.querySelectorAll("h1").length,
                h2: [...document.querySelectorAll("h2")].map(h => h.textContent.trim()),
                main: document.querySelectorAll("main").length,
            };
        }""",
        rules,
    )


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_the_digest_passes_axe_with_one_h1_and_a_h2_per_story(received, browser):
    page = browser.new_page()
    page.set_content(received["digest"])
    report = audit(page, email=True)
    assert report["violations"] == []
    assert report["h1"] == 1
    assert report["h2"] == ["Dati aperti in Toscana", "Un laboratorio di robotica a Pisa"]


def test_the_digest_passes_axe_in_dark_mode_and_on_a_phone(received, browser):
    page = browser.new_page(color_scheme="dark", viewport={"width": 375, "height": 740})
    page.set_content(received["digest"])
    assert audit(page, email=True)["violations"] == []
    card = page.locator(".nz-card").first
    assert card.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(29, 33, 37)"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_confirmation_email_passes_axe_with_one_h1(received, browser):
    page = browser.new_page()
    page.set_content(received["confirmation"])
    report = audit(page, email=True)
    assert report["violations"] == []
    assert report["h1"] == 1


def test_the_archive_page_passes_axe_with_one_h1_inside_main(received, browser):
    page = browser.new_page()
    page.goto(received["archive"])
    report = audit(page)
    assert report["violations"] == []
    assert report["h1"] == 1
    assert report["main"] == 1
    assert page.locator("main h1").count() == 1
