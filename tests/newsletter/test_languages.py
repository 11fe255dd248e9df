"""An English newsletter is English and an Italian one Italian: every email, every
hosted page, every date.

The check is the catalogue itself: the Italian side of every entry of
newsletter/locale/en/LC_MESSAGES/django.po whose English differs must not appear
in anything English, and the English side must not appear in anything Italian.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

import newsletter as newsletter_app
from cms.models import Topic
from newsletter import assembly, demo, subscriptions, tokens, transport, views
from newsletter.forms import PreferencesForm, SubscribeForm
from newsletter.models import ConsentAction, Subscriber, SubscriberStatus, Subscription
from newsletter.rendering import long_date
from newsletter.subscriptions import RequestInfo, Selection
from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

CATALOGUE = Path(newsletter_app.__file__).parent / "locale/en/LC_MESSAGES/django.po"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OTHER = {"it": "en", "en": "it"}


# --- The catalogue ------------------------------------------------------------------------


def po_entries(path: Path) -> list[dict[str, list[str]]]:
    """Each entry's msgid, msgid_plural and msgstr lines as texts (no header)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, list[str]] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                entry.setdefault(key, []).append(json.loads(match.group(2)))
            elif line.startswith('"') and key:
                entry[key][-1] += json.loads(line)
        if entry.get("msgid", [""])[0]:
            entries.append(entry)
    return entries


def phrases(text: str) -> set[str]:
    """The literal parts of a message around its placeholders."""
    parts = re.split(r"%\(\w+\)[sd]|%%", text)
    return {part.strip() for part in parts if re.search(r"[^\W\d_]", part)}


def catalogue_phrases() -> dict[str, set[str]]:
    sides: dict[str, set[str]] = {"it": set(), "en": set()}
    for entry in po_entries(CATALOGUE):
        italian = entry["msgid"] + entry.get("msgid_plural", [])
        english = [
            text for key, texts in entry.items() if key.startswith("msgstr") for text in texts
        ]
        assert all(english), f"untranslated entry: {italian[0]!r}"
        for it_text, en_text in zip(italian, english, strict=False):
            if it_text != en_text:
                sides["it"] |= phrases(it_text) - phrases(en_text)
                sides["en"] |= phrases(en_text) - phrases(it_text)
    return sides


PHRASES = catalogue_phrases()


def visible_text(markup: str) -> str:
    """What a reader sees: tags, styles and attribute names removed; alt texts kept."""
    markup = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", markup)
    alts = re.findall(r'(?i)\balt="([^"]*)"', markup)
    text = re.sub(r"(?s)<[^>]+>", " ", markup)
    return html.unescape(" ".join([text, *alts]))


def foreign_phrases(text: str, language: str) -> list[str]:
    """Catalogue phrases of the other language that appear, as words, in `text`."""
    wrong = PHRASES[OTHER[language]]
    return sorted(p for p in wrong if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", text))


def test_the_catalogue_check_would_see_an_italian_button_in_an_english_email():
    assert foreign_phrases("Read more · Leggi la notizia", "en") == ["Leggi la notizia"]
    assert foreign_phrases("Altre 3 notizie sul sito", "en") == ["Altre", "notizie sul sito"]
    assert foreign_phrases("Issue 1 · Read the story", "it") == ["Issue", "Read the story"]


def test_every_entry_of_the_catalogue_is_translated():
    assert len(PHRASES["it"]) > 100
    assert len(PHRASES["en"]) > 100


# --- What is rendered -----------------------------------------------------------------------


@pytest.fixture
def newsletters():
    """The demo newsletters, each with three stories in its language and a key figure."""
    loaded = {item.locale.language_code: item for item in demo.load(io.StringIO())}
    for language, item in loaded.items():
        item.max_items = 1  # the others are "more on the site"
        item.save()
        index = factories.site_tree(language)
        for number in range(3):
            factories.news(
                index,
                title=f"{language} story {number}",
                publication_date=NOW - timedelta(hours=number + 1),
                body=[{"type": "key_figure", "value": {"value": "400", "label": "km"}}],
            )
    return loaded


@pytest.fixture
def issues(newsletters):
    return {
        language: assembly.assemble(item, now=NOW).issue for language, item in newsletters.items()
    }


LANGUAGES = ["it", "en"]
MONTH = {"it": "30 novembre 2026", "en": "30 November 2026"}


def subscriber_in(language: str, newsletter) -> Subscriber:
    person = Subscriber.objects.create(
        email=f"reader-{language}@example.com", status=SubscriberStatus.ACTIVE, locale=language
    )
    Subscription.objects.create(subscriber=person, newsletter=newsletter)
    return person


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_html_is_in_the_newsletter_language(issues, language):
    rendition = issues[language].renditions.get(variant_key="")
    text = visible_text(rendition.html)

    assert foreign_phrases(text, language) == []
    assert MONTH[language] in text
    assert {"it": "Leggi la notizia", "en": "Read the story"}[language] in text
    assert {"it": "Altre 2 notizie sul sito", "en": "2 more stories on the site"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_text_is_in_the_newsletter_language(issues, language):
    text = issues[language].renditions.get(variant_key="").text

    assert foreign_phrases(text, language) == []
    assert MONTH[language] in text
    assert {"it": "Numero 1", "en": "Issue 1"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_subject_names_the_issue_and_the_date_in_the_newsletter_language(issues, language):
    subject = issues[language].subject

    assert foreign_phrases(subject, language) == []
    assert subject.endswith(
        {"it": "n. 1 · 30 novembre 2026", "en": "No. 1 · 30 November 2026"}[language]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_test_send_is_in_the_newsletter_language(issues, language, smtp_settings, smtp_server):
    transport.send_test(issues[language], "editor@example.org")

    (message,) = smtp_server.wait_for(1)
    body = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert foreign_phrases(visible_text(body), language) == []
    assert foreign_phrases(text, language) == []
    assert foreign_phrases(message["Subject"], language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_email_is_in_the_subscriber_language(
    newsletters, language, eager_tasks, smtp_server
):
    with eager_tasks():
        subscriptions.subscribe(
            f"new-{language}@example.com",
            Selection({newsletters[language].pk: []}),
            language,
            RequestInfo(source="api"),
        )

    (message,) = smtp_server.wait_for(1)
    body = visible_text(message.get_body(preferencelist=("html",)).get_content())
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert foreign_phrases(body, language) == []
    assert foreign_phrases(text, language) == []
    assert foreign_phrases(message["Subject"], language) == []
    assert {"it": "Conferma", "en": "Confirm"}[language] in message["Subject"]


# --- Hosted pages ---------------------------------------------------------------------------


def page_text(response) -> str:
    assert response.status_code < 500
    return visible_text(response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_subscribe_form_and_its_errors_are_in_the_reader_language(newsletters, language):
    factory = RequestFactory()
    with translation.override(language):
        shown = views.subscribe(factory.get("/newsletter/subscribe/"))
        refused = views.subscribe(
            factory.post("/newsletter/subscribe/", {"email": "not-an-address"})
        )

    assert foreign_phrases(page_text(shown), language) == []
    assert refused.status_code == 400
    assert foreign_phrases(page_text(refused), language) == []
    assert {"it": "Serve il tuo consenso", "en": "consent"}[language] in page_text(refused)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preferences_page_follows_the_subscriber_not_the_browser(newsletters, client, language):
    person = subscriber_in(language, newsletters[language])
    url = tokens.preferences_url(person)

    response = client.get(url, HTTP_ACCEPT_LANGUAGE=OTHER[language])

    text = page_text(response)
    assert foreign_phrases(text, language) == []
    assert {"it": "Le tue preferenze", "en": "Your preferences"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirm_unsubscribe_and_archive_pages_follow_the_newsletter_language(
    newsletters, issues, client, language
):
    newsletter = newsletters[language]
    person = subscriber_in(language, newsletter)
    person.status = SubscriberStatus.PENDING
    person.save()
    selection = Selection({newsletter.pk: []})
    request = subscriptions.record_consent(
        person, ConsentAction.SUBSCRIBE, RequestInfo(source="api"), [newsletter.slug]
    )
    issues[language].state = "sent"
    issues[language].save()
    pages = {
        "confirm": subscriptions.confirmation_url(person, selection, request.pk),
        "unsubscribe": tokens.link("unsubscribe", tokens.make_token(person, "unsubscribe")),
        "archive": reverse("newsletter:archive-newsletter", args=[newsletter.slug]),
    }
    for name, url in pages.items():
        text = page_text(client.get(url, HTTP_ACCEPT_LANGUAGE=OTHER[language]))
        assert foreign_phrases(text, language) == [], name


HOSTED_TEMPLATES = [
    "confirmed.html",
    "invalid_link.html",
    "rate_limited.html",
    "subscribe_done.html",
    "unsubscribed.html",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", HOSTED_TEMPLATES)
def test_every_other_hosted_page_is_in_its_language(template, language):
    with translation.override(language):
        text = visible_text(render_to_string(f"newsletter/{template}", {"preferences_url": "/"}))

    assert foreign_phrases(text, language) == []


# --- Topics and dates -------------------------------------------------------------------


@pytest.fixture
def innovation(newsletters):
    italian = factories.topic("Innovazione")
    english = italian.copy_for_translation(factories.locale("en"))
    english.name = "Innovation"
    english.save()
    return italian, english


def topic_labels(form) -> set[str]:
    return {label for _slug, label in form.fields["topics"].choices}


def test_the_english_form_names_topics_in_english(innovation):
    with translation.override("en"):
        form = SubscribeForm()

    assert "Innovation" in topic_labels(form)
    assert "Innovazione" not in topic_labels(form)


def test_the_italian_form_names_topics_in_italian(innovation):
    with translation.override("it"):
        form = SubscribeForm()

    assert "Innovazione" in topic_labels(form)
    assert "Innovation" not in topic_labels(form)


def test_an_english_subscriber_sees_english_topics_on_the_preferences_page(
    newsletters, innovation, client
):
    person = subscriber_in("en", newsletters["it"])  # an English reader of the Italian newsletter

    response = client.get(tokens.preferences_url(person), HTTP_ACCEPT_LANGUAGE="it")

    assert response.status_code == 200
    labels = topic_labels(response.context["form"])
    assert "Innovation" in labels
    assert "Innovazione" not in labels
    assert re.search(r"(?<!\w)Innovation(?!\w)", page_text(response))


def test_a_topic_with_no_english_translation_keeps_its_only_name(newsletters):
    factories.topic("Bandi")

    form = PreferencesForm(language="en")

    assert "Bandi" in topic_labels(form)


def test_topics_are_offered_once_per_slug_whatever_the_languages(innovation):
    form = SubscribeForm(language="en")

    slugs = [slug for slug, _label in form.fields["topics"].choices]
    assert slugs.count("innovazione") == 1
    assert Topic.objects.filter(slug="innovazione").count() == 2


@pytest.mark.parametrize(
    ("language", "expected"),
    [("it", "30 novembre 2026"), ("en", "30 November 2026"), ("it", "1 gennaio 2027")],
)
def test_long_dates_are_written_as_each_language_writes_them(language, expected):
    day = date(2026, 11, 30) if expected.startswith("30") else date(2027, 1, 1)

    assert long_date(day, language) == expected
