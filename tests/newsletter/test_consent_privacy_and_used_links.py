"""The privacy notice link (form, API, confirmation email, digest) and a confirm link used twice."""

from __future__ import annotations

import re

import pytest

from newsletter import subscriptions
from newsletter.models import SubscriberStatus
from newsletter.subscriptions import RequestInfo, Selection
from tests.newsletter import builders
from tests.newsletter.consent_support import link_in
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = pytest.mark.services("postgres", "redis")
PRIVACY = "https://www.example.org/informativa-privacy/"


@pytest.fixture
def privacy(settings):
    settings.NEWSLETTER_PRIVACY_URL = PRIVACY
    return PRIVACY


def ask(newsletter, email="giulia@example.org"):
    subscriptions.subscribe(email, Selection({newsletter.pk: []}), "it", RequestInfo("form"))


@pytest.mark.django_db
def test_the_subscribe_form_links_the_privacy_notice_beside_the_consent_checkbox(
    client, weekly, privacy
):
    html = client.get("/newsletter/subscribe/").content.decode()

    paragraph = re.search(r"<p>(?:(?!</p>).)*name=\"consent\"(?:(?!</p>).)*</p>", html, re.S)
    assert paragraph, "no paragraph holds the consent checkbox"
    assert f'href="{privacy}"' in paragraph.group(0)


@pytest.mark.django_db
def test_the_newsletters_api_names_the_privacy_notice(client, weekly, privacy):
    assert client.get("/api/v2/newsletters/").json()["meta"]["privacy_url"] == privacy


@pytest.mark.django_db
def test_the_confirmation_email_links_the_privacy_notice(weekly, eager_tasks, smtp_server, privacy):
    with eager_tasks():
        ask(weekly)
    [message] = smtp_server.wait_for(1)

    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f'href="{privacy}"' in html
    assert privacy in text


@pytest.mark.django_db
def test_every_digest_footer_links_the_privacy_notice(smtp_settings, smtp_server, privacy):
    weekly = builders.newsletter()
    builders.subscriber(weekly, "giulia@example.org")
    send_all(builders.approved_issue(weekly))
    [message] = smtp_server.wait_for(1)

    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    footer = html[html.index("/newsletter/unsubscribe/") - 2000 :]
    assert f'href="{privacy}"' in footer
    assert privacy in text.split("\n--\n")[-1]


@pytest.mark.django_db
def test_reopening_a_used_confirmation_link_says_it_is_already_confirmed(
    client, weekly, eager_tasks, smtp_server
):
    with eager_tasks():
        ask(weekly)
    url = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")
    client.post(url)

    again, posted_again = client.get(url), client.post(url)

    for response in (again, posted_again):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Iscrizione già confermata" in html
        assert "Stai per iscriverti" not in html
        assert "<button" not in html


@pytest.mark.django_db
def test_a_used_confirmation_link_after_unsubscribing_is_invalid_not_confirmed(
    client, weekly, eager_tasks, smtp_server
):
    with eager_tasks():
        ask(weekly)
    url = link_in(smtp_server.wait_for(1)[0], "/newsletter/confirm/")
    person = subscriptions.confirm(url.rstrip("/").rsplit("/", 1)[1], RequestInfo("email"))
    subscriptions.unsubscribe(person, RequestInfo("email"))

    response = client.get(url)

    assert response.status_code == 400
    assert "già confermata" not in response.content.decode()
    person.refresh_from_db()
    assert person.status == SubscriberStatus.UNSUBSCRIBED


@pytest.mark.django_db
def test_the_preferences_page_says_in_words_that_no_topic_means_every_topic(client, weekly):
    from newsletter.tokens import preferences_url
    from tests import factories

    factories.topic("Startup")
    person = builders.subscriber(weekly, "giulia@example.org")

    html = client.get(preferences_url(person)).content.decode()

    assert "se non ne scegli nessuno, riceverai le notizie di tutti i temi" in html
    assert "nessuno: tutti" not in html
