"""CSV formula injection: the subscriber export opens in a spreadsheet as text, never as formulas.

An address like =HYPERLINK(…)@example.org is typed by a stranger into the public form; on
c88be13 the admin's CSV export wrote it as it is, and the spreadsheet ran it.
"""

from __future__ import annotations

import csv
import io

import pytest

from newsletter.models import Subscriber, SubscriberStatus, Subscription
from tests.newsletter.builders import newsletter

pytestmark = pytest.mark.services("postgres", "redis")

# Each begins with a character a spreadsheet reads as the start of a formula.
HOSTILE = [
    "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1", "\n=1+1",
    "\uff1d1+1", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(1)",  # full-width = + - @
]  # fmt: skip
TEXT_COLUMNS = ["email", "status", "locale", "newsletters"]


def export(admin_client) -> list[dict[str, str]]:
    response = admin_client.get("/admin/newsletter/subscribers/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body, newline="")))


@pytest.mark.django_db
def test_every_exported_text_column_is_neutralised(admin_client):
    for number, payload in enumerate(HOSTILE):
        # Stored straight in the database: whatever a past bug or an import let in.
        person = Subscriber.objects.create(
            email=f"{payload}{number}@example.org",
            status=payload[:16],
            locale=payload[:8],
        )
        list_ = newsletter(slug=f"{payload}{number}")
        Subscription.objects.create(subscriber=person, newsletter=list_)

    rows = export(admin_client)

    assert len(rows) == len(HOSTILE)
    by_email = {row["Email"].removeprefix("'"): row for row in rows}
    for number, payload in enumerate(HOSTILE):
        row = by_email[f"{payload}{number}@example.org"]
        expected = {
            "Email": f"'{payload}{number}@example.org",
            "Stato": "'" + payload[:16],
            "Lingua": "'" + payload[:8],
            "newsletters": f"'{payload}{number}",
        }
        assert {column: row[column] for column in expected} == expected, repr(payload)


@pytest.mark.django_db
def test_an_address_accepted_by_the_public_form_is_exported_as_text(admin_client):
    """These pass Django's EmailValidator: a stranger really can store them."""
    weekly = newsletter(slug="innovazione")
    for address in ("=1+1@example.org", "-2+3@example.org", "+cmd@example.org"):
        person = Subscriber.objects.create(email=address, status=SubscriberStatus.ACTIVE)
        Subscription.objects.create(subscriber=person, newsletter=weekly)

    cells = sorted(row["Email"] for row in export(admin_client))

    assert cells == ["'+cmd@example.org", "'-2+3@example.org", "'=1+1@example.org"]


@pytest.mark.django_db
def test_ordinary_values_are_exported_unchanged(admin_client):
    weekly = newsletter(slug="innovazione")
    person = Subscriber.objects.create(email="anna@example.org", status=SubscriberStatus.ACTIVE)
    Subscription.objects.create(subscriber=person, newsletter=weekly)

    (row,) = export(admin_client)

    assert (row["Email"], row["Stato"], row["Lingua"], row["newsletters"]) == (
        "anna@example.org", "active", "it", "innovazione",
    )  # fmt: skip
