"""`manage.py newsletter_send SLUG [--now] [--dry-run]`."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from newsletter import assembly
from newsletter.models import Issue, IssueState, Newsletter
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache  # noqa: F401
from tests.support.postgres_faults import side_connection

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


# Two runs at once -----------------------------------------------------------------------
# Each run is a thread with its own database connection. The test holds a row lock that
# both runs need, waits until both are blocked on it, then lets go: the race is decided
# by PostgreSQL, the same way every time.


def run_together(*args, lock_sql: str, lock_params: list) -> list[str]:
    outputs: list[str] = ["", ""]
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            outputs[index] = run(*args)
        except BaseException as exc:  # reported below, with the output so far
            errors.append(exc)
        finally:
            connection.close()

    with side_connection(connection.settings_dict, autocommit=False) as holder:
        holder.execute(lock_sql, lock_params)
        runs = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for thread in runs:
            thread.start()
        wait_for_backends_waiting_on_a_lock(2)
        holder.rollback()  # lets both go
    for thread in runs:
        thread.join(120)
    assert not errors, errors
    return outputs


def wait_for_backends_waiting_on_a_lock(count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with side_connection(connection.settings_dict) as observer:
        while time.monotonic() < deadline:
            (waiting,) = observer.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting >= count:
                return
            time.sleep(0.05)
    pytest.fail(f"fewer than {count} runs were waiting on the held lock after {timeout}s")


@pytest.mark.django_db(transaction=True)
def test_a_second_run_started_together_says_the_other_run_sent_the_issue(
    smtp_settings, smtp_server
):
    newsletter = builders.newsletter(slug="settimanale")
    people = builders.subscribers(newsletter, 3)
    factories.news()
    # Both runs find nothing to continue, then queue on the newsletter's assembly lock.
    outputs = run_together(
        "settimanale",
        "--now",
        lock_sql=f"SELECT 1 FROM {Newsletter._meta.db_table} WHERE id = %s FOR UPDATE",
        lock_params=[newsletter.pk],
    )
    winner, loser = sorted(outputs, key=lambda output: "Sent." not in output)
    assert "Sent." in winner
    assert "by another run" in loser
    assert "Nothing to send" not in loser
    assert Issue.objects.count() == 1
    assert sorted(smtp_server.recipients()) == sorted(p.email for p in people)


@pytest.mark.django_db(transaction=True)
def test_two_runs_approving_the_same_draft_at_once_end_cleanly(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="settimanale", requires_approval=True)
    people = builders.subscribers(newsletter, 3)
    factories.news()
    issue = assembly.assemble(newsletter).issue
    # Both runs find the draft, then queue on its row to approve it: one wins.
    outputs = run_together(
        "settimanale",
        "--now",
        lock_sql=f"SELECT 1 FROM {Issue._meta.db_table} WHERE id = %s FOR UPDATE",
        lock_params=[issue.pk],
    )
    winner, loser = sorted(outputs, key=lambda output: "Sent." not in output)
    assert "Sent." in winner
    assert "already being sent by another run" in loser or "sent by another run" in loser
    assert sorted(smtp_server.recipients()) == sorted(p.email for p in people)
