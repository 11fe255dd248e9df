"""`manage.py newsletter_send SLUG [--now] [--dry-run]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsletter.models import Issue, IssueState
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def run(*args) -> str:
    out = StringIO()
    call_command("newsletter_send", *args, stdout=out)
    return out.getvalue()


def test_it_assembles_and_sends_with_a_progress_bar(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="settimanale")
    builders.subscribers(newsletter, 3)
    factories.news()
    output = run("settimanale")
    assert "3/3" in output
    assert "Sent." in output
    assert len(smtp_server.wait_for(3)) == 3


def test_a_dry_run_stores_and_sends_nothing(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="settimanale")
    builders.subscribers(newsletter, 2)
    factories.news(title="Da provare")
    output = run("settimanale", "--dry-run")
    assert "Da provare" in output
    assert "Recipients: about 2" in output
    assert not Issue.objects.exists()
    assert smtp_server.recipients() == []


def test_a_newsletter_needing_approval_waits_without_now(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="settimanale", requires_approval=True)
    builders.subscriber(newsletter)
    factories.news()
    output = run("settimanale")
    assert "waiting for an editor's approval" in output
    assert Issue.objects.get().state == IssueState.DRAFT


def test_now_sends_without_waiting_for_approval(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="settimanale", requires_approval=True)
    builders.subscriber(newsletter)
    factories.news()
    run("settimanale", "--now")
    assert Issue.objects.get().state == IssueState.SENT
    assert len(smtp_server.wait_for(1)) == 1


def test_nothing_new_says_why():
    builders.newsletter(slug="settimanale")
    assert "Nothing to send: no new live news" in run("settimanale")


def test_an_unknown_slug_fails_with_a_message():
    with pytest.raises(CommandError, match="No newsletter has the slug 'nessuna'"):
        run("nessuna")
