"""An editor of the Redazione group, end to end in Chromium: writes a news item
choosing its topic and organisation with the searchable choosers, previews it in
both modes (the page's own template, and «Sito esterno (API)» through our
/anteprima/ client), schedules it, and translates it into English.
Screenshots: var/artefacts/editor-journey/."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from cms.models import NewsPage, Organisation
from tests import factories
from tests.e2e.admin_walk import ARGS, TIMEOUT_MS, Walk, login
from tests.support import services
from tests.support.choosers import choose
from tests.support.roles import ensure_groups

TITLE = "Startup toscane alla conquista della California"


@pytest.fixture
def newsroom(live_server, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.WAGTAILAPI_BASE_URL = live_server.url
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        **settings.WAGTAIL_HEADLESS_PREVIEW,
        "CLIENT_URLS": {"default": live_server.url + "/anteprima/"},
    }
    index = factories.site_tree()
    factories.site_tree("en")
    ensure_groups()
    innovazione = factories.topic("Innovazione")
    english = innovazione.copy_for_translation(factories.locale("en"))
    english.name, english.slug = "Innovation", "innovation"
    english.save()
    factories.topic("Agricoltura")
    it = factories.locale("it")
    Organisation.objects.create(
        name="Regione Toscana", slug="regione-toscana", kind="institution", locale=it
    )
    editor = get_user_model().objects.create_user(
        "redattrice", "r@example.org", "una-password-lunga"
    )
    editor.groups.add(Group.objects.get(name="Redazione"))
    return index, innovazione, english


def wait_until(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.25)


def wait_for_draft(title: str, seconds: float = 30) -> NewsPage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = NewsPage.objects.filter(title=title).first()
        draft = page and page.latest_revision_id and page.latest_revision.as_object()
        if draft and draft.topics.exists() and draft.organisations.exists():
            return page
        time.sleep(0.25)
    raise AssertionError(f"the draft {title!r} was not saved with its links within {seconds} s")


@pytest.mark.browser
@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_an_editor_writes_previews_schedules_and_translates_with_the_choosers(
    live_server, newsroom, settings
):
    # Wagtail 8 autosaves a new page a moment after typing; on a loaded machine that
    # request may or may not come, and «Salva bozza» clicked while it is in flight
    # creates the page twice (upstream wagtail#14359). The journey is about choosers,
    # preview, scheduling and translation, so it saves the draft itself, once.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    index, innovazione, innovation = newsroom
    base = live_server.url
    go_live = timezone.localtime() + timedelta(days=2)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="it-IT")
        tab.set_default_timeout(TIMEOUT_MS)
        walk = Walk(tab, "editor-journey")
        try:
            login(tab, base, "redattrice", "una-password-lunga")
            tab.goto(f"{base}/admin/pages/add/cms/newspage/{index.pk}/")
            tab.locator("#id_title").fill(TITLE)
            tab.locator("#id_standfirst").fill("Dieci imprese innovative volano a San Francisco.")
            choose(tab, "temi", "Innovazione")
            choose(tab, "organizzazioni", "Regione Toscana")
            walk.shot("choosers")
            expect(tab.locator("input[name='topic_links-0-topic']")).to_have_value(
                str(innovazione.pk)
            )
            tab.get_by_role("button", name="Salva bozza").click()
            page = wait_for_draft(TITLE)
            tab.goto(f"{base}/admin/pages/{page.pk}/edit/")
            walk.shot("draft-saved")
            walk.check("draft saved")

            # Preview, mode 1: the page's own template.
            tab.get_by_role("button", name="Anteprima").first.click()
            frame = tab.frame_locator("#w-preview-iframe")
            expect(frame.locator("body")).to_contain_text(TITLE)
            walk.shot("preview-default")
            # Preview, mode 2: the external site, i.e. our /anteprima/ client of the API.
            # wagtail-headless-preview frames the client URL inside the preview frame.
            tab.locator("#id_preview_mode").select_option("headless")
            client = frame.frame_locator("iframe")
            expect(client.locator("article h1")).to_have_text(TITLE)
            expect(client.locator("[data-entities='topics']")).to_contain_text("Innovazione")
            expect(client.locator("[data-entities='organisations']")).to_contain_text(
                "Regione Toscana"
            )
            walk.shot("preview-api")
            walk.check(
                "preview modes", "\n".join(tab.locator("#id_preview_mode option").all_inner_texts())
            )

            # Schedule.
            tab.get_by_role("button", name="Stato").first.click()
            tab.get_by_role("button", name="Pianifica pubblicazione").click()
            schedule = tab.locator("#schedule-publishing-dialog")
            schedule.locator("#id_go_live_at").fill(go_live.strftime("%Y-%m-%d %H:%M"))
            schedule.get_by_role("button", name="Salva programma").press("Enter")
            tab.locator("footer .w-dropdown__toggle").first.click()
            tab.locator("button[name='action-publish']").click()
            expect(tab.get_by_role("status")).to_contain_text("prevista per la pubblicazione")
            walk.shot("scheduled")
            walk.check("scheduled")

            # Translate into English.
            tab.goto(f"{base}/admin/translation/submit/page/{page.pk}/")
            tab.get_by_label("Inglese").check()
            walk.shot("translate")
            walk.check("translate")
            tab.get_by_role("button", name="Invia").click()
            wait_until(
                lambda: NewsPage.objects.filter(
                    translation_key=page.translation_key, locale__language_code="en"
                ).exists(),
                "the English copy",
            )
            walk.shot("translated")
        except Exception:
            walk.shot("failure")
            raise
        finally:
            browser.close()

    page = NewsPage.objects.get(title=TITLE, locale__language_code="it")
    assert not page.live and page.go_live_at is not None
    draft = page.get_latest_revision_as_object()
    assert [t.name for t in draft.topics.all()] == ["Innovazione"]
    assert [o.name for o in draft.organisations.all()] == ["Regione Toscana"]
    english = NewsPage.objects.get(translation_key=page.translation_key, locale__language_code="en")
    assert list(english.get_latest_revision_as_object().topics.all()) == [innovation]
    assert not walk.problems, "\n".join(walk.problems)
    assert walk.count == 7  # every step left its screenshot
