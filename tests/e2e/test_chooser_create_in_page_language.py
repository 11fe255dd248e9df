"""In Chromium: on an English news page, the topics chooser's *Crea* tab makes an English
topic and adds it as a row of the page (Wagtail opens the chooser with the page's locale;
cms/admin_choosers.py keeps it for the creation form)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from cms.models import Topic
from tests import factories
from tests.e2e.admin_walk import ARGS, TIMEOUT_MS, login
from tests.support import services


@pytest.mark.browser
@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_creating_a_topic_from_an_english_pages_chooser_makes_it_english(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    factories.site_tree()
    english_index = factories.site_tree("en")
    get_user_model().objects.create_superuser("capo", "c@example.org", "una-password-lunga")
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="it-IT")
        tab.set_default_timeout(TIMEOUT_MS)
        try:
            login(tab, base, "capo", "una-password-lunga")
            tab.goto(f"{base}/admin/pages/add/cms/newspage/{english_index.pk}/")
            tab.get_by_role("button", name=re.compile("Aggiungi temi", re.I)).click()
            dialog = tab.get_by_role("dialog")
            dialog.get_by_role("tab", name="Crea").click()
            dialog.locator("input[name='name']").fill("Space economy")
            dialog.locator("form[action*='create'] button[type='submit']").click()
            expect(dialog).to_be_hidden()
            topic = Topic.objects.get(name="Space economy")
            expect(tab.locator("input[name='topic_links-0-topic']")).to_have_value(str(topic.pk))
            assert topic.locale.language_code == "en"
        finally:
            browser.close()
