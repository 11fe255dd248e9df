"""Erasure (Art. 17 GDPR) leaves the address nowhere an admin can read it, history included.

On c88be13 an erased subscriber's address stayed in Wagtail's log entries: the label of every
admin edit is str(subscriber) at the time, i.e. the address, shown by the history views.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import TextField
from django.db.models.functions import Cast
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, PageLogEntry

from newsletter import gdpr, subscriptions
from newsletter.models import ConsentRecord, Subscriber, SubscriberStatus, Subscription
from tests import factories
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")
ADDRESS = "anna.rossi@example.org"
WHO = subscriptions.RequestInfo(source="admin")


def edit_in_the_admin(admin_client, person: Subscriber) -> None:
    response = admin_client.post(
        f"/admin/newsletter/subscribers/edit/{person.pk}/", {"locale": "en"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Show the "saved" flash message now: it lives in the session, not in the history.
    admin_client.get(response.url)


def erase_in_the_admin(admin_client, person: Subscriber) -> None:
    response = admin_client.post(f"/admin/newsletter/subscribers/erase/{person.pk}/")
    assert response.status_code == 302


def mentions_in_the_database(address: str) -> list[str]:
    found = []
    for model in (ModelLogEntry, PageLogEntry):
        rows = model.objects.annotate(data_text=Cast("data", TextField()))
        for entry in rows:
            if address.lower() in f"{entry.label} {entry.data_text}".lower():
                found.append(f"{model.__name__} {entry.pk}")
    for entry in LogEntry.objects.all():
        if address.lower() in f"{entry.object_repr} {entry.change_message}".lower():
            found.append(f"LogEntry {entry.pk}")
    return found


@pytest.mark.django_db
def test_the_history_view_no_longer_shows_an_erased_address(admin_client, weekly):
    factories.site_tree()  # the site history report needs a page tree
    person = subscriber(weekly, ADDRESS)
    edit_in_the_admin(admin_client, person)
    history = f"/admin/newsletter/subscribers/history/{person.pk}/"
    assert ModelLogEntry.objects.filter(label=ADDRESS).exists()  # the leak, before erasure

    erase_in_the_admin(admin_client, person)

    for url in (history, "/admin/reports/site-history/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert ADDRESS not in response.content.decode().lower(), url
    assert mentions_in_the_database(ADDRESS) == []
    labels = set(ModelLogEntry.objects.for_instance(person).values_list("label", flat=True))
    assert labels == {str(Subscriber.objects.get(pk=person.pk))}


@pytest.mark.django_db
def test_erasure_scrubs_every_log_entry_that_mentions_the_address(admin_client, weekly):
    person = subscriber(weekly, ADDRESS)
    page = factories.news(title="Bandi per l'innovazione")
    log(weekly, "wagtail.edit", data={"note": f"Richiesta di {ADDRESS.upper()}"})
    log(page, "wagtail.edit", data={"contacts": [ADDRESS], ADDRESS: "key"})
    LogEntry.objects.create(
        user_id=_any_user_id(), content_type=ContentType.objects.get_for_model(Subscriber),
        object_id=str(person.pk), object_repr=ADDRESS, action_flag=CHANGE,
        change_message=f"Changed {ADDRESS}",
    )  # fmt: skip
    assert len(mentions_in_the_database(ADDRESS)) == 3

    gdpr.erase(person, WHO)

    assert mentions_in_the_database(ADDRESS) == []
    erased = str(Subscriber.objects.get(pk=person.pk))
    assert PageLogEntry.objects.get(page=page, action="wagtail.edit").data == {
        "contacts": [erased], erased: "key",
    }  # fmt: skip
    assert LogEntry.objects.get().object_repr == erased


def _any_user_id() -> int:
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(username="editor-for-log")
    return user.pk


@pytest.mark.django_db
def test_erasing_an_active_subscriber_removes_subscriptions_and_the_stored_confirmation(weekly):
    """Issue #12: no unsubscribe first, so a mutant erase() that keeps them cannot pass."""
    person = subscriber(weekly, ADDRESS)
    record = ConsentRecord.objects.create(
        subscriber=person, action="subscribe", source="form", user_agent="Browser/1",
        confirmation_email=f"To: {ADDRESS}\n\nConferma la tua iscrizione: https://x/confirm/t/",
    )  # fmt: skip
    assert person.status == SubscriberStatus.ACTIVE
    assert Subscription.objects.filter(subscriber=person).exists()

    gdpr.erase(person, WHO)

    person.refresh_from_db()
    record.refresh_from_db()
    assert (person.email, person.status) == (None, SubscriberStatus.ERASED)
    assert not Subscription.objects.filter(subscriber=person).exists()
    assert record.confirmation_email == ""
    assert record.user_agent == ""
