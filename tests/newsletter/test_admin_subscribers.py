"""Admin actions on one subscriber: GDPR export, erase, manual hard bounce; and the demo."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model

from newsletter import demo
from newsletter.models import Newsletter, Subscriber, SubscriberStatus
from newsletter.suppression import is_suppressed
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_admin_downloads_a_subscribers_data_as_json(admin_client, weekly):
    person = subscriber(weekly, "anna@example.org")

    response = admin_client.get(f"/admin/newsletter/subscribers/gdpr-export/{person.pk}/")

    assert response.status_code == 200
    assert json.loads(response.content)["subscriber"]["email"] == "anna@example.org"


@pytest.mark.django_db
def test_the_admin_erase_asks_first_then_erases_on_post(admin_client, weekly):
    person = subscriber(weekly, "anna@example.org")
    url = f"/admin/newsletter/subscribers/erase/{person.pk}/"

    asked = admin_client.get(url)
    untouched = Subscriber.objects.get().email
    admin_client.post(url)

    assert asked.status_code == 200 and untouched == "anna@example.org"
    person.refresh_from_db()
    assert (person.email, person.status) == (None, SubscriberStatus.ERASED)
    assert is_suppressed("anna@example.org")


@pytest.mark.django_db
def test_the_admin_marks_a_hard_bounce_by_hand(admin_client, weekly):
    person = subscriber(weekly, "anna@example.org")

    admin_client.post(f"/admin/newsletter/subscribers/mark-bounced/{person.pk}/")

    person.refresh_from_db()
    assert person.status == SubscriberStatus.BOUNCED
    assert is_suppressed("anna@example.org")


@pytest.mark.django_db
def test_an_editor_without_permission_cannot_erase(client, weekly):
    editor = get_user_model().objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    person = subscriber(weekly, "anna@example.org")

    response = client.post(f"/admin/newsletter/subscribers/erase/{person.pk}/")

    assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    assert Subscriber.objects.get().email == "anna@example.org"


@pytest.mark.django_db
def test_the_demo_creates_an_italian_weekly_and_an_english_monthly_once():
    demo.load(StringIO())
    demo.load(StringIO())

    newsletters = {n.locale.language_code: n for n in Newsletter.objects.all()}
    assert Newsletter.objects.count() == 2
    assert (newsletters["it"].name, newsletters["it"].cadence) == (
        "Innovazione in Toscana",
        "weekly",
    )
    assert newsletters["en"].cadence == "monthly"
