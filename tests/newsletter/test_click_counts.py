"""Privacy-preserving click counts: the same link for everyone, counted per item, no open redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from newsletter import assembly
from newsletter.models import Issue, IssueItem
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def issue_for(count_clicks: bool):
    newsletter = builders.newsletter(count_clicks=count_clicks, requires_approval=True)
    builders.subscriber(newsletter)
    factories.news(title="Robotica a Pisa")
    issue = assembly.assemble(newsletter).issue
    # Links are public once sending starts (tests/security/test_click_redirect.py).
    Issue.objects.filter(pk=issue.pk).update(send_started_at=timezone.now())
    issue.refresh_from_db()
    return issue


def test_counting_is_off_by_default_and_links_go_straight_to_the_news():
    issue = issue_for(count_clicks=False)
    item = issue.items.get()
    html = issue.renditions.get(variant_key="").html
    assert item.url in html
    assert "/newsletter/c/" not in html


def test_a_counted_link_carries_the_issue_and_item_and_nothing_personal():
    issue = issue_for(count_clicks=True)
    item = issue.items.get()
    rendition = issue.renditions.get(variant_key="")
    link = f"/newsletter/c/{issue.pk}/{item.pk}/"
    assert link in rendition.html and link in rendition.text
    assert f'href="{item.url}"' not in rendition.html


def test_following_a_counted_link_redirects_to_the_item_and_adds_one(client):
    issue = issue_for(count_clicks=True)
    item = issue.items.get()
    response = client.get(f"/newsletter/c/{issue.pk}/{item.pk}/")
    assert response.status_code == 302
    assert response["Location"] == item.url
    assert response["Referrer-Policy"] == "no-referrer"
    client.get(f"/newsletter/c/{issue.pk}/{item.pk}/")
    item.refresh_from_db()
    assert item.clicks == 2


def test_an_item_of_another_issue_or_an_unknown_id_is_not_a_redirect(client):
    first = issue_for(count_clicks=True)
    second = issue_for(count_clicks=True)
    other_item = second.items.order_by("-pk").first()
    assert not first.items.filter(pk=other_item.pk).exists()
    assert client.get(f"/newsletter/c/{first.pk}/{other_item.pk}/").status_code == 404
    assert client.get(f"/newsletter/c/{first.pk}/999999999/").status_code == 404
    assert (
        client.get(
            f"/newsletter/c/{first.pk}/{other_item.pk}/?next=https://evil.example/"
        ).status_code
        == 404
    )
    assert client.get("/newsletter/c/1/https:%2F%2Fevil.example/").status_code == 404
    assert client.get(f"/newsletter/c/{10**30}/{10**30}/").status_code == 404  # no 500
    assert client.post(f"/newsletter/c/{first.pk}/{other_item.pk}/").status_code == 405
    assert IssueItem.objects.get(pk=other_item.pk).clicks == 0


def test_a_newsletter_that_stopped_counting_still_redirects_but_counts_nothing(client):
    issue = issue_for(count_clicks=True)
    issue.newsletter.count_clicks = False
    issue.newsletter.save()
    item = issue.items.get()
    assert client.get(f"/newsletter/c/{issue.pk}/{item.pk}/").status_code == 302
    item.refresh_from_db()
    assert item.clicks == 0


def test_every_subscriber_gets_the_same_counted_link(smtp_settings, smtp_server):
    newsletter = builders.newsletter(count_clicks=True)
    builders.subscribers(newsletter, 2)
    issue = builders.approved_issue(newsletter)
    send_all(issue)
    item = issue.items.get()
    bodies = [
        message.get_body(("html",)).get_content() + message.get_body(("plain",)).get_content()
        for message in smtp_server.messages
    ]
    assert len(bodies) == 2
    link = f"/newsletter/c/{issue.pk}/{item.pk}/"
    assert all(link in body for body in bodies)


def test_the_issue_report_shows_clicks_per_item(client):
    issue = issue_for(count_clicks=True)
    item = issue.items.get()
    client.get(urlsplit(f"/newsletter/c/{issue.pk}/{item.pk}/").path)
    user = get_user_model().objects.create_superuser("g", "g@example.org", "pw-12345")
    client.force_login(user)
    html = client.get(f"/admin/newsletter-reports/{issue.pk}/").content.decode()
    table = html.split("data-clicks", 1)[1].split("</table>", 1)[0]
    assert "Robotica a Pisa" in table and "<td>1</td>" in table
