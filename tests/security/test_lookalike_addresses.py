"""Look-alike addresses: one mailbox, one canonical address (issue #9).

`anna@example.org` followed by U+200B, with a soft hyphen in the domain, or with a
full-width domain reached the same inbox while counting as new addresses:
suppression, erasure and per-address limits did not apply to them.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter import importing, subscriptions, suppression
from newsletter.addresses import address_hash, normalise_email
from newsletter.models import Subscriber, SubscriberStatus, SuppressionReason
from newsletter.suppression import is_suppressed, suppress

pytestmark = pytest.mark.services("postgres", "redis")

ORIGINALS = ["anna@example.org", "mario.rossi@regione.toscana.it", "jo@bücher.de"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u202e", "\u2066", "\x00"]


def fullwidth(ch: str) -> str:
    """The full-width form of a printable ASCII character (NFKC maps it back)."""
    return chr(ord(ch) + 0xFEE0) if len(ch) == 1 and "!" <= ch <= "~" else ch


@st.composite
def variants(draw, original: str) -> str:
    """A look-alike of `original`: case, full-width letters, decomposed accents,
    punycode, dots that look like dots, invisible characters, surrounding spaces."""
    local, domain = original.split("@")
    if draw(st.booleans()) and not domain.isascii():
        domain = domain.encode("idna").decode()
    chars = list(f"{local}@{domain}")
    for index in draw(st.lists(st.integers(0, len(chars) - 1), max_size=6)):
        chars[index] = draw(
            st.sampled_from(
                [
                    chars[index].upper(),
                    fullwidth(chars[index]),
                    unicodedata.normalize("NFD", chars[index]),
                    "\u3002" if chars[index] == "." else chars[index],
                    "\uff0e" if chars[index] == "." else chars[index],
                ]
            )
        )
    for index in draw(st.lists(st.integers(0, len(chars)), max_size=2)):
        chars.insert(index, draw(st.sampled_from(INVISIBLE)))
    padding = draw(st.sampled_from(["", " ", "\u00a0", "\u3000", "\t"]))
    return padding + "".join(chars) + padding


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_every_look_alike_is_refused_or_is_the_same_address(data):
    original = data.draw(st.sampled_from(ORIGINALS))
    variant = data.draw(variants(original))

    try:
        canonical = normalise_email(variant)
    except ValidationError:
        return
    assert canonical == normalise_email(original)
    assert address_hash(variant) == address_hash(original)


@given(text=st.text(max_size=80))
@settings(max_examples=500, deadline=None)
def test_the_canonical_form_is_printable_and_stable(text):
    try:
        canonical = normalise_email(text + "@example.org")
    except ValidationError:
        return
    assert normalise_email(canonical) == canonical
    assert all(unicodedata.category(ch)[0] not in "CZ" for ch in canonical)


@pytest.mark.django_db
@given(data=st.data())
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_suppressing_the_original_blocks_every_look_alike(data):
    original = data.draw(st.sampled_from(ORIGINALS))
    suppress(original, SuppressionReason.COMPLAINT)
    variant = data.draw(variants(original))

    try:
        normalise_email(variant)
    except ValidationError:
        return
    assert is_suppressed(variant)


@pytest.mark.parametrize(
    "variant",
    ["anna@example.org\u200b", "anna@exam\u00adple.org", "anna\u200d@example.org"],
    ids=["zero-width-space", "soft-hyphen-in-domain", "zero-width-joiner"],
)
def test_invisible_characters_are_refused(variant):
    with pytest.raises(ValidationError):
        normalise_email(variant)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("anna@ｅｘａｍｐｌｅ.ｏｒｇ", "anna@example.org"),
        ("ＡＮＮＡ@Example.ORG", "anna@example.org"),
        ("jo@xn--bcher-kva.de", "jo@bücher.de"),
        ("jo@BU\u0308CHER.de", "jo@bücher.de"),
    ],
    ids=["full-width-domain", "full-width-local-part", "punycode", "decomposed-umlaut"],
)
def test_readable_variants_become_the_canonical_address(variant, canonical):
    assert normalise_email(variant) == canonical


# Every way an address enters ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "variant", ["anna@example.org\u200b", "anna@exam\u00adple.org", "anna@ｅｘａｍｐｌｅ.ｏｒｇ"]
)
def test_the_api_never_mails_a_look_alike_of_a_suppressed_address(
    client, weekly, eager_tasks, smtp_server, variant
):
    suppress("anna@example.org", SuppressionReason.COMPLAINT)
    body = {"email": variant, "newsletters": [weekly.slug], "consent": True}

    with eager_tasks():
        response = client.post(
            "/api/v2/subscriptions/", json.dumps(body), content_type="application/json"
        )

    assert response.status_code in (202, 400)
    assert response.status_code == 202 or "email" in response.json()["errors"]
    assert smtp_server.messages == []
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_the_hosted_form_refuses_an_invisible_character_with_a_form_error(client, weekly):
    response = client.post(
        "/newsletter/subscribe/",
        {"email": "anna@example.org\u200b", "newsletters": [weekly.slug], "consent": "on"},
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


@pytest.mark.django_db
def test_ten_look_alikes_count_against_one_address(weekly, eager_tasks, smtp_server, settings):
    settings.NEWSLETTER_CONFIRMATION_COOLDOWN = 0
    settings.NEWSLETTER_RATE_LIMITS = {
        **settings.NEWSLETTER_RATE_LIMITS,
        "confirmation_per_address": "3/86400",
    }
    selection = subscriptions.Selection({weekly.pk: []})
    looks = [
        "anna@ｅｘａｍｐｌｅ.ｏｒｇ",
        "ANNA@example.org",
        "ａｎｎａ@example.org",
        "anna@example。org",
    ]

    with eager_tasks():
        for n in range(10):
            subscriptions.subscribe(
                looks[n % len(looks)], selection, "it", subscriptions.RequestInfo("api")
            )

    assert len(smtp_server.wait_for(3)) == 3
    assert smtp_server.recipients() == ["anna@example.org"] * 3
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["anna@example.org"]


@pytest.mark.django_db
def test_a_csv_import_refuses_invisible_characters_and_merges_look_alikes(weekly):
    rows = "email\nanna@example.org\u200b\nanna@ｅｘａｍｐｌｅ.ｏｒｇ\nANNA@example.org\n"

    rows, bad = importing.parse(rows, default_newsletters=[weekly.slug])

    assert [row.email for row in rows] == ["anna@example.org"]
    assert len(bad) == 2


@pytest.mark.django_db
def test_a_complaint_webhook_for_a_look_alike_suppresses_the_mailbox(weekly):
    person = Subscriber.objects.create(email="anna@example.org", status=SubscriberStatus.ACTIVE)

    suppression.record_complaint("ANNA@ｅｘａｍｐｌｅ.ｏｒｇ")

    assert is_suppressed("anna@example.org")
    person.refresh_from_db()
    assert person.status == SubscriberStatus.COMPLAINED


@pytest.mark.django_db
def test_a_gdpr_erasure_by_a_look_alike_finds_the_subscriber(weekly):
    Subscriber.objects.create(email="anna@example.org", status=SubscriberStatus.ACTIVE)

    call_command("subscriber_erase", "Anna@ＥＸＡＭＰＬＥ.org")

    assert Subscriber.objects.get().status == SubscriberStatus.ERASED
    assert is_suppressed("anna@example.org")
