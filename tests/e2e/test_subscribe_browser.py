"""A person subscribes through the hosted form in Chromium and confirms from the email."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from config.celery import app
from newsletter.models import Subscriber, SubscriberStatus
from tests.newsletter.builders import newsletter
from tests.newsletter.consent_support import link_in
from tests.support import services

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip


@pytest.fixture
def eager_in_live_server(smtp_settings, live_server):
    # The live server runs in this process: send the confirmation in-process, on commit.
    cache.clear()  # rate-limit counters live in Redis
    smtp_settings.SITE_URL = live_server.url
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield live_server
    app.conf.task_always_eager = previous


@pytest.mark.browser
@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_subscribing_in_the_browser_and_confirming_from_the_email(
    eager_in_live_server, smtp_server
):
    newsletter(name="Innovazione in Toscana", slug="innovazione")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        page = browser.new_page(locale="it-IT")
        page.goto(eager_in_live_server.url + "/newsletter/subscribe/")
        page.get_by_label("Indirizzo email").fill("anna@example.org")
        page.get_by_label("Innovazione in Toscana").check()
        page.get_by_label("Acconsento", exact=False).check()
        page.get_by_role("button", name="Iscriviti").click()
        page.wait_for_selector("text=Controlla la tua casella email")

        [message] = smtp_server.wait_for(1)
        page.goto(link_in(message, "/newsletter/confirm/"))
        page.get_by_role("button", name="Conferma").click()
        page.wait_for_selector("text=Iscrizione confermata")
        browser.close()

    assert Subscriber.objects.get(email="anna@example.org").status == SubscriberStatus.ACTIVE
