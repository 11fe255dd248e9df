"""CSV import and the subscribers admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from newsletter import importing
from newsletter.models import ConsentRecord, Subscriber, SubscriberStatus
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")
CSV = "email,newsletters,locale\nanna@example.org,innovazione,it\nnot-an-email,,\nbo@example.org,missing,\nanna@example.org,,\n"


@pytest.mark.django_db
def test_every_bad_row_is_reported_with_its_reason(weekly):
    rows, bad = importing.parse(CSV, [])

    assert [row.email for row in rows] == ["anna@example.org"]
    assert [(b.line, b.reason) for b in bad] == [
        (3, "Indirizzo email non valido."),
        (4, "Newsletter sconosciuta: missing."),
        (5, "Ripete una riga precedente."),
    ]


@pytest.mark.django_db
def test_an_import_with_a_lawful_basis_activates_and_records_it(weekly):
    [row], _bad = importing.parse("email\nanna@example.org\n", ["innovazione"])

    assert importing.import_row(row, "Modulo cartaceo, evento 3 marzo") == "active"

    record = ConsentRecord.objects.get()
    assert (record.source, record.lawful_basis) == ("import", "Modulo cartaceo, evento 3 marzo")
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE


@pytest.mark.django_db
def test_an_import_without_a_lawful_basis_sends_a_confirmation_and_stays_pending(
    weekly, eager_tasks, smtp_server
):
    [row], _bad = importing.parse("email\nanna@example.org\n", ["innovazione"])

    with eager_tasks():
        outcome = importing.import_row(row, "")

    assert outcome == "confirmation"
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    assert smtp_server.wait_for(1)[0]["To"] == "anna@example.org"


@pytest.mark.django_db
def test_an_import_never_brings_back_someone_who_unsubscribed(weekly):
    subscriber(weekly, "anna@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    [row], _bad = importing.parse("email\nanna@example.org\n", ["innovazione"])

    assert importing.import_row(row, "legittimo interesse") == "unchanged"
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_admin_import_runs_and_shows_progress_and_bad_rows(admin_client, weekly, eager_tasks):
    upload = SimpleUploadedFile("people.csv", CSV.encode(), content_type="text/csv")
    with eager_tasks():
        response = admin_client.post(
            "/admin/newsletter/subscribers/import/",
            {
                "file": upload,
                "mode": "lawful_basis",
                "lawful_basis": "Contratto",
                "newsletters": [weekly.pk],
            },
        )
    progress = admin_client.get(response["Location"])

    assert progress.status_code == 200
    assert b'<progress id="import-progress" max="1" value="1">' in progress.content
    assert "Newsletter sconosciuta: missing." in progress.content.decode()
    assert Subscriber.objects.get().email == "anna@example.org"


@pytest.mark.django_db
def test_the_admin_list_counts_subscribers_per_status_and_filters(admin_client, weekly):
    subscriber(weekly, "anna@example.org")
    subscriber(weekly, "bo@example.org", status=SubscriberStatus.UNSUBSCRIBED)

    response = admin_client.get("/admin/newsletter/subscribers/?status=unsubscribed")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1</strong> Attivo" in content
    assert "bo@example.org" in content and "anna@example.org" not in content


@pytest.mark.django_db
def test_the_admin_exports_subscribers_as_csv(admin_client, weekly):
    subscriber(weekly, "anna@example.org")

    response = admin_client.get("/admin/newsletter/subscribers/?export=csv")

    body = b"".join(response.streaming_content).decode()
    assert "anna@example.org" in body and "innovazione" in body


@pytest.mark.django_db
def test_the_admin_list_searches_by_email_and_filters_by_newsletter(admin_client, weekly):
    from tests.newsletter.builders import newsletter

    other = newsletter(slug="monthly", language="en")
    subscriber(weekly, "anna@example.org")
    subscriber(other, "bo@example.org")
    subscriber(other, "carla@example.org")

    by_newsletter = admin_client.get(
        f"/admin/newsletter/subscribers/?newsletter={other.pk}"
    ).content.decode()
    by_search = admin_client.get("/admin/newsletter/subscribers/?q=carla").content.decode()

    assert "bo@example.org" in by_newsletter and "anna@example.org" not in by_newsletter
    assert "carla@example.org" in by_search and "bo@example.org" not in by_search
