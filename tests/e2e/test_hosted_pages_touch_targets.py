"""The hosted pages on a phone: 44 px touch targets, and axe-core finds no violation.

axe-core runs from tests/support/axe/axe.min.js (axe-core 4.14.1 from the npm registry,
MPL-2.0), never from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from newsletter import subscriptions, tokens
from newsletter.models import ConsentAction, Subscriber, SubscriberStatus, Subscription
from newsletter.subscriptions import RequestInfo, Selection
from tests import factories
from tests.newsletter.builders import newsletter
from tests.support import services

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
PHONE = {"width": 375, "height": 740}
AXE = Path(__file__).resolve().parents[1] / "support" / "axe" / "axe.min.js"
MIN_TARGET = 44
# What a person taps: a checkbox with its label, a select, a button.
TARGETS = "label:has(input[type=checkbox]), select, button"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services("postgres", "redis"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pages(live_server, settings):
    """The URL of every hosted page, made before the browser starts (no ORM in its loop)."""
    settings.SITE_URL = live_server.url
    cache.clear()
    first = newsletter(name="Innovazione in Toscana", slug="innovazione")
    second = newsletter(name="Cultura e territorio", slug="cultura")
    for name in ("Startup", "Ricerca", "Agricoltura"):
        factories.topic(name)
    pending = Subscriber.objects.create(email="anna@example.org")
    selection = Selection({first.pk: []})
    record = subscriptions.record_consent(
        pending, ConsentAction.SUBSCRIBE, RequestInfo("form"), [first.slug]
    )
    active = Subscriber.objects.create(email="giulia@example.org", status=SubscriberStatus.ACTIVE)
    for item in (first, second):
        Subscription.objects.create(subscriber=active, newsletter=item)
    yield {
        "subscribe": live_server.url + "/newsletter/subscribe/",
        "confirm": subscriptions.confirmation_url(pending, selection, record.pk),
        "preferences": tokens.preferences_url(active),
        "unsubscribe": tokens.unsubscribe_url(active, first.pk),
    }
    cache.clear()


def small_targets(page) -> list[str]:
    boxes = []
    for element in page.locator(TARGETS).all():
        box = element.bounding_box()
        if box is None:  # not rendered (the honeypot has none of these)
            continue
        if box["width"] < MIN_TARGET or box["height"] < MIN_TARGET:
            boxes.append(f"{element.evaluate('e => e.outerHTML')[:80]}: {box}")
    return boxes


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(
               v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )


def check(page, expected_targets: int) -> None:
    assert page.locator(TARGETS).count() >= expected_targets, "the page lost its controls"
    assert small_targets(page) == []
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_hosted_pages_have_44_px_targets_and_no_axe_violations_on_a_phone(pages):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=PHONE, locale="it-IT")

        page.goto(pages["subscribe"])
        # two newsletters, three topics, the consent checkbox, the language, the button
        check(page, expected_targets=2 + 3 + 1 + 1 + 1)

        page.goto(pages["confirm"])
        check(page, expected_targets=1)

        page.goto(pages["preferences"])
        check(page, expected_targets=2 + 3 + 1 + 2)

        page.goto(pages["unsubscribe"])
        check(page, expected_targets=1)
        page.get_by_role("button", name="Disiscriviti").click()
        page.wait_for_selector("text=Disiscrizione completata")
        check(page, expected_targets=2)  # resubscribe, unsubscribe from everything
        browser.close()
