"""GDPR access and erasure, from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsletter import subscriptions
from newsletter.models import (
    ConsentRecord,
    Subscriber,
    SubscriberStatus,
    Suppression,
    SuppressionReason,
)
from newsletter.suppression import is_suppressed
from tests.newsletter.builders import subscriber

pytestmark = pytest.mark.services("postgres", "redis")
WHO = subscriptions.RequestInfo(source="form", user_agent="Browser/1", ip="198.51.100.7")


@pytest.mark.django_db
def test_subscriber_export_prints_all_data_as_json(weekly):
    person = subscriber(weekly, "anna@example.org")
    subscriptions.unsubscribe(person, WHO)
    out = StringIO()

    call_command("subscriber_export", "Anna@Example.org", stdout=out)

    data = json.loads(out.getvalue())
    assert data["subscriber"]["email"] == "anna@example.org"
    assert data["consent_records"][0]["user_agent"] == "Browser/1"
    assert {"subscriptions", "deliveries"} <= set(data)


@pytest.mark.parametrize("command", ["subscriber_export", "subscriber_erase"])
@pytest.mark.django_db
def test_an_unknown_address_is_an_error(command):
    with pytest.raises(CommandError, match="No subscriber"):
        call_command(command, "nobody@example.org")


@pytest.mark.django_db
def test_subscriber_erase_removes_personal_data_and_keeps_a_hashed_suppression(weekly):
    person = subscriber(weekly, "anna@example.org")
    subscriptions.unsubscribe(person, WHO)

    call_command("subscriber_erase", "anna@example.org", stdout=StringIO())

    person = Subscriber.objects.get(pk=person.pk)
    assert (person.email, person.status) == (None, SubscriberStatus.ERASED)
    assert is_suppressed("anna@example.org")
    assert Suppression.objects.get().reason == SuppressionReason.ERASED
    records = ConsentRecord.objects.filter(subscriber=person)
    assert not records.exclude(user_agent="", ip_hash="").exists()
    assert list(records.values_list("action", flat=True)) == ["unsubscribe", "erase"]


@pytest.mark.django_db
def test_an_erased_address_asking_again_is_not_stored(weekly):
    call_command(
        "subscriber_erase", subscriber(weekly, "anna@example.org").email, stdout=StringIO()
    )

    subscriptions.subscribe("anna@example.org", subscriptions.Selection({weekly.pk: []}), "it", WHO)

    assert not Subscriber.objects.filter(email="anna@example.org").exists()
