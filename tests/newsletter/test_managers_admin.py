"""The newsletter managers' admin (issue 18): confirm before sending, subscriber page,
suppressions that can be undone, import that keeps topics, reports and their attribution."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from wagtail.models import ModelLogEntry

from newsletter import (
    assembly,
    attribution,
    gdpr,
    importing,
    rendering,
    reports,
    sending,
    subscriptions,
    suppression,
)
from newsletter.models import (
    Cadence,
    ConsentAction,
    ConsentRecord,
    ConsentSource,
    DeliveryState,
    Issue,
    IssueState,
    Subscriber,
    SubscriberStatus,
    Suppression,
    SuppressionReason,
    SuppressionSource,
)
from newsletter.suppression import suppress
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def manager(client):
    user = get_user_model().objects.create_superuser("gestore", "gestore@example.org", "pw-12345")
    client.force_login(user)
    return user


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Confirm before sending ----------------------------------------------------------------


def test_send_now_without_approval_first_names_the_newsletter_and_its_recipients(
    client, manager, eager_tasks
):
    newsletter = builders.newsletter(name="Toscana Innova", requires_approval=False)
    builders.subscribers(newsletter, 3)
    factories.news(title="Una notizia")
    with eager_tasks():
        html = page(client.post(f"/admin/newsletters/{newsletter.pk}/send-now/"))
    assert "Toscana Innova" in html
    assert "3 iscritti" in html
    assert 'name="confirmed" value="1"' in html
    assert f'href="/admin/newsletters/{newsletter.pk}/send-now/"' not in html  # no GET "add" link
    assert not Issue.objects.filter(newsletter=newsletter).exists()


def test_send_now_sends_once_confirmed(client, manager, eager_tasks, smtp_server):
    newsletter = builders.newsletter(requires_approval=False)
    builders.subscribers(newsletter, 2)
    factories.news(title="Una notizia")
    with eager_tasks():
        response = client.post(f"/admin/newsletters/{newsletter.pk}/send-now/", {"confirmed": "1"})
    assert response.status_code == 302
    assert Issue.objects.filter(newsletter=newsletter).exists()


def test_sending_an_issue_asks_first_with_subject_newsletter_and_count(client, manager):
    newsletter = builders.newsletter(name="Innovazione in Toscana")
    builders.subscribers(newsletter, 2)
    builders.subscriber(newsletter, status=SubscriberStatus.UNSUBSCRIBED)
    issue = builders.approved_issue(newsletter)
    html = page(client.post(f"/admin/newsletter-issues/{issue.pk}/send/"))
    assert "Innovazione in Toscana" in html
    assert issue.subject in html
    assert "2 iscritti" in html
    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED
    assert not issue.deliveries.exists()


def test_scheduling_asks_first_and_only_a_confirmed_post_sets_the_time(client, manager):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 1)
    issue = builders.approved_issue(newsletter)
    url = f"/admin/newsletter-issues/{issue.pk}/schedule/"
    html = page(client.post(url, {"when": "2099-01-01T09:00"}))
    assert "1 iscritto" in html and 'value="2099-01-01T09:00"' in html
    issue.refresh_from_db()
    assert issue.scheduled_for is None
    client.post(url, {"when": "2099-01-01T09:00", "confirmed": "1"})
    issue.refresh_from_db()
    assert issue.scheduled_for.year == 2099


def test_resuming_counts_the_deliveries_still_to_go(client, manager):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 3)
    issue = builders.approved_issue(newsletter)
    sending.start_sending(issue)
    sending.pause(issue, "test")
    issue.deliveries.filter(pk=issue.deliveries.first().pk).update(state=DeliveryState.SENT)
    html = page(client.post(f"/admin/newsletter-issues/{issue.pk}/resume/"))
    assert "restano 2 iscritti" in html
    issue.refresh_from_db()
    assert issue.state == IssueState.PAUSED


def test_recipient_count_leaves_out_subscribers_whose_topics_match_nothing():
    newsletter = builders.newsletter()
    other = factories.topic(name="Spazio")
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    builders.subscriber(newsletter, topics=[other])
    assert reports.recipient_count(issue) == 2


# --- Subscribers: no address-less subscriber -----------------------------------------------


def test_a_subscriber_cannot_be_copied_or_added_by_hand(client, manager):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter)
    assert client.get(f"/admin/newsletter/subscribers/copy/{person.pk}/").status_code == 404
    assert client.get("/admin/newsletter/subscribers/new/").status_code == 404
    assert client.post("/admin/newsletter/subscribers/new/", {"locale": "it"}).status_code == 404
    assert Subscriber.objects.count() == 1
    listing = page(client.get("/admin/newsletter/subscribers/"))
    assert "/copy/" not in listing


def test_an_erased_subscriber_is_listed_as_erased_not_none(client, manager):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter, "anna@example.org")
    gdpr.erase(person, subscriptions.RequestInfo(source=ConsentSource.ADMIN))
    html = page(client.get("/admin/newsletter/subscribers/"))
    link = f"/admin/newsletter/subscribers/inspect/{person.pk}/"
    row = html.split(link, 1)[1].split("</tr>", 1)[0]
    assert "(dati cancellati)" in row and "None" not in row


def test_the_database_refuses_a_subscriber_without_an_address_unless_erased():
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email=None, status=SubscriberStatus.PENDING)
    Subscriber.objects.create(email=None, status=SubscriberStatus.ERASED)


# --- Subscriber detail ---------------------------------------------------------------------


def test_the_subscriber_page_shows_subscriptions_history_and_deliveries_in_rome_time(
    client, manager, smtp_settings, smtp_server
):
    newsletter = builders.newsletter(name="Innovazione in Toscana")
    person = builders.subscriber(newsletter, "anna@example.org")
    ConsentRecord.objects.create(
        subscriber=person,
        action=ConsentAction.SUBSCRIBE,
        source=ConsentSource.FORM,
        privacy_notice_version="2026-01",
        newsletters=[newsletter.slug],
    )
    ConsentRecord.objects.filter(subscriber=person).update(
        created_at=datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    )
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    html = page(client.get(f"/admin/newsletter/subscribers/inspect/{person.pk}/"))
    assert "Innovazione in Toscana" in html
    assert "Tutti i temi" in html
    timeline = html.split("data-consent-timeline", 1)[1]
    assert "Iscrizione" in timeline, timeline[:1500]
    assert "3 novembre 2026, 09:15" in timeline  # 08:15 UTC in Rome, month in lower case
    assert issue.subject in html and "Inviato" in html
    detail = html.split("data-subscriber-detail", 1)[1]
    assert "None" not in detail
    assert "Disiscritto il" in html


# --- Suppressions --------------------------------------------------------------------------


def test_the_suppression_list_shows_reason_date_and_source(client, manager):
    suppress("rimbalzo@example.org", SuppressionReason.HARD_BOUNCE)
    attribution.note_suppression("rimbalzo@example.org", SuppressionSource.PROVIDER)
    html = page(client.get("/admin/newsletter-suppressions/"))
    assert "Rimbalzo definitivo" in html
    assert "Provider email (webhook)" in html
    found = page(client.get("/admin/newsletter-suppressions/", {"q": "Rimbalzo@Example.org"}))
    assert "rimbalzo@example.org" in found.lower()
    assert "1 indirizzo bloccato" in found


def test_removing_a_suppression_needs_a_reason(client, manager):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter, "anna@example.org")
    suppression.record_hard_bounce(person.email)
    blocked = Suppression.objects.get()
    url = f"/admin/newsletter-suppressions/{blocked.pk}/remove/"
    html = page(client.post(url, {"email": person.email, "reason": "   "}))
    assert "Indica il motivo." in html or "obbligatorio" in html.lower()
    assert Suppression.objects.filter(pk=blocked.pk).exists()


def test_removing_a_suppression_restores_the_subscriber_and_records_who_and_why(client, manager):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter, "anna@example.org")
    Subscriber.objects.filter(pk=person.pk).update(confirmed_at=datetime(2026, 1, 1, tzinfo=UTC))
    suppression.record_hard_bounce(person.email)
    blocked = Suppression.objects.get()
    response = client.post(
        f"/admin/newsletter-suppressions/{blocked.pk}/remove/",
        {"email": person.email, "reason": "Guasto temporaneo del server di Anna"},
    )
    assert response.status_code == 302
    assert not Suppression.objects.exists()
    person.refresh_from_db()
    assert person.status == SubscriberStatus.ACTIVE
    record = ConsentRecord.objects.get(subscriber=person, action=ConsentAction.UNSUPPRESS)
    assert record.lawful_basis == "Guasto temporaneo del server di Anna"
    assert record.source == ConsentSource.ADMIN and "gestore" in record.origin
    entry = ModelLogEntry.objects.get(action="newsletter.unsuppress")
    assert entry.user == manager and entry.object_id == str(person.pk)
    detail = page(client.get(f"/admin/newsletter/subscribers/inspect/{person.pk}/"))
    assert "Blocco rimosso" in detail and "Guasto temporaneo" in detail


def test_an_erased_address_stays_suppressed(client, manager):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter, "anna@example.org")
    gdpr.erase(person, subscriptions.RequestInfo(source=ConsentSource.ADMIN))
    blocked = Suppression.objects.get()
    client.post(f"/admin/newsletter-suppressions/{blocked.pk}/remove/", {"reason": "prova"})
    assert Suppression.objects.filter(pk=blocked.pk).exists()


# --- CSV import ----------------------------------------------------------------------------


def test_an_empty_topics_column_keeps_the_topics_a_subscriber_chose():
    newsletter = builders.newsletter()
    topic = factories.topic(name="Robotica")
    person = builders.subscriber(newsletter, "anna@example.org", topics=[topic])
    rows, bad = importing.parse(
        f"email,newsletters,topics\nanna@example.org,{newsletter.slug},\n", []
    )
    assert not bad
    assert importing.import_row(rows[0], "Modulo cartaceo") == "active"
    assert list(person.subscriptions.get().topics.all()) == [topic]


def test_import_reports_are_in_italian(client, manager):
    rows, bad = importing.parse("email\nnon-un-indirizzo\n", ["x"])
    assert bad[0].reason == "Indirizzo email non valido."
    job = importing.start([], bad, "")
    importing.save(
        importing.Job(**{**importing.asdict(job), "counts": {"active": 4}, "done": True})
    )
    html = page(client.get(f"/admin/newsletter/subscribers/import/{job.id}/"))
    assert "Attivati con la base giuridica indicata: 4" in html
    assert "active: 4" not in html
    assert "Indirizzo email non valido." in html


# --- Issue preview, newsletter form, wording -----------------------------------------------


def test_the_text_preview_has_no_raw_placeholders(client, manager):
    newsletter = builders.newsletter(requires_approval=True)
    builders.subscriber(newsletter)
    factories.news(title="Robotica a Pisa")
    issue = assembly.assemble(newsletter).issue
    html = page(client.get(f"/admin/newsletter-issues/{issue.pk}/"))
    for name in rendering.PERSONAL_FIELDS:
        assert rendering.placeholder(issue.pk, name) not in html
    text = html.split("Versione testo", 1)[1]
    assert "/newsletter/subscribe/" in text


def test_a_weekly_newsletter_needs_only_the_day_of_the_week(client, manager):
    newsletter = builders.newsletter(cadence=Cadence.WEEKLY)
    url = f"/admin/newsletters/edit/{newsletter.pk}/"
    html = page(
        client.post(
            url, builders.newsletter_form_data(newsletter, send_weekday="", send_day_of_month="")
        )
    )
    assert "Questo campo serve per la frequenza scelta." in html
    response = client.post(
        url, builders.newsletter_form_data(newsletter, send_weekday="3", send_day_of_month="")
    )
    assert response.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.send_weekday == 3 and newsletter.send_day_of_month == 1


def test_a_daily_newsletter_needs_no_day_and_a_monthly_one_a_day_up_to_28(client, manager):
    newsletter = builders.newsletter()
    url = f"/admin/newsletters/edit/{newsletter.pk}/"
    response = client.post(
        url, builders.newsletter_form_data(newsletter, cadence=Cadence.DAILY), follow=True
    )
    assert "Newsletter «Innovazione in Toscana» aggiornata." in page(response)
    html = page(
        client.post(
            url,
            builders.newsletter_form_data(newsletter, cadence="monthly", send_day_of_month="31"),
        )
    )
    assert "Scegli un giorno tra 1 e 28." in html


def test_the_newsletter_listing_says_si_and_no(client, manager):
    builders.newsletter(requires_approval=True)
    html = page(client.get("/admin/newsletters/"))
    assert "True" not in html and "False" not in html
    assert "Sì" in html and "Ogni settimana" in html


def test_progress_counts_agree_in_number_and_durations_read_alike(
    client, manager, smtp_settings, smtp_server
):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 1)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    listing = page(client.get("/admin/newsletter-issues/"))
    assert "1 inviata" in listing and "1 inviate" not in listing
    assert "minuti" not in listing and re.search(r"\d+ s\b", listing)
    detail = page(client.get(f"/admin/newsletter-issues/{issue.pk}/"))
    assert "1 inviata" in detail and re.search(r"durata \d+ s", detail)


# --- Dashboard and per-issue report ----------------------------------------------------------


def test_an_unsubscribe_from_an_issue_link_is_attributed_to_that_issue(client):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter)
    issue = builders.approved_issue(newsletter)
    from newsletter.emails import LinkMaker

    links, _headers = LinkMaker(newsletter.pk, issue.pk).links_and_headers(person)
    response = client.post(urlsplit(links["unsubscribe_url"]).path)
    assert response.status_code == 200
    record = ConsentRecord.objects.get(subscriber=person, action=ConsentAction.UNSUBSCRIBE)
    assert record.issue_id == issue.pk
    assert reports.issue_counts([issue])[issue.pk]["unsubscribed"] == 1


def test_a_forged_issue_in_a_token_is_ignored():
    assert attribution.issue_from_token({"i": 10**9}) is None
    assert attribution.issue_from_token({"i": 10**30}) is None
    assert attribution.issue_from_token({"i": -1}) is None
    assert attribution.issue_from_token({"i": "1"}) is None
    assert attribution.issue_from_token({"i": True}) is None


def test_a_complaint_is_pinned_on_the_latest_copy_sent(smtp_settings, smtp_server):
    newsletter = builders.newsletter()
    person = builders.subscriber(newsletter, "anna@example.org")
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    suppression.record_complaint(person.email)
    attribution.note_provider_report(person.email, "")
    counts = reports.issue_counts([issue])[issue.pk]
    assert counts["complained"] == 1 and counts["sent"] == 1


def test_the_admin_home_shows_subscribers_growth_and_the_last_issues(
    client, manager, smtp_settings, smtp_server
):
    newsletter = builders.newsletter(name="Innovazione in Toscana")
    builders.subscribers(newsletter, 4)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    html = page(client.get("/admin/"))
    panel = html.split("data-newsletter-panel", 1)[1]
    assert "Innovazione in Toscana" in panel
    assert "<strong data-subscriber-count>4</strong>" in panel
    assert "<polyline points=" in panel
    assert issue.subject in panel
    assert 'data-count="sent">4<' in panel


def test_the_dashboard_names_the_next_scheduled_issue_and_its_recipients(client, manager):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    sending.schedule(issue, datetime(2099, 1, 1, 9, tzinfo=UTC))
    html = page(client.get("/admin/"))
    upcoming = html.split("data-upcoming", 1)[1].split("</p>", 1)[0]
    assert issue.subject in upcoming and "2 destinatari" in upcoming


def test_growth_counts_back_from_today_with_unsubscribes():
    newsletter = builders.newsletter()
    people = builders.subscribers(newsletter, 3)
    subscriptions.unsubscribe(people[0], subscriptions.RequestInfo(source=ConsentSource.EMAIL))
    growth = reports.growth(newsletter)
    assert growth.current == 2
    assert len(growth.points) == reports.GROWTH_WEEKS + 1
    assert growth.points[0][1] == 1  # 12 weeks ago: 2 now − 2 joined since + 1 who left


def test_the_issue_report_lists_failed_deliveries_with_their_reason(
    client, manager, smtp_settings, smtp_server
):
    newsletter = builders.newsletter()
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    issue.deliveries.filter(pk=issue.deliveries.first().pk).update(
        state=DeliveryState.FAILED, error_code="550", error_message="mailbox unavailable"
    )
    html = page(client.get(f"/admin/newsletter-reports/{issue.pk}/"))
    assert 'data-count="sent"><strong>1</strong>' in html
    assert 'data-count="failed"><strong>1</strong>' in html
    assert "mailbox unavailable" in html and "550" in html
    assert "data-timeline" in html
    # SVG geometry is written with a decimal point even in the Italian admin.
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"', html)
