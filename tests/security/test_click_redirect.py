"""The click-count redirect as an outsider uses it: unsent issues, hostile ids, methods,
concurrent clicks, a frozen URL that is not a web address, nothing about subscribers."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.utils import timezone

from newsletter import assembly
from newsletter.models import Issue, IssueItem, IssueState
from tests import factories
from tests.newsletter import builders

pytestmark = [pytest.mark.services("postgres", "redis")]


def counted_issue(*, started: bool) -> Issue:
    newsletter = builders.newsletter(count_clicks=True, requires_approval=True)
    builders.subscriber(newsletter)
    factories.news(title="Robotica a Pisa")
    issue = assembly.assemble(newsletter).issue
    if started:
        Issue.objects.filter(pk=issue.pk).update(
            state=IssueState.SENT, send_started_at=timezone.now()
        )
    return issue


def link(issue: Issue, item: IssueItem) -> str:
    return f"/newsletter/c/{issue.pk}/{item.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("state", [IssueState.DRAFT, IssueState.APPROVED, IssueState.CANCELLED])
def test_a_link_of_an_issue_never_sent_is_not_found_and_not_counted(client, state):
    issue = counted_issue(started=False)
    Issue.objects.filter(pk=issue.pk).update(state=state)
    item = issue.items.get()
    response = client.get(link(issue, item))
    assert response.status_code == 404
    assert item.url not in response.content.decode()
    item.refresh_from_db()
    assert item.clicks == 0


@pytest.mark.django_db
def test_a_sent_issue_without_a_start_time_still_redirects_and_counts(client):
    issue = counted_issue(started=False)
    Issue.objects.filter(pk=issue.pk).update(state=IssueState.SENT)
    item = issue.items.get()
    assert client.get(link(issue, item)).status_code == 302
    item.refresh_from_db()
    assert item.clicks == 1


@pytest.mark.django_db
def test_an_editor_may_follow_a_link_of_a_test_email_without_counting_it(client):
    issue = counted_issue(started=False)
    item = issue.items.get()
    editor = get_user_model().objects.create_user("redattrice", password="pw-12345")
    editor.user_permissions.add(Permission.objects.get(codename="view_issue"))
    client.force_login(editor)
    response = client.get(link(issue, item))
    assert response.status_code == 302 and response["Location"] == item.url
    item.refresh_from_db()
    assert item.clicks == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/c/9223372036854775808/1/",
        "/newsletter/c/1/9223372036854775808/",
        "/newsletter/c/" + "9" * 400 + "/1/",
        "/newsletter/c/-1/1/",
        "/newsletter/c/1/-1/",
        "/newsletter/c/%D9%A3/1/",  # Arabic-Indic three
        "/newsletter/c/1/%C2%B2/",  # superscript two
        "/newsletter/c/1/1%00/",
        "/newsletter/c/0/0/",
    ],
)
def test_hostile_ids_are_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["head", "post", "put", "delete", "options"])
def test_only_a_get_follows_and_counts(client, method):
    issue = counted_issue(started=True)
    item = issue.items.get()
    assert getattr(client, method)(link(issue, item)).status_code == 405
    item.refresh_from_db()
    assert item.clicks == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/"]
)
def test_a_frozen_url_that_is_not_a_web_address_is_refused_not_followed(client, url):
    issue = counted_issue(started=True)
    item = issue.items.get()
    IssueItem.objects.filter(pk=item.pk).update(url=url)
    response = client.get(link(issue, item))
    assert response.status_code == 404
    assert "Location" not in response
    item.refresh_from_db()
    assert item.clicks == 0


@pytest.mark.django_db
def test_the_redirect_sets_no_cookie_and_says_nothing_about_subscribers(client):
    issue = counted_issue(started=True)
    item = issue.items.get()
    email = issue.newsletter.subscriptions.get().subscriber.email
    response = client.get(link(issue, item), HTTP_COOKIE="")
    assert response.status_code == 302
    assert not response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert email not in str(response.headers) and email not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_are_all_counted():
    issue = counted_issue(started=True)
    item = issue.items.get()
    threads, per_thread, errors = 8, 10, []
    start = threading.Barrier(threads, timeout=30)

    def clicker():
        try:
            browser = Client()
            start.wait()
            for _ in range(per_thread):
                if browser.get(link(issue, item)).status_code != 302:
                    errors.append("not a redirect")
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=clicker) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    item.refresh_from_db()
    assert item.clicks == threads * per_thread
