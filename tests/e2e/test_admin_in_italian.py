"""Walk the main admin screens in Chromium and fail on English leftovers and raw
None/True/False shown as text. Screenshots: var/artefacts/admin-in-italian/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import sync_playwright
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from cms.models import Mission, Organisation, Person, Place, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.e2e.admin_walk import ARGS, TIMEOUT_MS, Walk, login
from tests.support import services


@pytest.fixture
def content(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    index = factories.site_tree()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    it = factories.locale("it")
    region = Organisation.objects.create(
        name="Regione Toscana", slug="regione-toscana", kind="institution", locale=it
    )
    Person.objects.create(name="Eugenio Giani", slug="eugenio-giani", locale=it)
    Place.objects.create(name="Firenze", slug="firenze", country="Italia", locale=it)
    Mission.objects.create(
        name="Missione", slug="missione", locale=it, start_date="2024-01-01", end_date="2024-01-02"
    )
    Image.objects.create(title="Foto", file=get_test_image_file())
    Document.objects.create(title="Bando", file=get_test_image_file())
    story = factories.news(index, title="Accordo firmato", topics=[factories.topic("Innovazione")])
    story.organisations.set([region])
    draft = factories.news(index, title="Bozza programmata", publish=False)
    draft.go_live_at = timezone.now() + timedelta(days=1)
    draft.save_revision()
    endpoint = WebhookEndpoint.objects.create(
        name="Sito partner", url="https://partner.example/hook"
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="page.published", payload={})
    get_user_model().objects.create_superuser("capo", "capo@example.org", "una-password-lunga")
    return index, story, draft


@pytest.mark.browser
@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_the_main_admin_screens_show_no_english_leftovers_nor_raw_values(live_server, content):
    index, story, draft = content
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="it-IT")
        tab.set_default_timeout(TIMEOUT_MS)
        walk = Walk(tab, "admin-in-italian")
        try:
            login(tab, base, "capo", "una-password-lunga")
            walk.visit(base, reverse("wagtailadmin_home"), "dashboard")
            walk.visit(base, reverse("wagtailadmin_explore_root"), "explorer-root")
            walk.visit(base, reverse("wagtailadmin_explore", args=(index.pk,)), "explorer-news")
            walk.visit(base, reverse("wagtailadmin_pages:edit", args=(story.pk,)), "news-edit")
            for tab_link in tab.get_by_role("tab").all():
                name = tab_link.inner_text().strip() or "tab"
                tab_link.click()
                walk.shot(f"news-edit-tab-{name.lower()}")
                walk.check(f"news edit, tab {name}")
            # The status side panel (go-live, workflow) and the preview modes.
            tab.get_by_role("button", name="Stato").first.click()
            walk.shot("news-edit-status")
            walk.check("status panel")
            walk.visit(base, reverse("wagtailadmin_pages:edit", args=(draft.pk,)), "draft-edit")
            tab.get_by_role("button", name="Stato").first.click()
            walk.shot("draft-status")
            walk.check("draft status panel")
            tab.get_by_role("button", name="Anteprima").first.click()
            modes = tab.locator("#id_preview_mode option").all_inner_texts()
            walk.shot("news-edit-preview")
            walk.check("preview modes", "\n".join(modes))
            for model in ("topic", "organisation", "person", "place", "mission"):
                walk.visit(base, reverse(f"wagtailsnippets_cms_{model}:list"), f"snippets-{model}")
            walk.visit(base, reverse("wagtailimages:index"), "images")
            walk.visit(base, reverse("wagtaildocs:index"), "documents")
            walk.visit(base, reverse("wagtailsnippets_cms_webhookendpoint:list"), "webhooks")
            walk.visit(base, reverse("wagtailsnippets_cms_webhookdelivery:list"), "deliveries")
            walk.visit(base, reverse("wagtailadmin_workflows:index"), "workflows")
            walk.visit(base, reverse("wagtailadmin_workflows:task_index"), "tasks")
        finally:
            browser.close()

    assert walk.count >= 15
    assert not walk.problems, "\n".join(walk.problems)
