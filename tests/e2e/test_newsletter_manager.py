"""A newsletter manager walks the admin in Chromium: dashboard, issue report, confirm before
sending, subscriber timeline, suppression undo, and the newsletter form's day fields and topic
chooser.

Screenshots go to var/artefacts/newsletter-manager/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from newsletter import suppression
from newsletter.models import IssueState, Subscriber, Suppression
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import send_all
from tests.support import services
from tests.support.choosers import choose, open_chooser, search

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
TIMEOUT_MS = 20_000
ARTEFACTS = Path(settings.BASE_DIR) / "var" / "artefacts" / "newsletter-manager"


@pytest.fixture
def manager_setup(live_server, monkeypatch, smtp_settings, smtp_server):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    factories.site_tree()
    get_user_model().objects.create_superuser("gestrice", "g@example.org", "una-password-lunga")
    newsletter = builders.newsletter(name="Innovazione in Toscana", requires_approval=True)
    people = builders.subscribers(newsletter, 3)
    anna = builders.subscriber(newsletter, "anna@example.org")
    Subscriber.objects.filter(pk=anna.pk).update(confirmed_at=timezone.now())
    sent = builders.approved_issue(newsletter)
    send_all(sent)
    suppression.record_hard_bounce(anna.email)  # a wrong bounce, to be undone
    draft = builders.approved_issue(newsletter)
    factories.topic("Ricerca")
    italian = factories.topic("Innovazione")
    english = italian.copy_for_translation(factories.locale("en"))
    english.name = "Innovation"
    english.save()
    return newsletter, sent, draft, anna, people


@pytest.mark.browser
@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_a_newsletter_manager_walks_dashboard_report_confirmation_timeline_and_undo(
    live_server, manager_setup
):
    newsletter, sent, draft, anna, _people = manager_setup
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=services.CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(TIMEOUT_MS)
        try:
            tab.goto(f"{base}/admin/login/")
            tab.locator("#id_username").fill("gestrice")
            tab.locator("#id_password").fill("una-password-lunga")
            tab.locator("form button[type='submit']").click()

            # Dashboard: subscribers, growth chart, last issues with counts.
            panel = tab.locator("[data-newsletter-panel]")
            expect(panel).to_be_visible()
            expect(panel.locator("[data-subscriber-count]")).to_have_text("3")
            expect(panel.locator("svg.nl-chart polyline")).to_have_count(1)
            row = panel.locator(f"[data-issue='{sent.pk}']")
            expect(row.locator("[data-count='sent']")).to_have_text("4")
            tab.screenshot(path=str(ARTEFACTS / "01-dashboard.png"), full_page=True)

            # Per-issue report, reached from the dashboard.
            row.get_by_role("link", name=sent.subject).click()
            report = tab.locator("[data-issue-report]")
            expect(report.locator("[data-count='sent'] strong")).to_have_text("4")
            expect(report.locator("[data-count='bounced'] strong")).to_have_text("0")
            tab.screenshot(path=str(ARTEFACTS / "02-issue-report.png"), full_page=True)

            # Confirm before sending: the newsletter and how many people.
            tab.goto(f"{base}/admin/newsletter-issues/{draft.pk}/")
            tab.get_by_role("button", name="Invia ora").click()
            confirm = tab.locator("[data-confirm-send]")
            expect(confirm).to_contain_text("Innovazione in Toscana")
            expect(confirm).to_contain_text("3 iscritti")
            tab.screenshot(path=str(ARTEFACTS / "03-confirm-send.png"), full_page=True)
            confirm.get_by_role("link", name="Annulla").click()
            draft.refresh_from_db()
            assert draft.state == IssueState.APPROVED and not draft.deliveries.exists()

            # The schedule control sits on one line with its button.
            date_input = tab.locator("[data-schedule-form] input[type='datetime-local']")
            button = tab.locator("[data-schedule-form] button")
            box_input, box_button = date_input.bounding_box(), button.bounding_box()
            centre = lambda box: box["y"] + box["height"] / 2  # noqa: E731
            assert abs(centre(box_input) - centre(box_button)) < 6, (box_input, box_button)

            # Subscriber timeline, then undo the wrong bounce with a reason.
            tab.goto(f"{base}/admin/newsletter/subscribers/inspect/{anna.pk}/")
            detail = tab.locator("[data-subscriber-detail]")
            expect(detail.locator("[data-status]")).to_have_text("Rimbalzato")
            expect(detail.locator("[data-deliveries]")).to_contain_text(sent.subject)
            expect(detail).not_to_contain_text("None")
            tab.screenshot(path=str(ARTEFACTS / "04-subscriber-timeline.png"), full_page=True)
            detail.locator("[data-unsuppress]").click()
            tab.get_by_role("button", name="Rimuovi il blocco").click()
            expect(tab.locator(".error-message")).to_contain_text("obbligatorio")
            tab.get_by_label("Perché rimuovi il blocco?").fill("Rimbalzo per un guasto del server")
            tab.get_by_role("button", name="Rimuovi il blocco").click()
            # The browser asks for English; the admin (and its messages) stay Italian.
            expect(tab.locator(".messages")).to_contain_text("Blocco rimosso")
            detail = tab.locator("[data-subscriber-detail]")
            expect(detail.locator("[data-status]")).to_have_text("Attivo")
            expect(detail.locator("[data-consent-timeline]")).to_contain_text("Blocco rimosso")
            tab.screenshot(path=str(ARTEFACTS / "05-suppression-undone.png"), full_page=True)
            assert not Suppression.objects.exists()

            # The newsletter form shows only the day field the cadence uses.
            tab.goto(f"{base}/admin/newsletters/edit/{newsletter.pk}/")
            weekday = tab.locator("#id_send_weekday")
            monthday = tab.locator("#id_send_day_of_month")
            expect(weekday).to_be_visible()
            expect(monthday).to_be_hidden()
            tab.locator("#id_cadence").select_option("monthly")
            expect(monthday).to_be_visible()
            expect(weekday).to_be_hidden()
            tab.locator("#id_cadence").select_option("daily")
            expect(monthday).to_be_hidden()
            expect(weekday).to_be_hidden()
            tab.screenshot(path=str(ARTEFACTS / "06-newsletter-form-daily.png"), full_page=True)

            # Topics: the searchable chooser, in the language the form names.
            dialog = open_chooser(tab, "temi")
            search(dialog, "Innov")
            expect(dialog.locator("tr", has_text="Innovazione")).to_have_count(1)
            expect(dialog.locator("tr", has_text="Innovation")).to_have_count(0)
            dialog.get_by_role("button", name="Chiudi").click()
            expect(dialog).to_be_hidden()
            tab.locator("select[data-locale-codes]").select_option(label="Inglese")
            dialog = open_chooser(tab, "temi")
            search(dialog, "Innov")
            expect(dialog.locator("tr", has_text="Innovation")).to_have_count(1)
            expect(dialog.locator("tr", has_text="Innovazione")).to_have_count(0)
            dialog.get_by_role("button", name="Chiudi").click()
            tab.locator("select[data-locale-codes]").select_option(label="Italiano")
            choose(tab, "temi", "Ricerca")
            choose(tab, "temi", "Innovazione")
            tab.screenshot(path=str(ARTEFACTS / "07-newsletter-topics.png"), full_page=True)
            tab.get_by_role("button", name="Salva").click()
            expect(tab.locator(".messages")).to_contain_text("aggiornata")
            links = newsletter.topic_links.order_by("sort_order")
            assert [link.topic.name for link in links] == ["Ricerca", "Innovazione"]
        finally:
            browser.close()
