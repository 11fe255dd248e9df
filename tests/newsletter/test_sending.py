"""Sending in-process against a real SMTP server: headers, recipients, failures, states."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from newsletter import gdpr, sending, stops, subscriptions, suppression, transport
from newsletter.models import (
    ConsentSource,
    Delivery,
    DeliveryState,
    IssueState,
    Subscriber,
    SubscriberStatus,
    SuppressionReason,
)
from newsletter.rendering import placeholder
from newsletter.suppression import is_suppressed, suppress
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def weekly():
    return builders.newsletter()


def test_each_message_carries_the_bulk_mail_headers(weekly, smtp_settings, smtp_server):
    builders.subscriber(weekly, "anna@example.org")
    issue = builders.approved_issue(weekly)
    send_all(issue)
    [message] = smtp_server.wait_for(1)
    delivery = Delivery.objects.get(issue=issue)
    assert message["Message-ID"] == delivery.message_id
    assert message["From"] == "Notiziario Innovazione <notizie@example.org>"
    assert message["Reply-To"] == "redazione@example.org"
    assert message["List-Id"] == f"Innovazione in Toscana <{weekly.slug}.example.org>"
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] == "bulk"
    assert message["Date"]
    assert message["Subject"].strip() == issue.subject


def test_the_unsubscribe_header_is_sent_verbatim_not_as_encoded_words(
    weekly, smtp_settings, smtp_server
):
    builders.subscriber(weekly)
    send_all(builders.approved_issue(weekly))
    [message] = smtp_server.wait_for(1)
    raw = dict(message.raw_items())["List-Unsubscribe"]
    assert "=?" not in raw
    assert raw.strip().startswith(f"<{settings.SITE_URL}/newsletter/unsubscribe/")


def test_a_line_break_in_the_sender_name_cannot_add_a_header(weekly, smtp_settings, smtp_server):
    weekly.sender_name = "Notizie\r\nBcc: victim@example.org"
    weekly.save()
    builders.subscriber(weekly, "anna@example.org")
    send_all(builders.approved_issue(weekly))
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == ["anna@example.org"]
    assert received.message["Bcc"] is None


def test_the_html_part_travels_as_short_ascii_lines_that_decode_to_the_content(
    weekly, smtp_settings, smtp_server
):
    import html as html_module

    builders.subscriber(weekly)
    send_all(builders.approved_issue(weekly, title="Città più verde: sì al progetto"))
    [message] = smtp_server.wait_for(1)
    part = message.get_body(("html",))
    raw = part.get_payload()
    assert part["Content-Transfer-Encoding"] == "7bit"
    assert raw.isascii()
    assert max(len(line) for line in raw.splitlines()) <= 998
    assert "Città più verde: sì al progetto" in html_module.unescape(part.get_content())


def test_the_message_is_multipart_alternative_with_text_first(weekly, smtp_settings, smtp_server):
    builders.subscriber(weekly)
    send_all(builders.approved_issue(weekly))
    [message] = smtp_server.wait_for(1)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_each_subscriber_gets_their_own_unsubscribe_link(weekly, smtp_settings, smtp_server):
    from newsletter import tokens

    anna = builders.subscriber(weekly, "anna@example.org")
    builders.subscriber(weekly, "bruno@example.org")
    issue = builders.approved_issue(weekly)
    send_all(issue)
    messages = {m["To"]: m for m in smtp_server.wait_for(2)}
    html = messages["anna@example.org"].get_body(("html",)).get_content()
    text = messages["anna@example.org"].get_body(("plain",)).get_content()
    # Tokens carry the second they were signed in, so compare whose they are, not their text.
    unsubscribe = tokens.link("unsubscribe", "TOKEN").split("TOKEN")[0]
    preferences = tokens.link("preferences", "TOKEN").split("TOKEN")[0]
    [unsubscribe_token] = set(re.findall(re.escape(unsubscribe) + r"([^/\"]+)/", html))
    [preferences_token] = set(re.findall(re.escape(preferences) + r"([^/\s]+)/", text))
    assert tokens.read_token(unsubscribe_token, "unsubscribe") == anna
    assert tokens.read_token(preferences_token, "preferences") == anna
    assert placeholder(issue.pk, "unsubscribe_url") not in html


def test_only_confirmed_unsuppressed_subscribers_of_the_newsletter_are_frozen(weekly):
    active = builders.subscriber(weekly, "active@example.org")
    builders.subscriber(weekly, "pending@example.org", status=SubscriberStatus.PENDING)
    builders.subscriber(weekly, "gone@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    builders.subscriber(weekly, "blocked@example.org")
    suppress("blocked@example.org", SuppressionReason.MANUAL)
    builders.subscriber(builders.newsletter(slug="other"), "other@example.org")
    issue = builders.approved_issue(weekly)
    assert sending.start_sending(issue) == 1
    assert list(issue.deliveries.values_list("subscriber", flat=True)) == [active.pk]


def test_freezing_twice_creates_no_second_delivery(weekly):
    builders.subscribers(weekly, 5)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    sending.start_sending(issue)
    assert sending.freeze_recipients(issue) == 5
    assert issue.deliveries.count() == 5


def test_freezing_in_small_chunks_reads_each_subscription_once_across_chunk_boundaries(
    weekly, monkeypatch
):
    # Chunks of 2 over 7 subscriptions: a chunk that is wholly suppressed, a topic choice
    # that matches nothing, and a chunk cut short by the end of the list.
    monkeypatch.setattr(sending, "FREEZE_CHUNK", 2)
    startup, space = factories.topic("Startup"), factories.topic("Spazio")
    factories.news(title="Startup news", topics=[startup])
    people = [builders.subscriber(weekly, f"p{n}@example.org") for n in range(7)]
    for person in people[2:4]:
        suppress(person.email, SuppressionReason.MANUAL)
    people[5].subscriptions.get(newsletter=weekly).topics.set([space])
    issue = builders.approved_issue(weekly, news_count=0)
    assert sending.start_sending(issue) == 4
    states = dict(issue.deliveries.values_list("subscriber__email", "state"))
    assert states == {
        "p0@example.org": DeliveryState.PENDING,
        "p1@example.org": DeliveryState.PENDING,
        "p4@example.org": DeliveryState.PENDING,
        "p5@example.org": DeliveryState.SKIPPED,
        "p6@example.org": DeliveryState.PENDING,
    }


def test_an_issue_is_rendered_once_per_distinct_topic_selection(weekly):
    startup, space = factories.topic("Startup"), factories.topic("Spazio")
    factories.news(title="Startup news", topics=[startup])
    factories.news(title="Space news", topics=[space])
    for _ in range(3):
        builders.subscriber(weekly, topics=[startup])
    builders.subscriber(weekly)
    builders.subscriber(weekly, topics=[startup, space])  # everything: same as no selection
    issue = builders.approved_issue(weekly, news_count=0)
    sending.start_sending(issue)
    assert sorted(issue.renditions.values_list("variant_key", flat=True)) == ["", str(startup.pk)]
    assert issue.deliveries.filter(variant_key=str(startup.pk)).count() == 3


def test_a_subscriber_receives_only_the_topics_they_chose(weekly, smtp_settings, smtp_server):
    startup, space = factories.topic("Startup"), factories.topic("Spazio")
    factories.news(title="Startup news", topics=[startup])
    factories.news(title="Space news", topics=[space])
    builders.subscriber(weekly, "anna@example.org", topics=[startup])
    send_all(builders.approved_issue(weekly, news_count=0))
    [message] = smtp_server.wait_for(1)
    html = message.get_body(("html",)).get_content()
    assert "Startup news" in html
    assert "Space news" not in html


def test_a_subscriber_whose_topics_match_nothing_is_skipped(weekly):
    startup, space = factories.topic("Startup"), factories.topic("Spazio")
    factories.news(title="Startup news", topics=[startup])
    person = builders.subscriber(weekly, topics=[space])
    issue = builders.approved_issue(weekly, news_count=0)
    sending.start_sending(issue)
    assert issue.deliveries.get(subscriber=person).state == DeliveryState.SKIPPED


def test_a_permanent_refusal_fails_only_that_delivery_and_suppresses_it(
    weekly, smtp_settings, smtp_server
):
    builders.subscribers(weekly, 4)
    builders.subscriber(weekly, "nobody@example.org")
    smtp_server.handler.refuse_rcpt["nobody@example.org"] = "550 5.1.1 No such user"
    issue = builders.approved_issue(weekly)
    send_all(issue)
    failed = issue.deliveries.get(state=DeliveryState.FAILED)
    assert failed.subscriber.email == "nobody@example.org"
    assert failed.error_code == "550"
    assert "No such user" in failed.error_message
    assert issue.deliveries.filter(state=DeliveryState.SENT).count() == 4
    assert is_suppressed("nobody@example.org")
    assert issue.state == IssueState.SENT


def test_a_temporary_refusal_hands_the_batch_back_for_a_retry(weekly, smtp_settings, smtp_server):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    smtp_server.handler.refuse_all = "451 4.3.0 Try again later"
    with pytest.raises(sending.TemporarySendError):
        sending.send_next_batch(issue.pk, 10)
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert list(issue.deliveries.order_by("pk").values_list("attempts", flat=True)) == [1, 0, 0]


def test_after_a_temporary_refusal_the_retry_sends_everything(weekly, smtp_settings, smtp_server):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    smtp_server.handler.refuse_all = "451 4.3.0 Try again later"
    with pytest.raises(sending.TemporarySendError):
        sending.send_next_batch(issue.pk, 10)
    smtp_server.handler.refuse_all = None
    sending.send_next_batch(issue.pk, 10)
    assert len(smtp_server.wait_for(3)) == 3


def test_an_unreachable_server_is_a_temporary_failure(weekly, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    builders.subscriber(weekly)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    with pytest.raises(sending.TemporarySendError):
        sending.send_next_batch(issue.pk, 10)
    assert issue.deliveries.get().state == DeliveryState.PENDING


def test_too_many_failures_in_a_row_pause_the_issue_and_say_why(
    weekly, smtp_settings, smtp_server, settings
):
    settings.NEWSLETTER_PAUSE_AFTER_FAILURES = 3
    builders.subscribers(weekly, 6)
    issue = builders.approved_issue(weekly)
    smtp_server.handler.refuse_all = "554 5.7.1 Rejected"
    send_all(issue)
    assert issue.state == IssueState.PAUSED
    assert "3 failures in a row" in issue.status_reason
    assert "554" in issue.status_reason
    assert issue.deliveries.filter(state=DeliveryState.PENDING).exists()


def test_a_subscriber_who_unsubscribes_after_the_freeze_is_skipped(
    weekly, smtp_settings, smtp_server
):
    leaving = builders.subscriber(weekly, "leaving@example.org")
    builders.subscriber(weekly, "staying@example.org")
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    # As if the unsubscribe landed between the freeze and this batch's claim.
    Subscriber.objects.filter(pk=leaving.pk).update(status=SubscriberStatus.UNSUBSCRIBED)
    sending.send_next_batch(issue.pk, 10)
    assert smtp_server.recipients() == ["staying@example.org"]


def test_an_address_suppressed_after_the_freeze_is_skipped(weekly, smtp_settings, smtp_server):
    builders.subscriber(weekly, "bounced@example.org")
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    suppress("bounced@example.org", SuppressionReason.HARD_BOUNCE)
    sending.send_next_batch(issue.pk, 10)
    assert issue.deliveries.get().state == DeliveryState.SKIPPED
    assert smtp_server.recipients() == []


def test_a_delivery_in_flight_past_its_lease_becomes_unknown_and_is_never_resent(
    weekly, smtp_settings, smtp_server
):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    claimed = sending.claim(issue, 1)  # a worker claimed it, then died
    sending.reconcile_stale_deliveries(now=timezone.now() + timedelta(days=1))
    send_all(issue)
    assert Delivery.objects.get(pk=claimed[0]).state == DeliveryState.UNKNOWN
    assert len(smtp_server.recipients()) == 2
    assert issue.state == IssueState.SENT
    assert "1 uncertain" in issue.status_reason


def test_a_delivery_within_its_lease_is_left_alone(weekly):
    builders.subscriber(weekly)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    sending.claim(issue, 1)
    assert sending.reconcile_stale_deliveries() == {}
    assert issue.deliveries.get().state == DeliveryState.SENDING


def test_a_claimed_delivery_is_not_claimed_again(weekly):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    first = sending.claim(issue, 2)
    second = sending.claim(issue, 2)
    assert len(first) == 2
    assert len(second) == 1
    assert not set(first) & set(second)


def test_the_issue_is_sent_when_no_delivery_is_left(weekly, smtp_settings, smtp_server):
    builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    send_all(issue, batch_size=2)
    assert issue.state == IssueState.SENT
    assert issue.send_finished_at is not None
    assert sending.progress(issue)["sent"] == 3


def test_a_draft_cannot_be_sent(weekly):
    factories.news()
    from newsletter import assembly

    issue = assembly.assemble(weekly).issue
    with pytest.raises(sending.TransitionError):
        sending.start_sending(issue)


def test_cancelling_a_paused_issue_skips_what_was_pending(weekly):
    builders.subscribers(weekly, 2)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    sending.pause(issue, "by hand")
    sending.cancel(issue)
    assert issue.state == IssueState.CANCELLED
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.SKIPPED}


def test_a_paused_issue_sends_nothing_until_resumed(weekly, smtp_settings, smtp_server):
    builders.subscribers(weekly, 2)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    sending.pause(issue, "by hand")
    assert sending.send_next_batch(issue.pk, 10).claimed == 0
    sending.resume(issue)
    assert sending.send_next_batch(issue.pk, 10).sent == 2


def test_riprendi_gives_a_temporary_failure_another_chance_but_not_a_permanent_one(weekly):
    builders.subscribers(weekly, 2)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    greylisted, refused = issue.deliveries.order_by("pk")
    issue.deliveries.filter(pk=greylisted.pk).update(
        state=DeliveryState.FAILED, error_code="451", attempts=9
    )
    issue.deliveries.filter(pk=refused.pk).update(state=DeliveryState.FAILED, error_code="550")
    sending.pause(issue, "the mail server kept refusing")
    sending.resume(issue)
    greylisted.refresh_from_db()
    refused.refresh_from_db()
    assert (greylisted.state, greylisted.attempts) == (DeliveryState.PENDING, 0)
    assert refused.state == DeliveryState.FAILED


def test_the_retry_limit_is_the_configured_one_not_celerys_default(settings):
    settings.NEWSLETTER_MAX_RETRIES = 8
    settings.NEWSLETTER_RETRY_BASE_SECONDS = 30
    settings.NEWSLETTER_RETRY_MAX_SECONDS = 1800
    waits = [sending.retry_countdown(retries) for retries in range(9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800, None]


def test_a_stop_during_a_batch_leaves_a_mark_that_batch_reads_and_skips_what_is_pending(weekly):
    people = builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    held = sending.claim(issue, 2)
    in_batch = [d.subscriber_id for d in Delivery.objects.filter(pk__in=held)]
    waiting = issue.deliveries.get(state=DeliveryState.PENDING).subscriber_id
    stops.stop_deliveries(in_batch[0])
    stops.stop_deliveries(waiting)
    assert stops.stopped_among(issue.pk, [p.pk for p in people]) == {in_batch[0]}
    assert stops.stopped_among(issue.pk, [in_batch[0]]) == {in_batch[0]}
    assert stops.stopped_among(issue.pk, [in_batch[1]]) == set()
    assert issue.deliveries.get(subscriber_id=waiting).state == DeliveryState.SKIPPED
    assert issue.deliveries.get(subscriber_id=in_batch[0]).state == DeliveryState.SENDING


WHO = subscriptions.RequestInfo(source=ConsentSource.EMAIL)
STOP_PATHS = {
    "unsubscribe": lambda person, weekly: subscriptions.unsubscribe(person, WHO),
    "unsubscribe from this newsletter": (
        lambda person, weekly: subscriptions.unsubscribe_from(person, weekly.pk, WHO)
    ),
    "complaint": lambda person, weekly: suppression.record_complaint(person.email),
    "hard bounce": lambda person, weekly: suppression.record_hard_bounce(person.email),
    "refused mailbox": lambda person, weekly: suppression.record_invalid_recipient(person.email),
    "soft bounces": lambda person, weekly: [
        suppression.record_soft_bounce(person.email)
        for _ in range(settings.NEWSLETTER_SOFT_BOUNCE_LIMIT)
    ],
    "erasure": lambda person, weekly: gdpr.erase(person, WHO),
}


@pytest.mark.parametrize("path", STOP_PATHS)
def test_every_stop_path_marks_a_delivery_its_batch_holds(weekly, path):
    """Issue #11: the batch reads these marks before each MAIL FROM (test_reliability shows it
    honoured); each way of stopping mail must leave one, not only the unsubscribe."""
    person, bystander = builders.subscriber(weekly), builders.subscriber(weekly)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    assert len(sending.claim(issue, 2)) == 2
    STOP_PATHS[path](person, weekly)
    assert stops.stopped_among(issue.pk, [person.pk, bystander.pk]) == {person.pk}


def test_a_batch_that_cannot_read_the_stop_marks_sends_nothing_and_hands_its_rows_back(
    weekly, settings, smtp_settings, smtp_server
):
    """Issue #11, Redis down: without the marks a stop could be missed, so nothing leaves
    and nothing stays claimed; the rows are checked in the database when claimed again."""
    people = builders.subscribers(weekly, 3)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    working = settings.CACHES
    settings.CACHES = {"default": {**working["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with pytest.raises(transport.TemporarySendError, match="cannot open a batch"):
        sending.send_next_batch(issue.pk, 3)
    assert smtp_server.recipients() == []
    assert set(issue.deliveries.values_list("state", "attempts")) == {(DeliveryState.PENDING, 0)}

    settings.CACHES = working
    send_all(issue)
    assert sorted(smtp_server.recipients()) == sorted(p.email for p in people)


@pytest.mark.django_db(transaction=True)
def test_a_stop_whose_mark_redis_lost_still_wins_over_the_batch_in_flight(
    weekly, smtp_settings, smtp_server
):
    """Issue #11, Redis restarting empty mid-batch: the stop had committed and left its mark,
    then Redis lost it. The batch must notice the loss, not read it as "nobody stopped"."""
    people = builders.subscribers(weekly, 6)
    issue = builders.approved_issue(weekly)
    sending.start_sending(issue)
    handler = smtp_server.handler
    handler.gate = threading.Semaphore(1)  # the first message goes, the second is held
    errors: list[BaseException] = []

    def batch() -> None:
        try:
            sending.send_next_batch(issue.pk, 6)
        except BaseException as exc:  # looked at below
            errors.append(exc)
        finally:
            connection.close()

    sender = threading.Thread(target=batch)
    sender.start()
    assert handler.held.wait(30), "the second message never reached the server"
    leaving = issue.deliveries.order_by("pk")[3].subscriber
    subscriptions.unsubscribe(leaving, WHO)
    cache.clear()  # Redis restarts empty: the stop's mark is gone
    handler.gate.release(100)
    sender.join(60)

    assert [type(exc) for exc in errors] == [transport.TemporarySendError]
    send_all(issue)
    assert leaving.email not in smtp_server.recipients(), "mailed after the unsubscribe committed"
    assert sorted(smtp_server.recipients()) == sorted(p.email for p in people if p != leaving)


def test_a_test_send_goes_to_one_address_without_personal_links(weekly, smtp_settings, smtp_server):
    builders.subscriber(weekly)
    issue = builders.approved_issue(weekly)
    transport.send_test(issue, "editor@example.org")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "editor@example.org"
    assert message["Subject"].strip().startswith("[TEST] ")
    assert issue.deliveries.count() == 0
