"""The public archive of sent issues, on the site and in /api/v2/issues/."""

from __future__ import annotations

import pytest

from newsletter import assembly, tokens
from tests import factories
from tests.newsletter import builders
from tests.newsletter.sending_support import clean_cache, send_all  # noqa: F401

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


@pytest.fixture
def sent_issue(smtp_settings, smtp_server):
    newsletter = builders.newsletter(slug="innovazione")
    builders.subscriber(newsletter, "anna@example.org")
    issue = builders.approved_issue(newsletter, title="Robotica a Pisa")
    send_all(issue)
    return issue


def test_a_sent_issue_is_on_the_site_without_personal_links(client, sent_issue):
    person = sent_issue.deliveries.get().subscriber
    response = client.get(f"/newsletter/archive/innovazione/{sent_issue.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Robotica a Pisa" in html
    assert tokens.unsubscribe_url(person) not in html
    assert "/newsletter/unsubscribe/" not in html
    assert "/newsletter/preferences/" not in html


def test_the_archive_lists_sent_issues(client, sent_issue):
    response = client.get("/newsletter/archive/")
    assert sent_issue.subject in response.content.decode()


def test_a_draft_is_not_in_the_archive(client):
    newsletter = builders.newsletter(slug="bozze")
    factories.news()
    issue = assembly.assemble(newsletter).issue
    response = client.get(f"/newsletter/archive/bozze/{issue.number}/")
    assert response.status_code == 404


def test_the_api_lists_sent_issues(client, sent_issue):
    data = client.get("/api/v2/issues/").json()
    assert data["meta"]["total_count"] == 1
    [item] = data["items"]
    assert item["subject"] == sent_issue.subject
    assert item["archive_url"].endswith(f"/newsletter/archive/innovazione/{sent_issue.number}/")


def test_the_api_shows_an_issue_with_its_items_and_no_personal_links(client, sent_issue):
    response = client.get(f"/api/v2/issues/{sent_issue.pk}/")
    data = response.json()
    assert [item["title"] for item in data["items"]] == ["Robotica a Pisa"]
    assert "unsubscribe" not in response.content.decode()


def test_the_api_filters_by_newsletter(client, sent_issue):
    builders.newsletter(slug="altra")
    assert client.get("/api/v2/issues/", {"newsletter": "altra"}).json()["items"] == []


def test_an_unknown_newsletter_gets_a_400_naming_the_parameter(client):
    response = client.get("/api/v2/issues/", {"newsletter": "nessuna"})
    assert response.status_code == 400
    assert "newsletter" in response.json()["errors"]


def test_a_bad_limit_gets_a_400_naming_the_parameter(client):
    response = client.get("/api/v2/issues/", {"limit": "lots"})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


def test_an_unknown_issue_gets_a_json_404(client):
    response = client.get("/api/v2/issues/999999/")
    assert response.status_code == 404
    assert response.json()["message"]
